"""The data package in PostgreSQL: one source of truth for several app servers.

Each version of a table is a row of ``table_versions`` holding the table's CSV text
exactly as the file backend would store it, so reading, validation and diffs share
one path with files. ``current_tables`` points at each table's current version;
``audit_log`` has one row per change. A save is one transaction: it locks every
``current_tables`` row (``SELECT ... FOR UPDATE``; saves are rare, and a save to one
table is checked against all the others, so they are serialised like the file
backend's lock), refuses a stale base, validates the whole package as it would be,
then inserts the version, moves the pointer and writes the audit row. A crash or a
``kill -9`` at any moment leaves the old version or the new one, never a mix.

Schema changes go through Alembic (``dashboard/migrations``): ``python -m dashboard
db upgrade``. SQLAlchemy Core and psycopg 3; ``postgresql://`` URLs are accepted as
they are written everywhere else and given psycopg's driver here.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    MetaData,
    Table,
    Text,
    create_engine,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine, Row, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError, ProgrammingError

from .loading import Dataset, load_dataset
from .paths import DESCRIPTOR_NAME, inside
from .problems import FileProblem, Problem
from .reading import FileRows, read_table
from .schema import resource, resources
from .storage import (
    MAX_REASON,
    MAX_USER,
    BadVersion,
    DatabaseError,
    InvalidData,
    NoChange,
    StaleVersion,
    StorageError,
    Version,
    checked_text,
    find_version,
    one_line,
    to_csv_bytes,
    version_of,
)
from .stores import check_package
from .validation import Report, validate_package

metadata = MetaData()

table_versions = Table(
    "table_versions", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("table_name", Text, nullable=False),
    Column("version", Text, nullable=False),  # the SHA-256 prefix of the content, as with files
    Column("content", Text, nullable=False),  # the table's CSV text
    Column("user_name", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_table_versions_table_id", "table_name", "id"),
)

current_tables = Table(
    "current_tables", metadata,
    Column("table_name", Text, primary_key=True),
    Column("version_id", BigInteger, ForeignKey("table_versions.id"), nullable=False),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("user_name", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("table_name", Text, nullable=False),
    Column("version", Text, nullable=False),
    Column("previous", Text, nullable=True),
    Column("reason", Text, nullable=False),
)

sign_in_failures = Table(
    "sign_in_failures", metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("key", Text, nullable=False),
    Column("failed_at", DateTime(timezone=True), nullable=False),
    Index("ix_sign_in_failures_key_time", "key", "failed_at"),
)

MIGRATIONS = Path(__file__).parent / "migrations"


NOT_A_URL = "(an address that is not a database URL)"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")
_NAME = re.compile(r"[A-Za-z0-9._\-]+")
_HOST = re.compile(r"(?:[A-Za-z0-9._\-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
# Query parameters of libpq that never carry a secret; every other value is hidden.
_PLAIN_PARAMETERS = {"sslmode", "connect_timeout", "application_name", "target_session_attrs", "gssencmode",
                     "channel_binding", "host", "hostaddr", "port", "dbname", "user", "load_balance_hosts"}


def safe_url(url: object) -> str:
    """``url`` as messages and the server log may show it: scheme, user, hosts, ports,
    database and the query's harmless settings; the password and every other part
    that could carry a secret shown as ``***``, wherever it was written.

    Written without a URL parser on purpose: a parser decides where the password
    ends, and an unencoded ``@``, ``:``, ``/``, ``?`` or ``#`` in it made
    SQLAlchemy's put the rest of the password in the host. Here the user part ends
    at the *last* ``@``; when that cannot be told from the query (a ``/``, ``?`` or
    ``#`` before it), nothing after the scheme is shown; and a part is shown only
    when it has the form that part has."""
    if not isinstance(url, str) or "://" not in url:
        return NOT_A_URL
    scheme, rest = url.split("://", 1)
    if not _SCHEME.fullmatch(scheme):
        return NOT_A_URL
    shown = scheme + "://"
    if "@" in rest:
        userinfo, rest = rest.rsplit("@", 1)
        if any(c in userinfo for c in "/?#"):  # an @ in the query, or a password with / ? #
            return shown + "***"
        user, colon, _ = userinfo.partition(":")
        shown += (user if _NAME.fullmatch(user) else "***") + (":***" if colon else "") + "@"
    rest, hash_, _ = rest.partition("#")
    location, question, query = rest.partition("?")
    hosts, slash, database = location.partition("/")
    if hosts:
        shown += hosts if all(_HOST.fullmatch(h) for h in hosts.split(",")) else "***"
    if slash:
        shown += "/" + (database if not database or _NAME.fullmatch(database) else "***")
    if question:
        shown += "?" + "&".join(_parameter(item) for item in query.split("&"))
    return shown + ("#***" if hash_ else "")


def _parameter(item: str) -> str:
    key, equals, value = item.partition("=")
    if not _NAME.fullmatch(key):
        return "***"
    if not equals:
        return key
    plain = key.lower() in _PLAIN_PARAMETERS and (not value or _NAME.fullmatch(value))
    return f"{key}={value if plain else '***'}"


ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5,
                  "connect_args": {"connect_timeout": 5, "application_name": "omik-dashboard"}}


DRIVERS = ("postgresql", "postgresql+psycopg")  # psycopg 3, the one driver installed


def driver_url(url: str) -> str:
    """``url`` as SQLAlchemy needs it for psycopg 3 (``postgresql://`` is written
    everywhere else). ``DatabaseError`` for an address that is not a usable
    PostgreSQL URL, checked before anything connects: one that cannot be parsed (a
    port that is not a number, an unclosed ``[``), another database or driver, or a
    user or password with an unencoded ``@``."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        raise DatabaseError("storage.db_bad_url", url=safe_url(url)) from None
    if parsed.drivername not in DRIVERS:
        raise DatabaseError("storage.db_bad_url", url=safe_url(url))
    if "@" in (parsed.host or ""):
        raise DatabaseError("storage.db_unencoded", url=safe_url(url))
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def engine_for(url: str) -> Engine:
    """An engine for a ``postgresql://`` URL (psycopg 3), with the pool options the
    app uses (``ENGINE_OPTIONS``)."""
    try:
        return create_engine(driver_url(url), **ENGINE_OPTIONS)
    except (ArgumentError, NoSuchModuleError, ValueError, TypeError):
        raise DatabaseError("storage.db_bad_url", url=safe_url(url)) from None


@contextmanager
def plain_errors(url: str) -> Iterator[None]:
    """Turn the database driver's exceptions into one plain ``DatabaseError`` (never
    the driver's own text, which can quote the URL)."""
    try:
        yield
    except ProgrammingError as exc:
        if "does not exist" in str(exc.orig):
            raise DatabaseError("storage.db_not_upgraded", url=safe_url(url)) from None
        raise DatabaseError("storage.db_failed", url=safe_url(url), kind=type(exc.orig).__name__) from None
    except OperationalError:
        raise DatabaseError("storage.db_unreachable", url=safe_url(url)) from None
    except DBAPIError as exc:
        raise DatabaseError("storage.db_failed", url=safe_url(url), kind=type(exc.orig).__name__) from None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    """A timestamp as the file backend writes it (UTC, microseconds)."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def upgrade(engine: Engine) -> None:
    """Create or migrate the schema to the newest revision (Alembic)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def current_rows(conn: Connection, lock: bool = False) -> dict[str, dict]:
    """Every table's current version: ``{name: {"id", "version", "content"}}``.
    ``lock`` first takes the row locks a save needs (in name order, so two savers
    never deadlock); the rows are then read by a second statement, which sees what
    a save that held the locks before committed (a locking read that joins would
    re-check the pointer but not find the new version it points to)."""
    if lock:
        conn.execute(select(current_tables.c.table_name).order_by(current_tables.c.table_name).with_for_update())
    query = (select(current_tables.c.table_name, table_versions.c.id, table_versions.c.version,
                    table_versions.c.content)
             .join(table_versions, table_versions.c.id == current_tables.c.version_id))
    return {r.table_name: {"id": r.id, "version": r.version, "content": r.content}
            for r in conn.execute(query)}


def current_versions(conn: Connection) -> dict[str, str]:
    """``{table: version}``: one indexed query, cheap enough for every page run."""
    query = (select(current_tables.c.table_name, table_versions.c.version)
             .join(table_versions, table_versions.c.id == current_tables.c.version_id))
    return {name: version for name, version in conn.execute(query)}


def insert_version(conn: Connection, name: str, version: str, content: str, user: str, reason: str,
                   action: str, moment: dt.datetime, previous: str | None) -> None:
    """Record a new version of ``name``, make it current and audit it (the caller
    holds the transaction and, for a save, the locks)."""
    new_id = conn.execute(insert(table_versions).values(
        table_name=name, version=version, content=content, user_name=user, reason=reason, action=action,
        created_at=moment).returning(table_versions.c.id)).scalar_one()
    if previous is None:
        conn.execute(insert(current_tables).values(table_name=name, version_id=new_id))
    else:
        conn.execute(update(current_tables).where(current_tables.c.table_name == name).values(version_id=new_id))
    conn.execute(insert(audit_log).values(time=moment, user_name=user, action=action, table_name=name,
                                          version=version, previous=previous, reason=reason))


def history_rows(conn: Connection, name: str) -> Sequence[Row]:
    """Every recorded version of ``name``, oldest first, without content."""
    return conn.execute(select(table_versions.c.version, table_versions.c.user_name, table_versions.c.created_at,
                               table_versions.c.reason, table_versions.c.action)
                        .where(table_versions.c.table_name == name).order_by(table_versions.c.id)).all()


def version_content(conn: Connection, name: str, version: str) -> str | None:
    """The content of the newest recorded version ``version`` (a full id) of ``name``."""
    return conn.execute(select(table_versions.c.content)
                        .where(table_versions.c.table_name == name, table_versions.c.version == version)
                        .order_by(table_versions.c.id.desc()).limit(1)).scalar_one_or_none()


def lock_for_load(conn: Connection) -> None:
    """Serialise ``db load`` runs: the second finds the first's rows and does nothing."""
    conn.execute(text("LOCK TABLE current_tables IN EXCLUSIVE MODE"))


# --- the shared sign-in counter ---------------------------------------------------

class DatabaseLimiter:
    """``auth.MemoryLimiter``'s rule, counted in the database, so that every app
    server sees every failure: five failures for a name from one address pause it on
    all servers. Each attempt is one short transaction, serialised per address by an
    advisory lock (an attempt counts before its password is checked, as in memory);
    failures older than the window are deleted as new ones come in."""

    def __init__(self, store: PostgresStore, clock: Callable[[], dt.datetime] | None = None):
        self.store = store
        self.clock = clock or now

    def attempt(self, name: str, address: str) -> float:
        from .auth import MAX_FAILURES, MAX_FAILURES_PER_ADDRESS, WINDOW_S

        moment = self.clock()
        since = moment - dt.timedelta(seconds=WINDOW_S)
        limits = ((self._name_key(name, address), MAX_FAILURES), (f"address:{address}", MAX_FAILURES_PER_ADDRESS))
        with self.store.connect(write=True) as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"address:{address}"})
            conn.execute(delete(sign_in_failures).where(sign_in_failures.c.failed_at < since))
            wait = 0.0
            for key, limit in limits:
                times = list(conn.execute(select(sign_in_failures.c.failed_at)
                                          .where(sign_in_failures.c.key == key, sign_in_failures.c.failed_at >= since)
                                          .order_by(sign_in_failures.c.failed_at.desc()).limit(limit)).scalars())
                if len(times) >= limit:
                    wait = max(wait, WINDOW_S - (moment - times[-1]).total_seconds())
            if wait > 0:
                return wait
            conn.execute(insert(sign_in_failures), [{"key": key, "failed_at": moment} for key, _ in limits])
        return 0.0

    def succeeded(self, name: str, address: str) -> None:
        with self.store.connect(write=True) as conn:
            conn.execute(delete(sign_in_failures).where(sign_in_failures.c.key == self._name_key(name, address)))

    @staticmethod
    def _name_key(name: str, address: str) -> str:
        digest = hashlib.blake2b(str(name).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
        return f"name:{digest}:{address}"


def row_count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(current_tables)).scalar_one()


