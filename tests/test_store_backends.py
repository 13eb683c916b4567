"""The storage interface, specified once and run against both backends: files and a
real PostgreSQL server (started by the tests, nothing mocked)."""
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES
from dashboard import storage
from dashboard.reading import read_table
from dashboard.stores import proposal

ROOT = FIXTURES.parent.parent


def staffing_with(store, total: str) -> bytes:
    """The staffing table with one synthetic edit (tests only)."""
    text = store.read_current("staffing")[1].decode("utf-8")
    assert "posts,total,503" in text
    return text.replace("posts,total,503", f"posts,total,{total}").encode("utf-8")


def save(store, content: bytes, user="ana", reason="test", **kwargs):
    return store.save_table("staffing", read_table(content, "staffing.csv"), user, reason, **kwargs)


def changes(store) -> list[dict]:
    """The audit log without the loading of the package (which only the database audits)."""
    return [line for line in store.audit() if line["action"] != "original"]


def test_a_save_becomes_current_with_history_and_audit(store):
    before_version, before = store.read_current("staffing")
    entry = save(store, staffing_with(store, "510"), reason="fact sheet 2026")
    version, content = store.read_current("staffing")
    assert b"posts,total,510" in content and version == entry.version == storage.version_of(content)
    assert [(v.action, v.version) for v in store.history("staffing")] == [("original", before_version),
                                                                         ("save", entry.version)]
    assert store.version_bytes("staffing", before_version) == before
    [line] = changes(store)
    assert (line["user"], line["reason"], line["table"]) == ("ana", "fact sheet 2026", "staffing")
    assert (line["previous"], line["version"]) == (before_version, entry.version)
    assert store.load_dataset()["staffing"]["value"].eq(510).any()


def test_an_invalid_save_changes_nothing(store):
    before = store.read_current("staffing")
    with pytest.raises(storage.InvalidData) as exc:
        save(store, (FIXTURES / "bad" / "staffing_negative_count.csv").read_bytes())
    assert exc.value.report.errors[0].code == "negative"
    assert store.read_current("staffing") == before and changes(store) == []


def test_a_save_that_breaks_another_table_is_refused(store):
    sources = store.read_current("sources")
    without_booklet = b"\n".join(line for line in sources[1].split(b"\n") if not line.startswith(b"booklet_25,"))
    with pytest.raises(storage.InvalidData) as exc:
        store.save_table("sources", read_table(without_booklet, "sources.csv"), "ana", "x")
    assert {p.file for p in exc.value.report.errors} >= {"milestones.csv", "heads_of_mission.csv"}
    assert store.read_current("sources") == sources


def test_a_stale_base_is_refused_and_theirs_is_kept(store):
    start = store.read_current("staffing")[0]
    mine = staffing_with(store, "505")
    theirs = save(store, staffing_with(store, "504"), user="bo")
    with pytest.raises(storage.StaleVersion, match="changed by someone else"):
        save(store, mine, expect_version=start)
    assert store.read_current("staffing")[0] == theirs.version


def test_unchanged_content_records_nothing(store):
    with pytest.raises(storage.NoChange):
        save(store, store.read_current("staffing")[1])
    assert changes(store) == []


def test_restore_is_a_new_version_and_versions_are_named_strictly(store):
    original = store.read_current("staffing")[0]
    save(store, staffing_with(store, "510"))
    for bad in ("", "*", "[0-9a-f]", "abc", "../x"):
        with pytest.raises(storage.BadVersion):
            store.restore("staffing", bad, "admin")
    with pytest.raises(storage.StorageError, match="has no recorded version"):
        store.restore("staffing", "deadbeef", "admin")
    entry = store.restore("staffing", original[:6], "admin")
    assert entry.version == original == store.read_current("staffing")[0]
    assert [v.action for v in store.history("staffing")] == ["original", "save", "restore"]
    assert [line["action"] for line in changes(store)] == ["save", "restore"]


def test_a_restore_on_a_stale_base_is_refused_like_any_save(store):
    original = store.read_current("staffing")[0]
    first, second = staffing_with(store, "510"), staffing_with(store, "504")
    mine = save(store, first).version  # what the admin looked at
    theirs = save(store, second, user="bo")  # then someone else saved
    for base in (original, mine):
        with pytest.raises(storage.StaleVersion, match="changed by someone else"):
            store.restore("staffing", original, "admin", expect_version=base)
    assert store.read_current("staffing")[0] == theirs.version
    assert [v.action for v in store.history("staffing")] == ["original", "save", "save"]
    entry = store.restore("staffing", original, "admin", expect_version=theirs.version)
    assert (entry.action, entry.version) == ("restore", original)


@pytest.mark.parametrize("user, reason", [("ana\nforged", "x"), ("ana", "two\nlines"), ("ana", "nul\x00"), (" ", "x")])
def test_user_and_reason_must_be_one_line(store, user, reason):
    with pytest.raises(storage.StorageError):
        save(store, staffing_with(store, "510"), user=user, reason=reason)
    assert changes(store) == []


