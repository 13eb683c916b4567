"""The one path from the data files to typed tables for the app.

Every page gets its data from ``load_dataset``; every save (a later module) writes
through one function too. Loading validates the package with the same checks as
``python -m dashboard validate``, so a page can say when the files have problems
instead of showing half-read figures silently.
"""
from __future__ import annotations

import functools
import inspect
import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd

from .paths import DATA_DIR, DESCRIPTOR_NAME
from .problems import ERROR, Problem
from .reading import FileRows
from .schema import Resource, resources
from .validation import MAX_DIGITS, PERIOD_COLUMNS, ResourceRows, validate_package

_PANDAS_TYPES = {"integer": "Int64", "number": "Float64"}
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dataset:
    """Every table as a typed DataFrame, plus what validation found."""

    tables: dict[str, pd.DataFrame]
    problems: tuple[Problem, ...]
    # What ``per_dataset`` functions computed from these tables, by function and
    # arguments: it stays true as long as this Dataset (one version of the data) lives.
    derived: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def valid(self) -> bool:
        return not any(p.severity == ERROR for p in self.problems)

    @property
    def broken_tables(self) -> list[str]:
        """The files with errors, whose tables are shown empty."""
        return sorted({p.file for p in self.problems if p.severity == ERROR})


T = TypeVar("T")
# A bound on one Dataset's memo, far above what the pages ask for (a few hundred:
# views times languages); past it the memo starts again rather than grow.
MAX_DERIVED = 2048


def per_dataset(func: Callable[..., T]) -> Callable[..., T]:
    """``func(data, ...)`` computed once per Dataset and arguments (which must be
    hashable; defaults count as given), and the same object returned after.

    For what depends only on the data version and the view (a chart, the KPIs, in
    a language): the app's Dataset is one shared object per data version
    (``cache.dataset``), so each is computed once per version for every session.
    The result is shared too: read-only, like the Dataset.
    """
    signature = inspect.signature(func)

    @functools.wraps(func)
    def memoised(data: Dataset, *args, **kwargs) -> T:
        bound = signature.bind(data, *args, **kwargs)
        bound.apply_defaults()
        key = (func, *list(bound.arguments.values())[1:])
        try:
            return data.derived[key]
        except KeyError:
            pass
        result = func(data, *args, **kwargs)
        if len(data.derived) >= MAX_DERIVED:
            data.derived.clear()
        data.derived[key] = result
        return result

    return memoised


def per_frame(func: Callable[[pd.DataFrame], T]) -> Callable[[pd.DataFrame], T]:
    """``func(frame)`` computed once while ``frame`` lives, and the same object
    returned for it after.

    For what is derived from the frames pages show again and again: the dataset's
    tables, figure tables and charts' data are shared read-only objects that live
    as long as their data version, so the work is done once per version; a frame
    made for one run is worked on for that run only, and its entry goes with it.
    """
    done: dict[int, tuple[weakref.ref, T]] = {}

    @functools.wraps(func)
    def memoised(frame: pd.DataFrame) -> T:
        key = id(frame)
        known = done.get(key)
        if known is not None and known[0]() is frame:
            return known[1]
        result = func(frame)
        # The entry goes when its frame does, before the id can be another frame's.
        done[key] = (weakref.ref(frame, lambda _: done.pop(key, None)), result)
        return result

    return memoised


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


def to_frame(table: ResourceRows) -> pd.DataFrame:
    """A table's text rows as a DataFrame typed by its schema (integer → Int64,
    number → Float64, text → str with empty cells as missing)."""
    frame = pd.DataFrame(table.rows, columns=table.header, dtype="object")
    for fld in table.resource.fields:
        column = frame[fld.name].replace("", None)
        if fld.type in _PANDAS_TYPES:
            # "raise": a cell pandas cannot read ("1_000") must not become a missing figure.
            column = pd.to_numeric(column, errors="raise").astype(_PANDAS_TYPES[fld.type])
            if fld.type == "number":
                column = column + 0.0  # "-0" is zero: shown as "0", not "-0"
        frame[fld.name] = column
    return frame


def check_shown(frame: pd.DataFrame, res: Resource) -> None:
    """Raise if the pages could not show ``frame``: a number that is not finite or
    has more than ``validation.MAX_DIGITS`` digits, or a date or period that the
    pages cannot place on pandas' timeline or age (``provenance``, ``freshness``).
    The validator refuses all of these; this is the second line, for what it misses."""
    from .freshness import OVERDUE_AFTER_MONTHS, add_months  # they import this module
    from .provenance import as_of_bounds

    for fld in res.fields:
        column = frame[fld.name].dropna()
        if fld.type in _PANDAS_TYPES:
            values = column.astype("float64").abs()
            if not (values < 10 ** MAX_DIGITS).all():  # also false for inf and NaN
                raise ValueError(f"{res.name}.{fld.name}: a number the pages cannot show")
        elif fld.type == "date" or fld.name in PERIOD_COLUMNS:
            earliest, latest = pd.Timestamp.min.date(), pd.Timestamp.max.date()
            for value in column.unique():
                first, last = as_of_bounds(value)
                if not earliest < first <= add_months(last, OVERDUE_AFTER_MONTHS) < latest:
                    raise ValueError(f"{res.name}.{fld.name}: {value!r} is outside the dates the pages can show")


def load_dataset(data_dir: Path = DATA_DIR, file_rows: dict[str, FileRows] | None = None) -> Dataset:
    """Read, validate and type every table of the package in ``data_dir``, or, when
    ``file_rows`` is given (a database's tables, by resource name), those with
    ``data_dir``'s schemas.

    A table with errors (or that cannot be read at all, or shown: ``check_shown``)
    comes back empty with its columns, so pages show an empty state rather than fail
    or show unchecked rows; its problems are in ``problems``, and ``broken_tables``
    names it.
    """
    if file_rows is None:
        report = validate_package(data_dir)
    else:
        report = validate_package(data_dir, file_rows, read_files=False)
    # A table with an error is left out whole: half-checked rows (a duplicate key, a
    # figure without its source) would mislead, and could break the pages that use it.
    broken = {p.file for p in report.problems if p.severity == ERROR}
    frames = {}
    problems = list(report.problems)
    for res in resources(data_dir):
        table = report.tables.get(res.name)
        if table is None or table.source_file in broken:
            table = ResourceRows(res, [], [], res.path)
        try:
            frames[res.name] = to_frame(table)
            check_shown(frames[res.name], res)
        except Exception:  # whatever it is, one table must not take every page down
            logger.exception("table %s passed validation but cannot be shown", res.name)
            problems.append(Problem(table.source_file, "unusable-table"))
            frames[res.name] = to_frame(ResourceRows(res, [], [], res.path))
    return Dataset(frames, tuple(problems))
