"""`python -m dashboard validate`: exit codes, plain output, JSON."""
import json
import subprocess
import sys

import pytest

from conftest import FIXTURES
from dashboard import schema, storage
from dashboard.cli import main
from dashboard.paths import ROOT
from dashboard.stores import FileStore


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


# --- a data folder whose paths or descriptor cannot be trusted (#21) -------------------------

OUTSIDE = "OUTSIDE-SECRET"


def with_path(folder, table: str, path: str) -> None:
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    next(r for r in descriptor["resources"] if r["name"] == table)["path"] = path
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


def link_out(folder, tmp_path, kind: str) -> str:
    """A table path that leads out of ``folder``, made the way ``kind`` says."""
    outside = tmp_path / "outside"
    outside.mkdir(exist_ok=True)
    (outside / "regions.csv").write_text(f"{OUTSIDE},id\n{OUTSIDE},x\n", encoding="utf-8")
    if kind == "link to a file outside":
        (folder / "regions.csv").unlink()
        (folder / "regions.csv").symlink_to(outside / "regions.csv")
        return "regions.csv"
    if kind == "link to a folder outside":
        (folder / "sub").symlink_to(outside, target_is_directory=True)
        return "sub/regions.csv"
    return {"..": "../outside/regions.csv", "deeper ..": "a/../../outside/regions.csv",
            "absolute": str(outside / "regions.csv"), "/proc/self/environ": "/proc/self/environ",
            "/etc/passwd": "/etc/passwd", "https address": "https://example.org/regions.csv",
            "file address": f"file://{outside / 'regions.csv'}", "backslashes": "..\\outside\\regions.csv",
            "empty": "", "the folder itself": ".", "a NUL byte": "regions.csv\x00"}[kind]


PATHS_OUT = ["..", "deeper ..", "absolute", "/proc/self/environ", "/etc/passwd", "https address", "file address",
             "backslashes", "empty", "the folder itself", "a NUL byte", "link to a file outside",
             "link to a folder outside"]


@pytest.mark.parametrize("kind", PATHS_OUT)
def test_a_table_path_that_leads_out_of_its_folder_is_never_opened(data_copy, tmp_path, capsys, kind):
    with_path(data_copy, "regions", link_out(data_copy, tmp_path, kind))
    for target in (data_copy, data_copy / "datapackage.json", data_copy / "offices.csv"):
        assert main(["validate", str(target)]) == 2
        out = capsys.readouterr()
        assert "regions" in out.err and len(out.err.strip().splitlines()) == 1 and not out.out
        assert OUTSIDE not in out.err and "PATH=" not in out.err
    for command in (["history", "regions"], ["freshness"], ["diff", "staffing", str(data_copy / "staffing.csv")]):
        assert main([*command, "--data", str(data_copy)]) == 2
        assert "not a file inside" in capsys.readouterr().err
    with pytest.raises(storage.StorageError, match="not a file inside"):
        FileStore(data_copy).load_dataset()


DAMAGED_DESCRIPTORS = {
    "missing": None,
    "empty": b"",
    "not JSON": b"{",
    "Windows-1252": '{"title": "Kosovë"}'.encode("cp1252"),
    "a list": b"[]",
    "no resources": b"{}",
    "resources a table": b'{"resources": {}}',
    "no tables": b'{"resources": []}',
    "a table that is text": b'{"resources": ["regions"]}',
    "a table without a path": b'{"resources": [{"name": "regions", "schema": {"fields": []}}]}',
    "a path that is a number": b'{"resources": [{"name": "regions", "path": 7, "schema": {"fields": []}}]}',
    "no schema": b'{"resources": [{"name": "regions", "path": "regions.csv"}]}',
    "fields not a list": b'{"resources": [{"name": "regions", "path": "regions.csv", "schema": {"fields": 1}}]}',
    "a field without a name": b'{"resources": [{"name": "r", "path": "regions.csv", "schema": {"fields": [{}]}}]}',
    "a folder": "folder",
}


@pytest.mark.parametrize("content", DAMAGED_DESCRIPTORS.values(), ids=DAMAGED_DESCRIPTORS)
def test_a_damaged_or_missing_descriptor_is_one_plain_line(data_copy, capsys, content):
    descriptor = data_copy / "datapackage.json"
    descriptor.unlink()
    if content == "folder":
        descriptor.mkdir()
    elif content is not None:
        descriptor.write_bytes(content)
    commands = [["validate", str(data_copy)], ["history", "staffing", "--data", str(data_copy)],
                ["freshness", "--data", str(data_copy)],
                ["briefing", "--out", str(data_copy.parent / "b.pdf"), "--data", str(data_copy)]]
    if content is not None:  # (with none, a file is checked against the app's own package)
        commands.append(["validate", str(data_copy / "staffing.csv")])
    for args in commands:
        assert main(args) == 2, args
        err = capsys.readouterr().err
        assert "datapackage.json" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(storage.StorageError):
        FileStore(data_copy).fingerprint()


