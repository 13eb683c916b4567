"""The data package descriptor: which tables exist and what each column must hold.

``data/datapackage.json`` (Frictionless Data Package with Table Schemas) is the single
source of truth for columns, types, constraints and keys; nothing here repeats it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .paths import DATA_DIR, DESCRIPTOR_NAME

# The most rows of data a table accepts, stated once here and enforced by the reader
# (it stops at the first row past it) and the validator. Every table has under 100
# rows; the limits leave room for years of growth while bounding every page's work.
MAX_ROWS = 5_000
MAX_ROWS_BY_TABLE = {"regions": 100, "municipalities": 500}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    title: str
    description: str
    constraints: dict


@dataclass(frozen=True)
class Resource:
    name: str
    path: str
    title: str
    descriptor: dict

    @property
    def fields(self) -> list[Field]:
        return [
            Field(f["name"], f.get("type", "string"), f.get("title", f["name"]),
                  f.get("description", ""), f.get("constraints", {}))
            for f in self.descriptor["schema"]["fields"]
        ]

    @property
    def max_rows(self) -> int:
        return MAX_ROWS_BY_TABLE.get(self.name, MAX_ROWS)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def primary_key(self) -> list[str]:
        key = self.descriptor["schema"].get("primaryKey", [])
        return [key] if isinstance(key, str) else list(key)


@lru_cache(maxsize=8)
def _read_descriptor(path: str, mtime_ns: int) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def descriptor(data_dir: Path = DATA_DIR) -> dict:
    """The parsed ``datapackage.json`` of ``data_dir`` (re-read when the file changes)."""
    path = Path(data_dir) / DESCRIPTOR_NAME
    return _read_descriptor(str(path), path.stat().st_mtime_ns)


def resources(data_dir: Path = DATA_DIR) -> list[Resource]:
    """Every table of the package, in the descriptor's order."""
    return [Resource(r["name"], r["path"], r.get("title", r["name"]), r)
            for r in descriptor(data_dir)["resources"]]


def resource(name: str, data_dir: Path = DATA_DIR) -> Resource:
    """The table called ``name``; ``KeyError`` if the package has none."""
    for res in resources(data_dir):
        if res.name == name:
            return res
    raise KeyError(name)


def resource_for_filename(filename: str, data_dir: Path = DATA_DIR) -> Resource | None:
    """The table a file belongs to, judged by its name.

    ``offices.csv``, ``Offices.xlsx`` and ``offices (edited).csv`` all match
    ``offices``: the name, lower-cased, must start with the table's name followed by
    the end or a character that cannot be part of a name. ``None`` when nothing matches.
    """
    stem = Path(filename).stem.lower().strip().replace(" ", "_")
    candidates = [
        res for res in resources(data_dir)
        if re.fullmatch(re.escape(res.name) + r"([^a-z0-9].*)?", stem)
    ]
    return max(candidates, key=lambda r: len(r.name), default=None)
