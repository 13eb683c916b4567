"""The storage layer: every save validated, atomic, versioned, audited and locked."""
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from conftest import FIXTURES
from dashboard import storage
from dashboard.cli import main
from dashboard.paths import ROOT
from dashboard.reading import read_table
from dashboard.stores import FileStore, proposal
from dashboard.validation import validate_package


def edited_staffing(data_dir, total="510") -> bytes:
    """The staffing table as it is now, with one synthetic edit (tests only)."""
    text = (data_dir / "staffing.csv").read_text(encoding="utf-8")
    return re.sub(r"posts,total,\d+", f"posts,total,{total}", text, count=1).encode("utf-8")


def audit_lines(data_dir) -> list[dict]:
    path = data_dir / ".audit.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def save(data_dir, content: bytes, user="ana", reason="edit", **kwargs) -> storage.Version:
    return storage.save_table(data_dir, "staffing", read_table(content, "staffing.csv"), user, reason, **kwargs)


def assert_consistent(data_dir, table="staffing"):
    """History, audit and file tell one story, and nothing half-written is left
    (reading the history resolves what a crash left)."""
    versions = storage.history(data_dir, table)
    assert not (data_dir / ".history" / ".journal.json").exists()
    assert not list(data_dir.rglob(".*.tmp"))
    folder = data_dir / ".history" / table
    contents, entries = sorted(folder.glob("*.csv")), sorted(folder.glob("*.json"))
    assert [p.stem for p in contents] == [p.stem for p in entries]
    assert [storage.version_of(p.read_bytes()) for p in contents] == [v.version for v in versions]
    if versions:
        assert versions[-1].version == storage.current_version(data_dir, table)
    saves = [(v.time, v.version) for v in versions if v.action != "original"]
    records = [record for record in audit_lines(data_dir) if record["table"] == table]
    assert [(record["time"], record["version"]) for record in records] == saves
    assert [record["previous"] for record in records] == [v.version for v in versions[:-1]]


def test_a_save_writes_the_file_keeps_history_and_audits(data_copy):
    before = (data_copy / "staffing.csv").read_bytes()
    entry = storage.save_table(data_copy, "staffing", read_table(edited_staffing(data_copy), "staffing.csv"),
                               "ana", "fact sheet 2026")
    assert b"posts,total,510" in (data_copy / "staffing.csv").read_bytes()
    assert entry.version == storage.current_version(data_copy, "staffing")
    versions = storage.history(data_copy, "staffing")
    assert [(v.action, v.user) for v in versions] == [("original", "(before the first recorded save)"), ("save", "ana")]
    assert storage.version_bytes(data_copy, "staffing", versions[0].version) == before
    [line] = audit_lines(data_copy)
    assert line["user"] == "ana" and line["reason"] == "fact sheet 2026" and line["table"] == "staffing"
    assert line["previous"] == storage.version_of(before) and line["version"] == entry.version


def test_an_invalid_save_changes_nothing(data_copy):
    before = (data_copy / "staffing.csv").read_bytes()
    with pytest.raises(storage.InvalidData) as exc:
        storage.save_table(data_copy, "staffing", read_table(FIXTURES / "bad" / "staffing_negative_count.csv"),
                           "ana", "x")
    assert exc.value.report.errors[0].code == "negative"
    assert (data_copy / "staffing.csv").read_bytes() == before
    assert storage.history(data_copy, "staffing") == [] and audit_lines(data_copy) == []


def test_a_save_that_breaks_another_table_is_refused(data_copy):
    sources = (data_copy / "sources.csv").read_text(encoding="utf-8")
    without_booklet = "\n".join(line for line in sources.splitlines() if not line.startswith("booklet_25,")) + "\n"
    with pytest.raises(storage.InvalidData) as exc:
        storage.save_table(data_copy, "sources", read_table(without_booklet.encode(), "sources.csv"), "ana", "x")
    assert {p.file for p in exc.value.report.errors} >= {"milestones.csv", "heads_of_mission.csv"}
    assert (data_copy / "sources.csv").read_text(encoding="utf-8") == sources