def test_a_proposal_is_checked_once_with_its_diff(store):
    report, diff = proposal(store, "staffing", read_table(staffing_with(store, "510"), "staffing.csv"))
    assert report.valid and diff.changed == [(("2016/2020", "posts", "total"), "value", "503", "510")]
    report, diff = proposal(store, "staffing", read_table(FIXTURES / "bad" / "staffing_negative_count.csv"))
    assert not report.valid and diff is None


def test_the_package_files_are_the_stored_tables(store):
    files = store.package_files()
    assert set(files) >= {"datapackage.json", "staffing.csv", "sources.csv"}
    assert files["staffing.csv"] == store.read_current("staffing")[1]


# --- several processes ------------------------------------------------------------

def backend_env(store) -> tuple[dict, list[str]]:
    """The environment and command-line options that point a process at ``store``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("OMIK_DATABASE_URL", None)
    if hasattr(store, "url"):
        return {**env, "OMIK_DATABASE_URL": store.url, "OMIK_DATA_DIR": str(store.descriptor_dir)}, []
    return env, ["--data", str(store.descriptor_dir)]


def importer(store, path, *extra: str) -> subprocess.Popen:
    env, options = backend_env(store)
    return subprocess.Popen([sys.executable, "-m", "dashboard", "import", str(path), "--resource", "staffing",
                             "--user", "proc", "--reason", "concurrent", *options, *extra],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_a_save_in_one_process_shows_in_another_process_next_load(store, tmp_path):
    before = store.fingerprint()
    path = tmp_path / "staffing.csv"
    path.write_bytes(staffing_with(store, "510"))
    proc = importer(store, path)
    assert proc.wait(timeout=120) == 0, proc.stdout.read()
    assert store.fingerprint() != before
    assert store.load_dataset()["staffing"]["value"].eq(510).any()


def test_five_simultaneous_imports_on_one_base_save_exactly_one(store, tmp_path):
    base = store.read_current("staffing")[0]
    paths = []
    for i in range(5):
        paths.append(tmp_path / f"staffing_{i}.csv")
        paths[-1].write_bytes(staffing_with(store, f"51{i}"))
    procs = [importer(store, p, "--expect-version", base) for p in paths]
    outcomes = [(p.wait(timeout=180), p.stdout.read()) for p in procs]
    assert sorted(code for code, _ in outcomes) == [0, 1, 1, 1, 1], outcomes
    assert all("changed by someone else" in out for code, out in outcomes if code == 1), outcomes
    winner = storage.version_of(paths[[code for code, _ in outcomes].index(0)].read_bytes())
    assert store.read_current("staffing")[0] == winner
    assert [v.version for v in store.history("staffing")] == [base, winner]
    assert [(line["previous"], line["version"]) for line in changes(store)] == [(base, winner)]


@pytest.mark.postgres
def test_killing_an_importer_mid_transaction_leaves_one_whole_version(pg_store, tmp_path):
    """``kill -9`` while the save's transaction is open (caught by watching the
    server's own view of its sessions), ten times: the old version stays, whole."""
    from sqlalchemy import text

    path = tmp_path / "staffing.csv"
    path.write_bytes(staffing_with(pg_store, "510"))
    before = pg_store.read_current("staffing")
    watch = text("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'omik-dashboard' "
                 "AND state = 'idle in transaction' AND pid <> pg_backend_pid()")
    for _ in range(10):
        proc = importer(pg_store, path)
        with pg_store.engine.connect() as conn:
            deadline = time.monotonic() + 120
            while not conn.execute(watch).scalar_one():
                conn.rollback()  # the server's activity view is a snapshot per transaction
                assert proc.poll() is None, "the import finished before its transaction was seen"
                assert time.monotonic() < deadline
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert pg_store.read_current("staffing") == before
    assert [v.action for v in pg_store.history("staffing")] == ["original"] and changes(pg_store) == []
    save(pg_store, path.read_bytes())  # nothing was left locked


@pytest.mark.parametrize("content", [b"{", "\"é\"".encode("cp1252"), b'{"resources": []}', "../regions.csv",
                                     "/proc/self/environ", "https://example.org/regions.csv"],
                         ids=["not JSON", "not UTF-8", "no tables", "..", "absolute", "address"])
def test_every_backend_refuses_a_descriptor_it_cannot_trust_with_a_plain_error(store, content):
    """A damaged datapackage.json raised KeyError or JSONDecodeError (the pages' generic
    error), and a path out of the folder was opened (files) or written by `db export`."""
    import json

    descriptor = store.descriptor_dir / "datapackage.json"
    original = descriptor.read_bytes()
    if isinstance(content, bytes):
        descriptor.write_bytes(content)
    else:
        package = json.loads(original)
        package["resources"][1]["path"] = content
        descriptor.write_text(json.dumps(package), encoding="utf-8")
    os.utime(descriptor, ns=(time.time_ns(), time.time_ns() + 1))  # a new mtime for the descriptor cache
    for call in (store.load_dataset, store.current_report, store.package_files):
        with pytest.raises(storage.StorageError, match="datapackage.json"):
            call()
    descriptor.write_bytes(original)
    os.utime(descriptor, ns=(time.time_ns(), time.time_ns() + 2))
    assert store.load_dataset().valid
