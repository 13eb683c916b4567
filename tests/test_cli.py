"""`python -m dashboard validate`: exit codes, plain output, JSON."""
import json
import subprocess
import sys

import pytest

from dashboard.cli import main
from dashboard.paths import ROOT

from conftest import FIXTURES


def run(*args):
    return subprocess.run([sys.executable, "-m", "dashboard", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_default_package_is_valid_exit_0():
    result = run("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid (9 tables" in result.stdout


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
