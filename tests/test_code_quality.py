"""The code passes the lint and type checks configured in pyproject.toml (ruff on
every Python file, mypy on the ``dashboard`` package), so CI fails on a finding."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(tool: str, *args: str) -> subprocess.CompletedProcess:
    executable = BIN / tool
    if not executable.exists():
        pytest.fail(f"{tool} is not installed beside {sys.executable}: run `bash scripts/setup --test`")
    return subprocess.run([str(executable), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_finds_nothing():
    result = run("ruff", "check", "--no-cache", "--output-format", "concise", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_the_package():
    # The cache lives in a temporary folder: a stale one from another checkout cannot hide a finding.
    result = run("mypy", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_checks_can_fail(tmp_path):
    """A file with a finding of each kind makes each tool report it (so a green run
    above means the tools looked, not that they were misconfigured to look at nothing)."""
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\ndef f(x: int) -> str:\n    return x\n", encoding="utf-8")
    assert run("ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(bad)).returncode == 1
    result = run("mypy", "--cache-dir", "/dev/null", "--config-file", str(ROOT / "pyproject.toml"), str(bad))
    assert result.returncode == 1 and "Incompatible return value" in result.stdout