def test_a_save_on_a_stale_base_is_refused(data_copy):
    start = storage.current_version(data_copy, "staffing")
    save(data_copy, edited_staffing(data_copy, "504"), "bo", "first")
    theirs = (data_copy / "staffing.csv").read_bytes()
    with pytest.raises(storage.StaleVersion, match="changed by someone else"):
        storage.save_table(data_copy, "staffing", read_table(edited_staffing(data_copy, "505"), "staffing.csv"),
                           "ana", "second", expect_version=start)
    assert (data_copy / "staffing.csv").read_bytes() == theirs


def test_restore_is_itself_a_new_version(data_copy):
    original = storage.current_version(data_copy, "staffing")
    storage.save_table(data_copy, "staffing", read_table(edited_staffing(data_copy), "staffing.csv"), "ana", "edit")
    entry = storage.restore(data_copy, "staffing", original, "admin")
    assert entry.version == original == storage.current_version(data_copy, "staffing")
    assert [v.action for v in storage.history(data_copy, "staffing")] == ["original", "save", "restore"]
    assert [record["action"] for record in audit_lines(data_copy)] == ["save", "restore"]


def test_the_original_entry_carries_the_files_own_time_not_the_first_saves(data_copy):
    path = data_copy / "staffing.csv"
    os.utime(path, (1_600_000_000, 1_600_000_000))  # 2020-09-13T12:26:40Z
    save(data_copy, edited_staffing(data_copy), "ana", "edit")
    original, first = storage.history(data_copy, "staffing")
    assert original.action == "original" and original.time.startswith("2020-09-13T12:26:40")
    assert first.time > original.time and not first.time.startswith("2020")


def test_a_restore_on_a_stale_base_is_refused(data_copy):
    original = storage.current_version(data_copy, "staffing")
    seen = save(data_copy, edited_staffing(data_copy, "504"), "bo", "first").version
    theirs = save(data_copy, edited_staffing(data_copy, "505"), "cy", "second")
    with pytest.raises(storage.StaleVersion):
        storage.restore(data_copy, "staffing", original, "admin", expect_version=seen)
    assert storage.current_version(data_copy, "staffing") == theirs.version
    assert [r["action"] for r in audit_lines(data_copy)] == ["save", "save"]


def test_unknown_version_is_explained(data_copy):
    with pytest.raises(storage.StorageError, match="has no recorded version"):
        storage.restore(data_copy, "staffing", "deadbeef", "admin")


def test_save_needs_a_user_and_a_reason(data_copy):
    raw = read_table(edited_staffing(data_copy), "staffing.csv")
    with pytest.raises(storage.StorageError):
        storage.save_table(data_copy, "staffing", raw, " ", "reason")
    with pytest.raises(storage.StorageError):
        storage.save_table(data_copy, "staffing", raw, "ana", "")


def test_diff_lists_changed_cells_by_key(data_copy):
    _, diff = proposal(FileStore(data_copy), "staffing", read_table(edited_staffing(data_copy), "staffing.csv"))
    assert diff.changed == [(("2016/2020", "posts", "total"), "value", "503", "510")]
    assert not diff.added and not diff.removed


# --- naming a version -----------------------------------------------------------

RECORDED = ["abcdef111111", "abcdef222222", "0123456789ab", "0123456789ab"]


@pytest.mark.parametrize("requested, expected", [
    ("0123456789ab", "0123456789ab"), ("012345", "0123456789ab"), ("abcdef1", "abcdef111111"),
    ("abcdef222222", "abcdef222222"),
])
def test_find_version_takes_a_full_id_or_a_unique_prefix(requested, expected):
    assert storage.find_version(RECORDED, requested, "staffing") == expected


MALFORMED = ["", "[0-9a-f]", "*", "?", "../x", "abc", "abcde", "ABCDEF", "abcdef\n", " abcdef", "0123456789abc",
             "abc*", "01234[5]"]


@pytest.mark.parametrize("requested", MALFORMED)
def test_find_version_refuses_anything_but_6_to_12_hex_digits(requested):
    with pytest.raises(storage.BadVersion) as exc:
        storage.find_version(RECORDED, requested, "staffing")
    assert f'"{storage.one_line(requested)}" is not a version of staffing' in str(exc.value)
    assert "6 to 12" in str(exc.value) and "\n" not in str(exc.value)