@pytest.mark.parametrize("content", [None, b"{", b'{"resources": []}'], ids=["missing", "not JSON", "no tables"])
def test_the_pages_say_one_plain_sentence_for_a_damaged_descriptor(data_copy, monkeypatch, content):
    from streamlit.testing.v1 import AppTest

    from dashboard.i18n import t

    (data_copy / "datapackage.json").unlink()
    if content is not None:
        (data_copy / "datapackage.json").write_bytes(content)
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    for page in ("staffing", "data"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.switch_page(f"pages/{page}.py")
        at.run()
        assert not at.exception and [e.value for e in at.error] == [t("data.unavailable")]


def test_a_symlinked_data_folder_is_still_a_data_folder(data_copy, tmp_path, capsys):
    link = tmp_path / "current"
    link.symlink_to(data_copy, target_is_directory=True)
    assert main(["validate", str(link)]) == 0
    assert main(["history", "staffing", "--data", str(link)]) == 0


# --- usage errors that ended in tracebacks (#21) ---------------------------------------

def test_usage_errors_are_one_line_with_exit_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (tmp_path / "dir.csv").mkdir()
    (tmp_path / "broken.csv").symlink_to(tmp_path / "nowhere.csv")
    (tmp_path / "taken.pdf").mkdir()
    cases = [
        ["validate", str(tmp_path / "empty")],
        ["validate", str(tmp_path / "dir.csv")],
        ["validate", str(tmp_path / "dir.csv"), "--resource", "x"],
        ["validate", str(tmp_path / "dir.csv"), "--resource", "offices"],
        ["validate", str(ROOT / "data"), "--resource", "offices"],
        ["validate", str(ROOT / "data" / "datapackage.json"), "--resource", "nope"],
        ["validate", str(ROOT / "data" / "offices.csv"), "--resource", "x"],
        ["validate", str(tmp_path / "broken.csv")],
        ["briefing", "--out", "/proc/x.pdf"],
        ["briefing", "--out", "/sys/x.pdf"],
        ["briefing", "--out", str(tmp_path / "taken.pdf")],
        ["briefing", "--out", str(tmp_path / "no" / "such" / "x.pdf")],
        ["briefing", "--out", str(tmp_path / "broken.csv" / "x.pdf")],
        ["history", "staffing", "--data", str(tmp_path / "empty")],
        ["import", str(tmp_path / "nowhere.csv"), "--resource", "staffing", "--user", "a", "--reason", "b",
         "--data", str(ROOT / "data")],
    ]
    for args in cases:
        assert main(args) == 2, args
        out = capsys.readouterr()
        assert len(out.err.strip().splitlines()) == 1 and not out.out, (args, out)
    assert not list((tmp_path / "taken.pdf").iterdir())  # no temporary file left behind


NASTY_NAMES = {
    "line break": "staffing\nError: forged.csv",
    "carriage return": "staffing\rforged.csv",
    "ANSI colour": "\x1b[31mstaffing.csv",
    "ANSI clear screen": "staffing\x1b[2J.csv",
    "C1 CSI": "staffing\x9b31m.csv",
    "bidi override": "staffing\u202evsc.csv",
    "line separator": "staffing\u2028forged.csv",
    "bell and backspace": "staffing\x07\x08.csv",
}


@pytest.mark.parametrize("name", NASTY_NAMES.values(), ids=NASTY_NAMES)
def test_file_names_are_printed_escaped(tmp_path, capsys, name):
    path = tmp_path / name
    path.write_bytes((FIXTURES / "bad" / "staffing_negative_count.csv").read_bytes())
    missing = tmp_path / ("missing " + name)

    def printed(args) -> str:
        main(args)
        out = capsys.readouterr()
        return out.out + out.err

    texts = [printed(["validate", str(path)]), printed(["validate", str(path), "--resource", "staffing"]),
             printed(["validate", str(missing)]),
             printed(["diff", "staffing", str(path), "--data", str(ROOT / "data")]),
             printed(["import", str(missing), "--resource", "staffing", "--user", "a", "--reason", "b"])]
    for text in texts:
        assert all(c.isprintable() for line in text.split("\n") for c in line), text
        assert not any(line.startswith(("forged", "Error: forged")) for line in text.split("\n"))
    as_json = printed(["validate", "--json", str(path), "--resource", "staffing"])
    assert json.loads(as_json)["target"] == str(path) and all(c.isprintable() or c == "\n" for c in as_json)
