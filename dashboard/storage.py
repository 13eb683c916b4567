"""The one way the data files change: validated, atomic, versioned, audited, locked.

A save of table NAME in a data folder, all under an exclusive lock on ``<data>/.lock``
(so two processes never interleave):

1. refuses a user or reason that is empty, too long or not one line of text, a table
   file, history folder or audit file that is a symbolic link (never followed),
   a file that changed since the editor read it (``expect_version``), content that
   is already current (``NoChange``), and a package that would be invalid after the
   change (foreign keys in both directions);
2. writes the new content into ``<data>/.history/NAME/`` as ``<stamp>_<version>.csv``,
   not yet a history entry (the first save also keeps the content it replaces);
3. writes the journal ``<data>/.history/.journal.json``: the entries to add and the
   version they replace;
4. replaces the file atomically (temporary file, fsync, rename, fsync of the folder),
   so a crash at any moment leaves the old file or the new one, never a mix;
5. writes each entry ``<stamp>_<version>.json`` (who, when, why), then appends one JSON
   line to ``<data>/.audit.jsonl``;
6. removes the journal.

A history entry therefore exists only for a file that was replaced. The next save,
or a read of the history that finds a journal or an orphan, resolves what a crash
left, under the lock (``recover``): if the file is at the journal's version, steps
5-6 are completed (without writing an audit line twice), otherwise the journal is
dropped; then orphans (``.*.tmp`` files of ``write_atomic``, content files without
an entry) are removed.

A version is the first 12 hex digits of the SHA-256 of a file's bytes; a command may
name one by a unique prefix of at least 6 of them (``find_version``).
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import time
import unicodedata
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .i18n import DEFAULT_LANG, Msg
from .reading import FileRows, read_table, to_csv_bytes
from .schema import resource
from .validation import Report, validate_package

LOCK_TIMEOUT_S = 30
MAX_USER, MAX_REASON = 200, 500
ORIGINAL_USER = "(before the first recorded save)"
VERSION_PATTERN = re.compile(r"[0-9a-f]{6,12}")


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


class NoChange(StorageError):
    """The table already has this content; nothing was recorded."""


class BadVersion(StorageError):
    """A requested version id that is not of the form a version has."""


class DatabaseError(StorageError):
    """The database backend could not be used (``postgres``): one plain line, with
    any password left out of the address."""


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


def one_line(text: object) -> str:
    """``text`` safe to print on one line: control characters, line and paragraph
    separators and other invisible characters escaped as Python writes them
    (``\\n``, ``\\u2028``), so a stored value can never forge extra lines."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))


def checked_text(value: str, field: str, limit: int) -> str:
    """``value`` stripped, if it is fit for history and audit (one line of at most
    ``limit`` characters); ``field`` is "user" or "reason"."""
    value = value.strip()
    if not value:
        raise StorageError(f"storage.no_{field}")
    for position, char in enumerate(value, 1):
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            raise StorageError(f"storage.{field}_control", char=one_line(char), position=position)
    if len(value) > limit:
        raise StorageError(f"storage.{field}_too_long", length=len(value), limit=limit)
    return value


def find_version(recorded: Iterable[str], requested: str, table: str) -> str:
    """The one recorded version id that ``requested`` names: the full id or a
    prefix of at least 6 hex digits that no other recorded version shares."""
    if not VERSION_PATTERN.fullmatch(requested):
        shown = one_line(requested)
        raise BadVersion("storage.bad_version", table=table,
                         version=shown if len(shown) <= 40 else shown[:40] + "…")
    candidates = sorted({v for v in recorded if v.startswith(requested)})
    if not candidates:
        raise StorageError("storage.no_version", table=table, version=requested)
    if len(candidates) > 1:
        raise StorageError("storage.ambiguous_version", table=table, version=requested,
                           candidates=", ".join(candidates))
    return candidates[0]


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


def _fsync_dir(folder: Path) -> None:
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers and crashes only ever see the
    old or the new content."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _history_root(data_dir: Path) -> Path:
    return Path(data_dir) / ".history"


def _history_dir(data_dir: Path, name: str) -> Path:
    return _history_root(data_dir) / name


def _journal_path(data_dir: Path) -> Path:
    return _history_root(data_dir) / ".journal.json"