def test_find_version_lists_the_candidates_of_an_ambiguous_prefix():
    with pytest.raises(storage.StorageError, match="abcdef111111, abcdef222222; give more") as exc:
        storage.find_version(RECORDED, "abcdef", "staffing")
    assert not isinstance(exc.value, storage.BadVersion)
    with pytest.raises(storage.StorageError, match="has no recorded version fedcba"):
        storage.find_version(RECORDED, "fedcba", "staffing")


@pytest.mark.parametrize("requested", MALFORMED)
def test_restore_of_a_malformed_version_changes_nothing(data_copy, requested):
    save(data_copy, edited_staffing(data_copy))
    before = (data_copy / "staffing.csv").read_bytes()
    with pytest.raises(storage.BadVersion):
        storage.restore(data_copy, "staffing", requested, "admin")
    assert (data_copy / "staffing.csv").read_bytes() == before
    assert len(storage.history(data_copy, "staffing")) == 2


def plant_version(data_dir, version: str, content: bytes, stamp: str) -> None:
    """A history entry written directly, as an older release (or a crafted one) would."""
    folder = data_dir / ".history" / "staffing"
    folder.mkdir(parents=True, exist_ok=True)
    entry = {"version": version, "user": "old", "time": stamp, "reason": "planted", "action": "save"}
    (folder / f"{stamp}_{version}.csv").write_bytes(content)
    (folder / f"{stamp}_{version}.json").write_text(json.dumps(entry), encoding="utf-8")


def test_restore_of_an_ambiguous_prefix_is_refused_and_a_longer_one_works(data_copy):
    original = (data_copy / "staffing.csv").read_bytes()
    plant_version(data_copy, "abcdef111111", edited_staffing(data_copy, "511"), "20250101T000000.000001Z")
    plant_version(data_copy, "abcdef222222", edited_staffing(data_copy, "522"), "20250101T000000.000002Z")
    with pytest.raises(storage.StorageError, match="abcdef111111, abcdef222222"):
        storage.restore(data_copy, "staffing", "abcdef", "admin")
    assert (data_copy / "staffing.csv").read_bytes() == original
    storage.restore(data_copy, "staffing", "abcdef2", "admin")
    assert b"posts,total,522" in (data_copy / "staffing.csv").read_bytes()


@pytest.mark.parametrize("length", [6, 9, 12])
def test_restore_by_full_id_or_unique_prefix(data_copy, length):
    original = storage.current_version(data_copy, "staffing")
    save(data_copy, edited_staffing(data_copy))
    entry = storage.restore(data_copy, "staffing", original[:length], "admin")
    assert entry.version == original == storage.current_version(data_copy, "staffing")
    assert entry.reason == f"restore version {original}"


# --- what may be recorded -------------------------------------------------------

CONTROL = ["two\nlines", "carriage\rreturn", "nul\x00byte", "line\u2028separator", "para\u2029graph",
           "tab\there", "escape\x1b[31m", "del\x7f", "c1\x85next"]


@pytest.mark.parametrize("field", ["user", "reason"])
@pytest.mark.parametrize("text", CONTROL)
def test_user_and_reason_must_be_one_line(data_copy, field, text):
    before = (data_copy / "staffing.csv").read_bytes()
    values = {"user": "ana", "reason": "edit", field: text}
    with pytest.raises(storage.StorageError) as exc:
        save(data_copy, edited_staffing(data_copy), **values)
    position = next(i for i, c in enumerate(text, 1) if not c.isprintable())
    messages = {lang: exc.value.message(lang) for lang in ("en", "sq", "sr")}
    assert len(set(messages.values())) == 3
    assert all(f" {position}" in m and "{" not in m for m in messages.values())
    assert "\n" not in str(exc.value) and "\u2028" not in str(exc.value)
    assert (data_copy / "staffing.csv").read_bytes() == before
    assert storage.history(data_copy, "staffing") == [] and audit_lines(data_copy) == []


