"""The one path from the data files to typed tables for the app.

Every page gets its data from ``load_dataset``; every save (a later module) writes
through one function too. Loading validates the package with the same checks as
``python -m dashboard validate``, so a page can say when the files have problems
instead of showing half-read figures silently.
"""
from __future__ import annotations

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
    """The data version's key: each of the descriptor's and table files' identity on
    disk (inode, size, modification and change time, in nanoseconds). Every page run
    checks it, so it reads no file: a stat per file, where hashing the contents took
    milliseconds per run.

    Safe enough for what changes the files: a save goes through
    ``storage.write_atomic``, which replaces the file (a new inode), as ``git
    checkout`` and most editors do; a write in place changes the size or the
    modification time, and the change time too, which unlike the modification time
    no ``cp -p``, ``touch -r`` or ``rsync -t`` can set back. What is not caught: two
    writes in place of the same size within one tick of the file system's clock
    (milliseconds), the first of them read in between. Where content identity
    matters (a table's versions, a stale base on save) ``storage`` hashes the
    bytes.
    """
    parts = []
    data_dir = Path(data_dir)
    for path in [data_dir / DESCRIPTOR_NAME, *(data_dir / r.path for r in resources(data_dir))]:
        try:
            info = path.stat()
        except FileNotFoundError:
            parts.append(f"{path.name}:missing")
        else:
            parts.append(f"{path.name}:{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}")
    return "|".join(parts)


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