def _stem(entry: Version) -> str:
    """The file name (without extension) of an entry and its content."""
    return f"{entry.time.replace(':', '').replace('-', '').replace('+0000', 'Z')}_{entry.version}"


def _new_entry(data: bytes, user: str, reason: str, action: str, moment: dt.datetime | None = None) -> Version:
    stamp = (moment or dt.datetime.now(dt.UTC)).isoformat(timespec="microseconds")
    return Version(version_of(data), user, stamp, reason, action)


def _original_time(path: Path) -> dt.datetime:
    """When the file a first save replaces was last written (its own time, not the
    save's); never later than now, so that it sorts before the save's entry even
    when the file's clock ran ahead."""
    written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
    return min(written, dt.datetime.now(dt.UTC) - dt.timedelta(microseconds=1))


def _entries(data_dir: Path, name: str) -> list[tuple[Path, Version]]:
    """``(entry file, entry)`` of every recorded version, oldest first."""
    return [(p, Version(**json.loads(p.read_text(encoding="utf-8"))))
            for p in sorted(_history_dir(data_dir, name).glob("*.json"))]


# The steps of a save, one function each so that the tests can crash between them.

def _stage_content(data_dir: Path, name: str, entry: Version, data: bytes) -> None:
    write_atomic(_history_dir(data_dir, name) / f"{_stem(entry)}.csv", data)


def _write_journal(data_dir: Path, journal: dict) -> None:
    write_atomic(_journal_path(data_dir), json.dumps(journal, ensure_ascii=False).encode("utf-8"))


def _replace_table(path: Path, data: bytes) -> None:
    write_atomic(path, data)


def _write_entry(data_dir: Path, name: str, entry: Version) -> None:
    write_atomic(_history_dir(data_dir, name) / f"{_stem(entry)}.json",
                 json.dumps(entry.__dict__, ensure_ascii=False).encode("utf-8"))


def _audit_line(name: str, entry: Version, previous: str) -> dict:
    return {"time": entry.time, "user": entry.user, "action": entry.action, "table": name,
            "version": entry.version, "previous": previous, "reason": entry.reason}


def _audit(data_dir: Path, line: dict) -> None:
    with open(Path(data_dir) / ".audit.jsonl", "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _clear_journal(data_dir: Path) -> None:
    _journal_path(data_dir).unlink()
    _fsync_dir(_history_root(data_dir))


def audit_lines(data_dir: Path) -> list[dict]:
    """The audit log, oldest first (a line torn by a crash mid-write is skipped)."""
    path = Path(data_dir) / ".audit.jsonl"
    if not path.exists():
        return []
    lines = []
    for text in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(text))
        except ValueError:
            continue
    return lines


def _audited(data_dir: Path, line: dict) -> bool:
    key = (line["time"], line["table"], line["version"])
    return any((old.get("time"), old.get("table"), old.get("version")) == key for old in audit_lines(data_dir))


def _complete(data_dir: Path, journal: dict, recovering: bool = False) -> None:
    """Steps 5-6: make the journal's entries visible and audit them. When
    ``recovering``, whatever a crashed save already did is not done twice."""
    name = journal["table"]
    for fields in journal["entries"]:
        entry = Version(**fields)
        if not (recovering and (_history_dir(data_dir, name) / f"{_stem(entry)}.json").exists()):
            _write_entry(data_dir, name, entry)
    line = _audit_line(name, Version(**journal["entries"][-1]), journal["previous"])
    if not (recovering and _audited(data_dir, line)):
        _audit(data_dir, line)
    _clear_journal(data_dir)


def recover(data_dir: Path) -> None:
    """Resolve what a crashed save left behind; call only under ``locked``."""
    data_dir = Path(data_dir)
    journal_path = _journal_path(data_dir)
    if journal_path.exists():
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
        path = data_dir / resource(journal["table"], data_dir).path
        if version_of(path.read_bytes()) == journal["entries"][-1]["version"]:
            _complete(data_dir, journal, recovering=True)
        else:
            _clear_journal(data_dir)
    root = _history_root(data_dir)
    folders = [p for p in root.iterdir() if p.is_dir() and not p.is_symlink()] if root.is_dir() else []
    for folder in [data_dir, root, *folders]:
        for orphan in folder.glob(".*.tmp"):
            orphan.unlink()
    for folder in folders:
        for content in folder.glob("*.csv"):
            if not content.with_suffix(".json").exists():
                content.unlink()