@pytest.mark.parametrize("field, limit", [("user", storage.MAX_USER), ("reason", storage.MAX_REASON)])
def test_user_and_reason_have_a_length_limit(data_copy, field, limit):
    values = {"user": "ana", "reason": "edit"}
    with pytest.raises(storage.StorageError, match=f"{limit + 1} characters long; at most {limit}"):
        save(data_copy, edited_staffing(data_copy), **{**values, field: "é" * (limit + 1)})
    entry = save(data_copy, edited_staffing(data_copy), **{**values, field: f" {'é' * limit} "})
    assert getattr(entry, field) == "é" * limit


@pytest.mark.parametrize("text, shown", [
    ("plain ëç Прош", "plain ëç Прош"), ("a\nb", "a\\nb"), ("a\r\nb", "a\\r\\nb"), ("a\x00b", "a\\x00b"),
    ("a\u2028b", "a\\u2028b"), ("a\u202eb", "a\\u202eb"), ("a\tb", "a\\tb"),
])
def test_one_line_escapes_what_could_forge_or_hide_text(text, shown):
    assert storage.one_line(text) == shown


# --- no change, symbolic links ----------------------------------------------------

def test_saving_the_current_content_records_nothing(data_copy):
    with pytest.raises(storage.NoChange, match="no change: staffing is already at version"):
        save(data_copy, (data_copy / "staffing.csv").read_bytes())
    assert storage.history(data_copy, "staffing") == [] and audit_lines(data_copy) == []
    entry = save(data_copy, edited_staffing(data_copy))
    with pytest.raises(storage.NoChange, match=entry.version):
        storage.restore(data_copy, "staffing", entry.version, "admin")
    assert len(storage.history(data_copy, "staffing")) == 2 and len(audit_lines(data_copy)) == 1


@pytest.mark.parametrize("link", ["staffing.csv", ".history", ".history/staffing", ".audit.jsonl"])
def test_a_symlink_where_a_save_writes_is_refused(data_copy, tmp_path, link):
    save(data_copy, edited_staffing(data_copy, "504"))
    path = data_copy / link
    real = tmp_path / "elsewhere"
    path.rename(real)
    path.symlink_to(real, target_is_directory=real.is_dir())
    before = (data_copy / "staffing.csv").read_bytes()
    with pytest.raises(storage.StorageError, match=f"{path.name} is a symbolic link") as exc:
        save(data_copy, edited_staffing(data_copy, "505"), reason="second")
    assert len({exc.value.message(lang) for lang in ("en", "sq", "sr")}) == 3
    assert path.is_symlink() and (data_copy / "staffing.csv").read_bytes() == before
    assert len(audit_lines(data_copy)) == 1


# --- one commit per save: crash between any two steps ---------------------------

class Crash(Exception):
    pass


STEPS = [("_stage_content", 1), ("_stage_content", 2), ("_write_journal", 1), ("_replace_table", 1),
         ("_write_entry", 1), ("_write_entry", 2), ("_audit", 1), ("_clear_journal", 1)]


@pytest.mark.parametrize("recovery", ["history", "save"])
@pytest.mark.parametrize("step, call", STEPS)
def test_a_save_that_dies_before_a_step_is_completed_or_dropped_whole(data_copy, monkeypatch, step, call, recovery):
    old = (data_copy / "staffing.csv").read_bytes()
    new = edited_staffing(data_copy)
    real, calls = getattr(storage, step), []

    def dying(*args, **kwargs):
        calls.append(args)
        if len(calls) == call:
            raise Crash(step)
        return real(*args, **kwargs)

    monkeypatch.setattr(storage, step, dying)
    with pytest.raises(Crash):
        save(data_copy, new, user="first")
    monkeypatch.setattr(storage, step, real)
    replaced = STEPS.index((step, call)) > STEPS.index(("_replace_table", 1))
    assert (data_copy / "staffing.csv").read_bytes() == (new if replaced else old)
    if recovery == "save":
        save(data_copy, old.replace(b"posts,total,503", b"posts,total,530"), user="second")
    assert_consistent(data_copy)
    users = [v.user for v in storage.history(data_copy, "staffing")]
    assert users == [storage.ORIGINAL_USER] * (replaced or recovery == "save") + ["first"] * replaced + [
        "second"] * (recovery == "save")


