"""One storage interface, two backends: files (the embedded default) and PostgreSQL.

Everything that reads or changes the data package goes through a ``Store``: the
app's loading and cache, the Update data page, the command line and the briefing.
Which backend runs is configuration only (``open_store``): nothing else knows.

- ``FileStore(data_dir)``: CSV files in a folder, saved under a file lock with
  history and audit beside them (``storage``). One server.
- ``PostgresStore(url, descriptor_dir)``: each table's versions as rows of a
  database (``postgres``). Any number of servers.

Both store a version as the table's CSV text, so reading, validation and diffs share
one path, and both give the same guarantees: a save validates the whole package as
it would be after the change, refuses a stale base, records who, when and why, and
is atomic.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Protocol

from . import auth, storage
from .diffing import TableDiff, diff_records
from .loading import Dataset, fingerprint, load_dataset
from .paths import DESCRIPTOR_NAME, app_data_dir, inside
from .problems import FileProblem
from .reading import FileRows, read_table
from .schema import descriptor, resource, resources
from .validation import Report, validate_package

DATABASE_URL_ENV = "OMIK_DATABASE_URL"


class Store(Protocol):
    """What every backend offers. ``descriptor_dir`` holds the ``datapackage.json``
    that gives the tables and their schemas."""

    descriptor_dir: Path

    def fingerprint(self) -> str:
        """Changes whenever any table changes; cheap enough for every page run."""

    def load_dataset(self) -> Dataset:
        """Every table typed and validated (``loading.load_dataset``)."""

    def read_current(self, name: str) -> tuple[str, bytes]:
        """Table ``name`` now: ``(version, CSV bytes)``."""

    def package_files(self) -> dict[str, bytes]:
        """The package as files: ``datapackage.json`` and each table's current CSV."""

    def current_report(self, replacements: dict[str, FileRows] | None = None) -> Report:
        """The validator's report on the package now (with ``replacements``)."""

    def save_table(self, name: str, raw: FileRows, user: str, reason: str,
                   expect_version: str | None = None, action: str = "save") -> storage.Version:
        """Validate and save (see ``storage.save_table`` for the rules and errors)."""

    def history(self, name: str) -> list[storage.Version]:
        """Every recorded version of ``name``, oldest first."""

    def version_bytes(self, name: str, version: str) -> bytes:
        """A recorded version's content (full id or unique prefix of 6+ digits)."""

    def restore(self, name: str, version: str, user: str, reason: str | None = None,
                expect_version: str | None = None) -> storage.Version:
        """Make a recorded version current again, as a new version; refused like any
        save when the table is no longer at ``expect_version``."""

    def audit(self) -> list[dict]:
        """The audit log, oldest first: ``{time, user, action, table, version,
        previous, reason}`` per change."""

    def limiter(self) -> auth.Limiter:
        """The failed sign-in counter that every server using this store shares."""


def check_package(folder: Path) -> Path:
    """``folder`` if it holds a ``datapackage.json`` this app can read, whose every
    table path names a file inside ``folder`` (``paths.inside``); otherwise
    ``StorageError`` saying so in one line, never a traceback. Every backend checks
    its descriptor folder before using it, and the command line every folder it is
    given."""
    folder = Path(folder)
    if not (folder / DESCRIPTOR_NAME).is_file():
        raise storage.StorageError("storage.no_descriptor", folder=storage.one_line(folder))
    file = storage.one_line(folder / DESCRIPTOR_NAME)
    try:
        package = descriptor(folder)
    except UnicodeDecodeError:
        raise storage.StorageError("storage.descriptor_unusable", file=file, why="it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise storage.StorageError("storage.descriptor_unusable", file=file,
                           why=f"it is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except (OSError, ValueError) as exc:
        raise storage.StorageError("storage.descriptor_unusable", file=file, why=type(exc).__name__) from None
    tables = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(tables, list) or not tables:
        raise storage.StorageError("storage.descriptor_unusable", file=file, why="it lists no tables (\"resources\")")
    for number, table in enumerate(tables, 1):
        if not _usable_table(table):
            raise storage.StorageError("storage.descriptor_unusable", file=file,
                               why=f"table {number} has no name, path or schema with named fields")
        if inside(folder, table["path"]) is None:
            raise storage.StorageError("storage.path_outside", file=file, table=storage.one_line(table["name"]),
                               path=ascii(table["path"]), folder=storage.one_line(folder))
    return folder


def _usable_table(table: object) -> bool:
    # What schema.Resource reads without a check of its own.
    if not (isinstance(table, dict) and isinstance(table.get("name"), str) and isinstance(table.get("path"), str)):
        return False
    table_schema = table.get("schema")
    fields = table_schema.get("fields") if isinstance(table_schema, dict) else None
    return isinstance(fields, list) and all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields)