def _refuse_symlinks(data_dir: Path, name: str, path: Path) -> None:
    for candidate in (path, _history_root(data_dir), _history_dir(data_dir, name), Path(data_dir) / ".audit.jsonl"):
        if candidate.is_symlink():
            raise StorageError("storage.symlink", path=candidate.name)


def save_table(data_dir: Path, name: str, raw: FileRows, user: str, reason: str,
               expect_version: str | None = None, action: str = "save") -> Version:
    """Validate and save ``raw`` as table ``name``; see the module's docstring.

    Raises ``StaleVersion`` if the file is no longer at ``expect_version``,
    ``NoChange`` if it already has this content, ``InvalidData`` (with the report)
    if the package would be invalid, and ``StorageError`` for a user or reason that
    is missing or not one short line, or a symbolic link where a file is replaced.
    """
    user = checked_text(user, "user", MAX_USER)
    reason = checked_text(reason, "reason", MAX_REASON)
    data_dir = Path(data_dir)
    path = data_dir / resource(name, data_dir).path
    with locked(data_dir):
        _refuse_symlinks(data_dir, name, path)
        recover(data_dir)
        old = path.read_bytes()
        previous = version_of(old)
        if expect_version is not None and expect_version != previous:
            raise StaleVersion("storage.stale", file=path.name, expected=expect_version, current=previous)
        report = validate_package(data_dir, {name: raw})
        if not report.valid:
            raise InvalidData(report)
        table = report.tables[name]
        new = to_csv_bytes(table.header, table.rows)
        if new == old:
            raise NoChange("storage.no_change", table=name, version=previous)
        folder = _history_dir(data_dir, name)
        folder.mkdir(parents=True, exist_ok=True)
        staged = []
        if not any(folder.glob("*.json")):
            staged.append((_new_entry(old, ORIGINAL_USER, "original", "original", _original_time(path)), old))
        staged.append((_new_entry(new, user, reason, action), new))
        for entry, data in staged:
            _stage_content(data_dir, name, entry, data)
        journal = {"table": name, "previous": previous, "entries": [e.__dict__ for e, _ in staged]}
        _write_journal(data_dir, journal)
        _replace_table(path, new)
        _complete(data_dir, journal)
        return staged[-1][0]


def _leftovers(data_dir: Path, name: str) -> bool:
    """Whether a save of ``name`` is unfinished: running, or crashed."""
    folder = _history_dir(data_dir, name)
    names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    return _journal_path(data_dir).exists() or any(
        n.startswith(".") or (n.endswith(".csv") and f"{n[:-4]}.json" not in names) for n in names)


def _recorded(data_dir: Path, name: str) -> list[tuple[Path, Version]]:
    """``_entries``, after waiting for a running save or resolving a crashed one."""
    resource(name, data_dir)  # KeyError for an unknown table
    if _leftovers(data_dir, name):
        with locked(data_dir):
            recover(data_dir)
    return _entries(data_dir, name)


def history(data_dir: Path, name: str) -> list[Version]:
    """Every recorded version of table ``name``, oldest first."""
    return [entry for _, entry in _recorded(data_dir, name)]


def version_bytes(data_dir: Path, name: str, version: str) -> bytes:
    """The content of a recorded version (its full id or a unique prefix of at
    least 6 digits)."""
    entries = _recorded(data_dir, name)
    full = find_version([e.version for _, e in entries], version, name)
    return next(p for p, e in reversed(entries) if e.version == full).with_suffix(".csv").read_bytes()


def restore(data_dir: Path, name: str, version: str, user: str, reason: str | None = None,
            expect_version: str | None = None) -> Version:
    """Make an earlier version current again; recorded as a new version. Like any
    save, it is refused (``StaleVersion``) when the table is no longer at
    ``expect_version``: the editor chose it looking at an older state."""
    data = version_bytes(data_dir, name, version)
    raw = read_table(data, resource(name, data_dir).path)
    return save_table(data_dir, name, raw, user, reason or f"restore version {version_of(data)}",
                      expect_version, action="restore")
