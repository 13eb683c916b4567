"""The storage layer: every save validated, atomic, versioned, audited and locked."""
import json
import subprocess
import sys
import textwrap

import pytest

from dashboard import storage
from dashboard.cli import main
from dashboard.paths import ROOT
from dashboard.reading import read_table
from dashboard.validation import validate_package

from conftest import FIXTURES


def edited_staffing(data_dir, total="510") -> bytes:
    """The staffing table with one synthetic edit (tests only)."""
    text = (data_dir / "staffing.csv").read_text(encoding="utf-8")
    return text.replace("posts,total,503", f"posts,total,{total}").encode("utf-8")


def audit_lines(data_dir) -> list[dict]:
    path = data_dir / ".audit.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


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
        storage.save_table(data_copy, "staffing", read_table(FIXTURES / "bad" / "staffing_negative_count.csv"), "ana", "x")
    assert exc.value.report.errors[0].code == "negative"
    assert (data_copy / "staffing.csv").read_bytes() == before
    assert storage.history(data_copy, "staffing") == [] and audit_lines(data_copy) == []


def test_a_save_that_breaks_another_table_is_refused(data_copy):
    sources = (data_copy / "sources.csv").read_text(encoding="utf-8")
    without_booklet = "\n".join(l for l in sources.splitlines() if not l.startswith("booklet_25,")) + "\n"
    with pytest.raises(storage.InvalidData) as exc:
        storage.save_table(data_copy, "sources", read_table(without_booklet.encode(), "sources.csv"), "ana", "x")
    assert {p.file for p in exc.value.report.errors} >= {"milestones.csv", "heads_of_mission.csv"}
    assert (data_copy / "sources.csv").read_text(encoding="utf-8") == sources


def test_a_save_on_a_stale_base_is_refused(data_copy):
    start = storage.current_version(data_copy, "staffing")
    storage.save_table(data_copy, "staffing", read_table(edited_staffing(data_copy, "504"), "staffing.csv"), "bo", "first")
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
    assert [l["action"] for l in audit_lines(data_copy)] == ["save", "restore"]


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
    diff = storage.diff_against(data_copy, "staffing", read_table(edited_staffing(data_copy), "staffing.csv"))
    assert diff.changed == [(("2016/2020", "posts", "total"), "value", "503", "510")]
    assert not diff.added and not diff.removed


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
    if mode == "before-rename" and os.readlink(f"/proc/self/fd/{{fd}}").endswith(".tmp") and "staffing.csv" in os.readlink(f"/proc/self/fd/{{fd}}") and ".history" not in os.readlink(f"/proc/self/fd/{{fd}}"):
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
    # the next save succeeds and is recorded normally
    storage.save_table(data_copy, "staffing", read_table(edited_staffing(data_copy, "520"), "staffing.csv"), "ana", "after")
    assert all(isinstance(line, dict) for line in audit_lines(data_copy))


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
    assert [l["user"] for l in audit_lines(data_copy)] == ["proc", "proc"]
    assert len(storage.history(data_copy, "staffing")) == 3  # original + two saves


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