def test_orphans_of_an_older_crash_are_removed_by_the_next_save(data_copy):
    save(data_copy, edited_staffing(data_copy, "504"))
    folder = data_copy / ".history" / "staffing"
    orphans = [data_copy / ".staffing.csv.4242.tmp", folder / ".20250101T000000.000000Z_abcdef123456.csv.7.tmp",
               folder / "20250101T000000.000000Z_abcdef123456.csv", data_copy / ".history" / ".journal.json.9.tmp"]
    for path in orphans:
        path.write_bytes(b"half")
    save(data_copy, edited_staffing(data_copy, "505"))
    assert not any(p.exists() for p in orphans)
    assert_consistent(data_copy)


CHILD = """
import os, signal, sys
sys.path.insert(0, {root!r})
from pathlib import Path
from dashboard import storage
from dashboard.reading import read_table
data_dir, payload, mode = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes(), sys.argv[3]
real_fsync, real_replace = os.fsync, os.replace
def dying_fsync(fd):
    # killed while the new bytes sit in the temporary file, before the rename
    if mode == "before-rename":
        path = os.readlink(f"/proc/self/fd/{{fd}}")
        if path.endswith(".tmp") and "staffing.csv" in path and ".history" not in path:
            os.kill(os.getpid(), signal.SIGKILL)
    real_fsync(fd)
def dying_replace(src, dst):
    real_replace(src, dst)
    if mode == "after-rename" and str(dst).endswith("/staffing.csv"):
        os.kill(os.getpid(), signal.SIGKILL)
os.fsync, os.replace = dying_fsync, dying_replace
expect = sys.argv[4] if len(sys.argv) > 4 else None
try:
    storage.save_table(data_dir, "staffing", read_table(payload, "staffing.csv"), "proc", "concurrent", expect)
except storage.StaleVersion:
    sys.exit(3)
"""


def run_child(data_dir, payload_path, mode, *extra, wait=True):
    script = textwrap.dedent(CHILD.format(root=str(ROOT)))
    proc = subprocess.Popen([sys.executable, "-c", script, str(data_dir), str(payload_path), mode, *extra])
    if wait:
        proc.wait(60)
    return proc


@pytest.mark.parametrize("mode", ["before-rename", "after-rename"])
def test_a_process_killed_mid_save_leaves_old_or_new_never_a_mix(data_copy, tmp_path, mode):
    old = (data_copy / "staffing.csv").read_bytes()
    payload = tmp_path / "staffing.csv"
    payload.write_bytes(edited_staffing(data_copy))
    proc = run_child(data_copy, payload, mode)
    assert proc.returncode == -9, "the child was meant to die mid-save"
    now = (data_copy / "staffing.csv").read_bytes()
    assert now == (old if mode == "before-rename" else payload.read_bytes())
    assert validate_package(data_copy).valid
    # the next save resolves what the killed one left, and is recorded normally
    after = old.replace(b"posts,total,503", b"posts,total,520")
    storage.save_table(data_copy, "staffing", read_table(after, "staffing.csv"), "ana", "after")
    assert_consistent(data_copy)
    assert [v.user for v in storage.history(data_copy, "staffing")][1:] == (
        ["ana"] if mode == "before-rename" else ["proc", "ana"])


def test_two_processes_saving_at_once_both_land_whole(data_copy, tmp_path):
    payloads = []
    for total in ("601", "602"):
        path = tmp_path / f"staffing_{total}.csv"
        path.write_bytes(edited_staffing(data_copy, total))
        payloads.append(path)
    procs = [run_child(data_copy, p, "none", wait=False) for p in payloads]
    assert [p.wait(60) for p in procs] == [0, 0]
    final = (data_copy / "staffing.csv").read_bytes()
    assert final in {p.read_bytes() for p in payloads}
    assert [record["user"] for record in audit_lines(data_copy)] == ["proc", "proc"]
    assert len(storage.history(data_copy, "staffing")) == 3  # original + two saves
    assert_consistent(data_copy)