# --- the backend ------------------------------------------------------------------

class PostgresStore:
    """The storage interface (see ``storage``) on PostgreSQL. ``descriptor_dir`` is
    the folder whose ``datapackage.json`` gives the tables' schemas (the code's
    ``data/`` by default): the schema travels with the code, the rows live here."""

    def __init__(self, url: str, descriptor_dir: Path, engine: Engine | None = None):
        self.url = url
        self.descriptor_dir = Path(descriptor_dir)
        self.engine = engine or engine_for(url)

    def __repr__(self) -> str:
        return f"PostgresStore({safe_url(self.url)})"

    @contextmanager
    def connect(self, write: bool = False) -> Iterator[Connection]:
        with plain_errors(self.url):
            with (self.engine.begin() if write else self.engine.connect()) as conn:
                yield conn

    def _file_rows(self, rows: dict[str, dict]) -> dict[str, FileRows]:
        """The stored tables as the reader gives them (one read path with files)."""
        known = {res.name: res for res in resources(self.descriptor_dir)}
        file_rows = {}
        for name, row in rows.items():
            if name in known:
                try:
                    file_rows[name] = read_table(row["content"].encode("utf-8"), known[name].path,
                                                 max_rows=known[name].max_rows)
                except FileProblem:
                    continue  # reported as that table's problem by the validator
        return file_rows

    def fingerprint(self) -> str:
        with self.connect() as conn:
            versions = current_versions(conn)
        return ",".join(f"{name}={versions[name]}" for name in sorted(versions))

    def load_dataset(self) -> Dataset:
        folder = check_package(self.descriptor_dir)
        with self.connect() as conn:
            rows = current_rows(conn)
        return load_dataset(folder, self._file_rows(rows))

    def read_current(self, name: str) -> tuple[str, bytes]:
        resource(name, self.descriptor_dir)  # KeyError for an unknown table
        with self.connect() as conn:
            row = current_rows(conn).get(name)
        if row is None:
            raise DatabaseError("storage.db_empty")
        return row["version"], row["content"].encode("utf-8")

    def package_files(self) -> dict[str, bytes]:
        folder = check_package(self.descriptor_dir)
        with self.connect() as conn:
            rows = current_rows(conn)
        files = {DESCRIPTOR_NAME: (folder / DESCRIPTOR_NAME).read_bytes()}
        for res in resources(self.descriptor_dir):
            if res.name not in rows:
                raise DatabaseError("storage.db_empty")
            files[res.path] = rows[res.name]["content"].encode("utf-8")
        return files

    def current_report(self, replacements: dict[str, FileRows] | None = None) -> Report:
        folder = check_package(self.descriptor_dir)
        with self.connect() as conn:
            file_rows = self._file_rows(current_rows(conn))
        return validate_package(folder, {**file_rows, **(replacements or {})}, read_files=False)

    def save_table(self, name: str, raw: FileRows, user: str, reason: str,
                   expect_version: str | None = None, action: str = "save") -> Version:
        """As ``storage.save_table``, in one transaction (see the module docstring)."""
        user = checked_text(user, "user", MAX_USER)
        reason = checked_text(reason, "reason", MAX_REASON)
        res = resource(name, self.descriptor_dir)
        with self.connect(write=True) as conn:
            rows = current_rows(conn, lock=True)
            if name not in rows:
                raise DatabaseError("storage.db_empty")
            previous = rows[name]["version"]
            if expect_version is not None and expect_version != previous:
                raise StaleVersion("storage.stale", file=res.path, expected=expect_version, current=previous)
            report = validate_package(self.descriptor_dir, {**self._file_rows(rows), name: raw}, read_files=False)
            if not report.valid:
                raise InvalidData(report)
            table = report.tables[name]
            new = to_csv_bytes(table.header, table.rows)
            if new == rows[name]["content"].encode("utf-8"):
                raise NoChange("storage.no_change", table=name, version=previous)
            moment = now()
            entry = Version(version_of(new), user, iso(moment), reason, action)
            insert_version(conn, name, entry.version, new.decode("utf-8"), user, reason, action, moment, previous)
        return entry

    def history(self, name: str) -> list[Version]:
        resource(name, self.descriptor_dir)
        with self.connect() as conn:
            return [Version(r.version, r.user_name, iso(r.created_at), r.reason, r.action)
                    for r in history_rows(conn, name)]

    def version_bytes(self, name: str, version: str) -> bytes:
        resource(name, self.descriptor_dir)
        with self.connect() as conn:
            full = find_version([r.version for r in history_rows(conn, name)], version, name)
            content = version_content(conn, name, full)
        if content is None:  # (find_version found it in the history a moment ago)
            raise BadVersion(f"{name}: no version {version}")
        return content.encode("utf-8")

    def restore(self, name: str, version: str, user: str, reason: str | None = None,
                expect_version: str | None = None) -> Version:
        """As ``storage.restore``: a save of the recorded content, refused on a stale base."""
        data = self.version_bytes(name, version)
        raw = read_table(data, resource(name, self.descriptor_dir).path)
        return self.save_table(name, raw, user, reason or f"restore version {version_of(data)}",
                               expect_version, action="restore")

    def limiter(self) -> DatabaseLimiter:
        return DatabaseLimiter(self)

    def audit(self) -> list[dict]:
        with self.connect() as conn:
            rows = conn.execute(select(audit_log).order_by(audit_log.c.id)).all()
        return [{"time": iso(r.time), "user": r.user_name, "action": r.action, "table": r.table_name,
                 "version": r.version, "previous": r.previous, "reason": r.reason} for r in rows]

    def load_package(self, data_dir: Path, user: str = "(db load)") -> int:
        """Load the tables in ``data_dir`` as the first version of every table.
        Returns the number of tables loaded: 0 when the database already holds every
        table (nothing is done twice). A database that holds the package but not a
        table the schema has since gained (``field_presence``, say) gets that table
        alone, checked with the tables it holds, so an upgrade's ``db load`` adds it
        and changes nothing else. The files are checked against the app's
        schema (``descriptor_dir``), never against a ``datapackage.json`` of their
        own, which could relax it; ``InvalidData`` when they are not valid, and
        ``StorageError`` for a table file that is a link out of ``data_dir``."""
        tables = resources(check_package(self.descriptor_dir))
        files: dict[str, FileRows] = {}
        contents: dict[str, bytes] = {}
        unread: dict[str, Problem] = {}  # by path: the validator would only say "missing"
        for res in tables:
            path = inside(data_dir, res.path)
            if path is None:
                raise StorageError("storage.path_outside", file=one_line(Path(data_dir) / res.path),
                                   table=res.name, path=ascii(res.path), folder=one_line(data_dir))
            if not (path.exists() or path.is_symlink()):
                continue  # the validator reports it missing
            try:
                files[res.name] = read_table(path, max_rows=res.max_rows)
                contents[res.name] = path.read_bytes()
            except FileProblem as exc:
                unread[res.path] = exc.problem
        report = validate_package(self.descriptor_dir, files, read_files=False)
        report.problems = [*unread.values(), *(p for p in report.problems if p.file not in unread)]
        if not report.valid:
            raise InvalidData(report)
        reason = f"loaded from {Path(data_dir).name or data_dir}"
        with self.connect(write=True) as conn:
            lock_for_load(conn)
            held = current_rows(conn) if row_count(conn) else {}
            new = [res for res in tables if res.name not in held]
            if not new:
                return 0
            if held:
                combined = validate_package(self.descriptor_dir, {**self._file_rows(held),
                                                                  **{res.name: files[res.name] for res in new}},
                                            read_files=False)
                if not combined.valid:
                    raise InvalidData(combined)
            moment = now()
            for res in new:
                try:
                    text_ = contents[res.name].decode("utf-8")
                except UnicodeDecodeError:  # a Windows-encoded file: stored as the validator reads it
                    table = report.tables[res.name]
                    text_ = to_csv_bytes(table.header, table.rows).decode("utf-8")
                insert_version(conn, res.name, version_of(text_.encode("utf-8")), text_, user, reason,
                               "original", moment, None)
        return len(new)
