"""The one way the data files change: validated, atomic, versioned, audited, locked.

A save of table NAME in a data folder:

1. takes an exclusive lock on ``<data>/.lock`` (so two processes never interleave);
2. refuses if the file changed since the editor read it (``expect_version``);
3. validates the whole package as it would be after the change, foreign keys in both
   directions, and refuses if anything is invalid;
4. keeps the new content in ``<data>/.history/NAME/`` with who, when and why;
5. replaces the file atomically (temporary file, fsync, rename, fsync of the folder),
   so a crash at any moment leaves the old file or the new one, never a mix;
6. appends one JSON line to ``<data>/.audit.jsonl``.

A version is the first 12 hex digits of the SHA-256 of a file's bytes.
"""
from __future__ import annotations

import csv
import datetime as dt
import fcntl
import hashlib
import io
import json
import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .diffing import TableDiff, diff_records
from .i18n import DEFAULT_LANG, Msg
from .reading import RawTable, read_table
from .schema import resource
from .validation import Report, validate_package

LOCK_TIMEOUT_S = 30


class StorageError(Exception):
    """A save that was refused; ``message(lang)`` says why in plain words
    (``str()`` in English)."""

    def __init__(self, key: str, **params: object):
        self.msg = Msg(key, **params)
        super().__init__(self.msg.render())

    def message(self, lang: str = DEFAULT_LANG) -> str:
        return self.msg.render(lang)


class StaleVersion(StorageError):
    pass


class InvalidData(StorageError):
    def __init__(self, report: Report):
        super().__init__("storage.invalid", errors=len(report.errors))
        self.report = report


@dataclass(frozen=True)
class Version:
    version: str
    user: str
    time: str
    reason: str
    action: str  # "save", "restore" or "original"


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def current_version(data_dir: Path, name: str) -> str:
    """The version of table ``name`` as it is on disk now."""
    return read_current(data_dir, name)[0]


def read_current(data_dir: Path, name: str) -> tuple[str, bytes]:
    """Table ``name`` as it is on disk now: ``(version, bytes)``, read once so the
    two always agree."""
    data = (Path(data_dir) / resource(name, data_dir).path).read_bytes()
    return version_of(data), data


def to_csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """The stored form of a table: UTF-8 without BOM, comma-separated, LF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


@contextmanager
def locked(data_dir: Path, timeout: float = LOCK_TIMEOUT_S):
    """Hold the data folder's exclusive lock (``fcntl.flock``) for the block."""
    with open(Path(data_dir) / ".lock", "a+") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StorageError("storage.locked") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers and crashes only ever see the
    old or the new content."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _history_dir(data_dir: Path, name: str) -> Path:
    return Path(data_dir) / ".history" / name


def _record(data_dir: Path, name: str, data: bytes, user: str, reason: str, action: str) -> Version:
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    entry = Version(version_of(data), user, stamp, reason, action)
    folder = _history_dir(data_dir, name)
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{stamp.replace(':', '').replace('-', '').replace('+0000', 'Z')}_{entry.version}"
    write_atomic(folder / f"{base}.csv", data)
    write_atomic(folder / f"{base}.json", json.dumps(entry.__dict__, ensure_ascii=False).encode("utf-8"))
    return entry


def _audit(data_dir: Path, name: str, entry: Version, previous: str) -> None:
    line = json.dumps({"time": entry.time, "user": entry.user, "action": entry.action, "table": name,
                       "version": entry.version, "previous": previous, "reason": entry.reason},
                      ensure_ascii=False)
    with open(Path(data_dir) / ".audit.jsonl", "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def save_table(data_dir: Path, name: str, raw: RawTable, user: str, reason: str,
               expect_version: str | None = None, action: str = "save") -> Version:
    """Validate and save ``raw`` as table ``name``; see the module's docstring.

    Raises ``StaleVersion`` if the file is no longer at ``expect_version``,
    ``InvalidData`` (with the report) if the package would be invalid, and
    ``StorageError`` for a missing user or reason.
    """
    if not user.strip():
        raise StorageError("storage.no_user")
    if not reason.strip():
        raise StorageError("storage.no_reason")
    data_dir = Path(data_dir)
    path = data_dir / resource(name, data_dir).path
    with locked(data_dir):
        old = path.read_bytes()
        previous = version_of(old)
        if expect_version is not None and expect_version != previous:
            raise StaleVersion("storage.stale", file=path.name, expected=expect_version, current=previous)
        report = validate_package(data_dir, {name: raw})
        if not report.valid:
            raise InvalidData(report)
        table = report.tables[name]
        new = to_csv_bytes(table.header, table.rows)
        if not any(_history_dir(data_dir, name).glob("*.csv")):
            _record(data_dir, name, old, "(before the first recorded save)", "original", "original")
        entry = _record(data_dir, name, new, user.strip(), reason.strip(), action)
        write_atomic(path, new)
        _audit(data_dir, name, entry, previous)
        return entry


def history(data_dir: Path, name: str) -> list[Version]:
    """Every recorded version of table ``name``, oldest first."""
    resource(name, data_dir)  # KeyError for an unknown table
    return [Version(**json.loads(p.read_text(encoding="utf-8")))
            for p in sorted(_history_dir(data_dir, name).glob("*.json"))]


def version_bytes(data_dir: Path, name: str, version: str) -> bytes:
    """The content of a recorded version (its full id or a unique prefix)."""
    matches = sorted(_history_dir(data_dir, name).glob(f"*_{version}*.csv"))
    if not matches:
        raise StorageError("storage.no_version", table=name, version=version)
    return matches[-1].read_bytes()


def restore(data_dir: Path, name: str, version: str, user: str, reason: str | None = None) -> Version:
    """Make an earlier version current again; recorded as a new version."""
    data = version_bytes(data_dir, name, version)
    raw = read_table(data, resource(name, data_dir).path)
    return save_table(data_dir, name, raw, user, reason or f"restore version {version}", action="restore")


def diff_against(data_dir: Path, name: str, raw: RawTable) -> TableDiff:
    """What saving ``raw`` as table ``name`` would change, by primary key (cells as
    the validator normalises them)."""
    res = resource(name, data_dir)
    current = validate_package(data_dir).tables.get(name)
    proposed = validate_package(data_dir, {name: raw}).tables.get(name)
    if proposed is None:
        raise StorageError("storage.unreadable", file=raw.filename, table=name)
    return diff_records(current.records() if current else [], proposed.records(), res.primary_key)
