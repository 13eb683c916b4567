"""dashboard/__init__.py's module map is complete: every module of the package is
named there, and every module it lists exists (so a rename or a new module cannot
leave it behind)."""
import re
from pathlib import Path

import dashboard

PACKAGE = Path(dashboard.__file__).parent


def modules() -> set[str]:
    files = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    migrations = {"migrations"} if (PACKAGE / "migrations" / "env.py").is_file() else set()
    return files | packages | migrations


def test_every_module_is_in_the_map():
    named = set(re.findall(r"``(\w+)``", dashboard.__doc__))
    assert sorted(modules() - named) == []


def test_every_listed_module_exists():
    listed = set(re.findall(r"^- ``(\w+)``", dashboard.__doc__, re.MULTILINE))
    assert listed and sorted(listed - modules()) == []
