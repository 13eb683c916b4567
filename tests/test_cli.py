"""`python -m dashboard validate`: exit codes, plain output, JSON."""
import json
import subprocess
import sys

import pytest

from conftest import FIXTURES
from dashboard import schema, storage
from dashboard.cli import main
from dashboard.paths import ROOT


def run(*args):
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_default_package_is_valid_exit_0():
    result = run("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"valid ({len(schema.resources())} tables" in result.stdout


def test_bad_file_exit_1_with_plain_message():
    result = run("validate", str(FIXTURES / "bad" / "staffing_negative_count.csv"))
    assert result.returncode == 1
    assert 'Error: staffing_negative_count.csv, row 2, column "value": -116 is negative' in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.parametrize("target", ["data", "data/datapackage.json", "data/offices.csv"])
def test_package_descriptor_and_single_table_targets(target, capsys):
    assert main(["validate", str(ROOT / target)]) == 0


def test_resource_option_overrides_the_file_name(tmp_path, capsys):
    renamed = tmp_path / "export (3).csv"
    renamed.write_bytes((FIXTURES / "good" / "offices_utf8_comma.csv").read_bytes())
    assert main(["validate", str(renamed)]) == 1  # cannot tell which table
    assert "Cannot tell which table" in capsys.readouterr().out
    assert main(["validate", str(renamed), "--resource", "offices"]) == 0


def test_json_output_has_location_and_expectation(capsys):
    assert main(["validate", "--json", str(FIXTURES / "bad" / "offices_outside_kosovo.csv")]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is False
    [problem] = out["problems"]
    assert problem == {
        "severity": "error", "code": "outside-kosovo", "file": "offices_outside_kosovo.csv",
        "row": 3, "column": "lat", "value": "45.8",
        "message": "45.8 is outside Kosovo: expected a latitude between 41.85 and 43.27.",
        "expected": "a latitude between 41.85 and 43.27",
    }


def test_several_paths_fail_if_any_fails(capsys):
    good, bad = FIXTURES / "good" / "offices.xlsx", FIXTURES / "bad" / "offices_binary.csv"
    assert main(["validate", str(good), str(bad)]) == 1


@pytest.mark.parametrize("args", [
    ["validate", "/no/such/file.csv"],
    ["validate", "data/offices.csv", "--resource", "nope"],
    ["frobnicate"],
    [],
])
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()


# --- import, history and restore: what the storage layer refuses, as exit codes ---

def staffing_edit(data_dir, total: str):
    path = data_dir.parent / f"staffing_{total}.csv"
    text = (data_dir / "staffing.csv").read_text(encoding="utf-8")
    path.write_text(text.replace("posts,total,503", f"posts,total,{total}"), encoding="utf-8")
    return path


def cli_import(data_dir, path, user="ana", reason="update", *extra):
    return main(["import", str(path), "--resource", "staffing", "--user", user, "--reason", reason,
                 "--data", str(data_dir), *extra])


def recorded(data_dir):
    audit = data_dir / ".audit.jsonl"
    return len(storage.history(data_dir, "staffing")), audit.read_text(encoding="utf-8") if audit.exists() else ""


@pytest.mark.parametrize("version", ["", "[0-9a-f]", "*", "?", "../x", "abc", "ABCDEF", "abcdef\n", "0123456789abc"])
def test_restore_of_a_malformed_version_is_a_usage_error(data_copy, capsys, version):
    assert cli_import(data_copy, staffing_edit(data_copy, "510")) == 0
    before = (data_copy / "staffing.csv").read_bytes(), recorded(data_copy)
    assert main(["restore", "staffing", version, "--user", "admin", "--data", str(data_copy)]) == 2
    err = capsys.readouterr().err
    assert "is not a version of staffing: expected 6 to 12" in err and len(err.strip().splitlines()) == 1
    assert ((data_copy / "staffing.csv").read_bytes(), recorded(data_copy)) == before


def test_restore_by_unique_prefix_ambiguity_and_current_version(data_copy, capsys):
    original = storage.current_version(data_copy, "staffing")
    assert cli_import(data_copy, staffing_edit(data_copy, "510")) == 0
    assert main(["restore", "staffing", original[:6], "--user", "admin", "--data", str(data_copy)]) == 0
    assert f"now version {original}" in capsys.readouterr().out
    assert main(["restore", "staffing", original, "--user", "admin", "--data", str(data_copy)]) == 0
    assert capsys.readouterr().out.strip() == f"no change: staffing is already at version {original}"
    folder = data_copy / ".history" / "staffing"
    for version in ("fedcba000001", "fedcba000002"):  # two versions sharing a prefix, as if recorded
        (folder / f"20200101T000000.000000Z_{version}.csv").write_bytes((data_copy / "staffing.csv").read_bytes())
        (folder / f"20200101T000000.000000Z_{version}.json").write_text(json.dumps(
            {"version": version, "user": "x", "time": "2020-01-01T00:00:00", "reason": "x", "action": "save"}))
    assert main(["restore", "staffing", "fedcba", "--user", "admin", "--data", str(data_copy)]) == 1
    assert "fedcba000001, fedcba000002" in capsys.readouterr().out


def test_import_of_the_current_content_says_no_change(data_copy, capsys):
    version = storage.current_version(data_copy, "staffing")
    assert cli_import(data_copy, data_copy / "staffing.csv") == 0
    assert capsys.readouterr().out.strip() == f"no change: staffing is already at version {version}"
    assert recorded(data_copy) == (0, "")


@pytest.mark.parametrize("field", ["--user", "--reason"])
@pytest.mark.parametrize("text", ["ana\nfedcba  2020-01-01  save  admin: forged", "a\rb", "a\x00b", "a\u2028b",
                                  "x" * 501])
def test_import_refuses_a_user_or_reason_that_is_not_one_short_line(data_copy, capsys, field, text):
    before = (data_copy / "staffing.csv").read_bytes()
    values = {"--user": "ana", "--reason": "update", field: text}
    assert cli_import(data_copy, staffing_edit(data_copy, "510"), values["--user"], values["--reason"]) == 1
    out = capsys.readouterr().out
    assert ("characters long" if len(text) > 500 else "control character") in out
    assert (data_copy / "staffing.csv").read_bytes() == before and recorded(data_copy) == (0, "")


def test_history_prints_one_line_per_version_even_for_an_old_entry_with_line_breaks(data_copy, capsys):
    assert cli_import(data_copy, staffing_edit(data_copy, "510")) == 0
    [entry_file] = [p for p in (data_copy / ".history" / "staffing").glob("*.json")
                    if json.loads(p.read_text())["action"] == "save"]
    entry = json.loads(entry_file.read_text())
    entry.update(user="ana\nfedcba000000  2020-01-01  save      admin", reason="ok\r\u2028forged\x00")
    entry_file.write_text(json.dumps(entry))  # as a release without the check could have recorded it
    capsys.readouterr()
    assert main(["history", "staffing", "--data", str(data_copy)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    assert lines[1].endswith("ana\\nfedcba000000  2020-01-01  save      admin: ok\\r\\u2028forged\\x00")


def test_import_without_expect_version_refuses_a_base_that_changed_meanwhile(data_copy, monkeypatch, capsys):
    from dashboard import cli

    theirs = staffing_edit(data_copy, "604")
    real_read = cli._read

    def read_while_someone_else_imports(path, *args):
        # Someone else's import lands between this command's start and its save.
        storage.save_table(data_copy, "staffing", real_read(theirs, *args), "bo", "theirs")
        return real_read(path, *args)

    monkeypatch.setattr(cli, "_read", read_while_someone_else_imports)
    assert cli_import(data_copy, staffing_edit(data_copy, "605")) == 1
    assert "changed by someone else" in capsys.readouterr().out
    assert (data_copy / "staffing.csv").read_bytes() == theirs.read_bytes()
    assert [v.user for v in storage.history(data_copy, "staffing")][-1] == "bo"