def proposal(store: Store, name: str, raw: FileRows) -> tuple[Report, TableDiff | None]:
    """What saving ``raw`` as table ``name`` would do: the validator's report on the
    package with it, and (when valid) what it changes, by primary key. The package
    is validated once; the current table is compared as stored (a save stores the
    validator's normalised cells)."""
    report = store.current_report({name: raw})
    if not report.valid or name not in report.tables:
        return report, None
    res = resource(name, store.descriptor_dir)
    try:
        current = read_table(store.read_current(name)[1], res.path)
        before = [dict(zip(current.header, row)) for row in current.rows]
    except FileProblem:  # the stored table became unreadable: everything is new
        before = []
    return report, diff_records(before, report.tables[name].records(), res.primary_key)


class FileStore:
    """The data package as files in ``data_dir`` (see ``storage``). Every call first
    checks the folder (``check_package``): a damaged descriptor or a table path
    leading out of the folder is a ``StorageError``, never a file opened elsewhere."""

    def __init__(self, data_dir: Path):
        self.descriptor_dir = Path(data_dir)

    def __repr__(self) -> str:
        return f"FileStore({self.descriptor_dir})"

    @property
    def _dir(self) -> Path:
        return check_package(self.descriptor_dir)

    def fingerprint(self) -> str:
        return fingerprint(self._dir)

    def load_dataset(self) -> Dataset:
        return load_dataset(self._dir)

    def read_current(self, name: str) -> tuple[str, bytes]:
        return storage.read_current(self._dir, name)

    def package_files(self) -> dict[str, bytes]:
        folder = self._dir
        files = {DESCRIPTOR_NAME: (folder / DESCRIPTOR_NAME).read_bytes()}
        for res in resources(folder):
            files[res.path] = (folder / res.path).read_bytes()
        return files

    def current_report(self, replacements: dict[str, FileRows] | None = None) -> Report:
        return validate_package(self._dir, replacements)

    def save_table(self, name, raw, user, reason, expect_version=None, action="save"):
        return storage.save_table(self._dir, name, raw, user, reason, expect_version, action)

    def history(self, name):
        return storage.history(self._dir, name)

    def version_bytes(self, name, version):
        return storage.version_bytes(self._dir, name, version)

    def restore(self, name, version, user, reason=None, expect_version=None):
        return storage.restore(self._dir, name, version, user, reason, expect_version)

    def audit(self) -> list[dict]:
        return storage.audit_lines(self.descriptor_dir)

    def limiter(self) -> auth.Limiter:
        return auth.LIMITER  # one server: its memory


def open_store(database_url: str | None = None, data_dir: Path | None = None) -> Store:
    """The configured backend: PostgreSQL when ``database_url`` (else
    ``$OMIK_DATABASE_URL``) is set, with the schema from ``data_dir``'s descriptor;
    otherwise the files in ``data_dir`` (default: ``paths.app_data_dir()``)."""
    url = database_url or os.environ.get(DATABASE_URL_ENV) or None
    data_dir = Path(data_dir) if data_dir else app_data_dir()
    if url:
        from .postgres import PostgresStore  # SQLAlchemy only when a database is configured

        return PostgresStore(url, data_dir)
    return FileStore(data_dir)