def test_two_editors_from_the_same_version_one_wins_one_is_told(data_copy, tmp_path):
    base = storage.current_version(data_copy, "staffing")
    payloads = []
    for total in ("701", "702"):
        path = tmp_path / f"staffing_{total}.csv"
        path.write_bytes(edited_staffing(data_copy, total))
        payloads.append(path)
    procs = [run_child(data_copy, p, "none", base, wait=False) for p in payloads]
    assert sorted(p.wait(60) for p in procs) == [0, 3]


# --- the command line ---------------------------------------------------------

def test_cli_import_history_diff_restore(data_copy, tmp_path, capsys):
    new = tmp_path / "staffing.csv"
    new.write_bytes(edited_staffing(data_copy))
    assert main(["diff", "staffing", str(new), "--data", str(data_copy)]) == 0
    assert "value: '503' -> '510'" in capsys.readouterr().out
    original = storage.current_version(data_copy, "staffing")
    assert main(["import", str(new), "--resource", "staffing", "--user", "ana", "--reason", "update",
                 "--data", str(data_copy)]) == 0
    assert "saved staffing" in capsys.readouterr().out
    assert main(["history", "staffing", "--data", str(data_copy)]) == 0
    out = capsys.readouterr().out
    assert original in out and "ana: update" in out
    assert main(["restore", "staffing", original, "--user", "admin", "--data", str(data_copy)]) == 0
    assert storage.current_version(data_copy, "staffing") == original


def test_cli_import_of_a_bad_file_exits_1_and_changes_nothing(data_copy, capsys):
    before = (data_copy / "staffing.csv").read_bytes()
    code = main(["import", str(FIXTURES / "bad" / "staffing_negative_count.csv"), "--resource", "staffing",
                 "--user", "ana", "--reason", "x", "--data", str(data_copy)])
    assert code == 1
    assert 'row 2, column "value": -116 is negative' in capsys.readouterr().out
    assert (data_copy / "staffing.csv").read_bytes() == before


def test_cli_import_with_a_stale_version_exits_1(data_copy, tmp_path, capsys):
    new = tmp_path / "staffing.csv"
    new.write_bytes(edited_staffing(data_copy))
    code = main(["import", str(new), "--resource", "staffing", "--user", "ana", "--reason", "x",
                 "--expect-version", "000000000000", "--data", str(data_copy)])
    assert code == 1 and "changed by someone else" in capsys.readouterr().out


def test_cli_restore_with_a_stale_version_exits_1_and_changes_nothing(data_copy, capsys):
    original = storage.current_version(data_copy, "staffing")
    seen = save(data_copy, edited_staffing(data_copy, "504"), "bo", "first").version
    save(data_copy, edited_staffing(data_copy, "505"), "cy", "second")
    current = storage.current_version(data_copy, "staffing")
    code = main(["restore", "staffing", original, "--user", "admin", "--expect-version", seen,
                 "--data", str(data_copy)])
    assert code == 1 and "changed by someone else" in capsys.readouterr().out
    assert storage.current_version(data_copy, "staffing") == current
    assert main(["restore", "staffing", original, "--user", "admin", "--expect-version", current,
                 "--data", str(data_copy)]) == 0
    assert storage.current_version(data_copy, "staffing") == original


@pytest.mark.parametrize("args", [
    ["import", "/no/such.csv", "--resource", "staffing", "--user", "a", "--reason", "r"],
    ["import", "data/staffing.csv", "--resource", "nope", "--user", "a", "--reason", "r"],
    ["import", "data/staffing.csv", "--resource", "staffing"],
    ["history", "nope"],
    ["restore", "staffing"],
    ["diff", "staffing", "/no/such.csv"],
])
def test_cli_storage_usage_errors_exit_2(args):
    result = subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_cli_restore_of_unknown_version_exits_1(data_copy, capsys):
    assert main(["restore", "staffing", "feedbeef", "--user", "a", "--data", str(data_copy)]) == 1
    assert "no recorded version" in capsys.readouterr().out
