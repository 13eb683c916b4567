"""The one path from the data files to typed tables for the app.

Every page gets its data from ``load_dataset``; every save (a later module) writes
through one function too. Loading validates the package with the same checks as
``python -m dashboard validate``, so a page can say when the files have problems
instead of showing half-read figures silently.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .paths import DATA_DIR, DESCRIPTOR_NAME
from .problems import ERROR, Problem
from .schema import resources
from .reading import RawTable
from .validation import Table, validate_package

_PANDAS_TYPES = {"integer": "Int64", "number": "Float64"}


@dataclass(frozen=True)
class Dataset:
    """Every table as a typed DataFrame, plus what validation found."""

    tables: dict[str, pd.DataFrame]
    problems: tuple[Problem, ...]

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def valid(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def broken_tables(self) -> list[str]:
        """The files with errors, whose tables are shown empty."""
        return sorted({p.file for p in self.problems if p.severity == ERROR})


def fingerprint(data_dir: Path = DATA_DIR) -> str:
    """A SHA-256 over the descriptor and every table file's bytes.

    Content, not modification time: ``git checkout`` and ``cp -p`` can keep an old
    mtime on new content, and the files are small enough to hash on every run.
    """
    digest = hashlib.sha256()
    data_dir = Path(data_dir)
    for path in [data_dir / DESCRIPTOR_NAME, *(data_dir / r.path for r in resources(data_dir))]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    return digest.hexdigest()


def to_frame(table: Table) -> pd.DataFrame:
    """A table's text rows as a DataFrame typed by its schema (integer → Int64,
    number → Float64, text → str with empty cells as missing)."""
    frame = pd.DataFrame(table.rows, columns=table.header, dtype="object")
    for fld in table.resource.fields:
        column = frame[fld.name].replace("", None)
        if fld.type in _PANDAS_TYPES:
            column = pd.to_numeric(column, errors="coerce").astype(_PANDAS_TYPES[fld.type])
        frame[fld.name] = column
    return frame


def load_dataset(data_dir: Path = DATA_DIR, tables: dict[str, RawTable] | None = None) -> Dataset:
    """Read, validate and type every table of the package in ``data_dir``, or, when
    ``tables`` is given (a database's), those tables with ``data_dir``'s schemas.

    A table with errors (or that cannot be read at all) comes back empty with its
    columns, so pages show an empty state rather than fail or show unchecked rows;
    its problems are in ``problems``, and ``broken_tables`` names it.
    """
    report = validate_package(data_dir) if tables is None else validate_package(data_dir, tables, read_files=False)
    # A table with an error is left out whole: half-checked rows (a duplicate key, a
    # figure without its source) would mislead, and could break the pages that use it.
    broken = {p.file for p in report.problems if p.severity == ERROR}
    frames = {}
    for res in resources(data_dir):
        table = report.tables.get(res.name)
        if table is None or table.source_file in broken:
            table = Table(res, [], [], res.path)
        frames[res.name] = to_frame(table)
    return Dataset(frames, tuple(report.problems))
