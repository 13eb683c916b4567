"""``python -m dashboard``: the command line.

Exit codes: 0 success (for ``validate``: every target valid; for ``import`` and
``restore``: saved, or no change because the table already had that content; for
``freshness``: no table overdue), 1 invalid data or a refused save (stale base,
unknown or ambiguous version, bad user or reason; for ``freshness``: a table is
overdue), 2 a usage error (unknown command, option, path or table, or a version
that is not 6 to 12 hex digits).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

from . import schema, storage
from .i18n import t
from .paths import DATA_DIR, DESCRIPTOR_NAME, app_data_dir
from .problems import ERROR, FileProblem
from .reading import read_table
from .stores import DATABASE_URL_ENV, Store, check_package, open_store, proposal
from .validation import Report, validate_file, validate_package

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="OSCE Mission in Kosovo dashboard tools.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    val = commands.add_parser("validate", help="check the data package, a datapackage.json, or CSV/XLSX files",
                              description="Check data files and explain every problem in plain words.")
    val.add_argument("paths", nargs="*", metavar="PATH",
                     help="a data folder, a datapackage.json, or a CSV/XLSX file (default: data/)")
    val.add_argument("--resource", metavar="NAME",
                     help="the table a CSV/XLSX file is for (default: from its file name)")
    val.add_argument("--json", action="store_true", help="print the problems as JSON")
    val.add_argument("--lang", default="en", metavar="LANG", help="language of the messages: en, sq or sr (default en)")
    val.set_defaults(handler=cmd_validate)

    imp = commands.add_parser("import", help="validate a CSV/XLSX file and save it as a table (with history)",
                              description="Validate a file against the whole package and save it; "
                                          "nothing changes if it is invalid.")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--resource", metavar="NAME", required=True, help="the table to replace")
    imp.add_argument("--user", required=True, help="who is making the change (recorded)")
    imp.add_argument("--reason", required=True, help="why (recorded)")
    imp.add_argument("--expect-version", metavar="V",
                     help="refuse if the table is no longer at version V "
                          "(default: its version when the command starts)")
    imp.add_argument("--data", metavar="DIR", type=Path, default=None, help="the data folder (default: data/)")
    imp.set_defaults(handler=cmd_import)

    his = commands.add_parser("history", help="list the recorded versions of a table")
    his.add_argument("name", metavar="NAME")
    his.add_argument("--data", metavar="DIR", type=Path, default=None)
    his.set_defaults(handler=cmd_history)

    res = commands.add_parser("restore", help="make an earlier version of a table current again")
    res.add_argument("name", metavar="NAME")
    res.add_argument("version", metavar="VERSION")
    res.add_argument("--user", required=True)
    res.add_argument("--reason", default=None)
    res.add_argument("--expect-version", metavar="V",
                     help="refuse unless the table is still at version V (as import)")
    res.add_argument("--data", metavar="DIR", type=Path, default=None)
    res.set_defaults(handler=cmd_restore)

    dif = commands.add_parser("diff", help="show what saving FILE as table NAME would change")
    dif.add_argument("name", metavar="NAME")
    dif.add_argument("file", metavar="FILE")
    dif.add_argument("--data", metavar="DIR", type=Path, default=None)
    dif.set_defaults(handler=cmd_diff)

    bri = commands.add_parser("briefing", help="write the printable A4 briefing as a PDF",
                              description="Write a 3-6 page A4 briefing: figures with sources, map, staffing, "
                                          "budget, monitoring, milestones, sources.")
    bri.add_argument("--out", required=True, type=Path, metavar="FILE.pdf")
    bri.add_argument("--region", metavar="ID",
                     help="a region id from regions.csv (gjilan, mitrovica, peja, prishtina, prizren)")
    bri.add_argument("--lang", default="en", metavar="LANG", help="interface language (default en)")
    bri.add_argument("--data", metavar="DIR", type=Path, default=None)
    bri.set_defaults(handler=cmd_briefing)

    fre = commands.add_parser("freshness", help="say which tables are up to date, due for an update or overdue",
                              description="Each table's update rule (datapackage.json), newest figure, status and "
                                          "last change. Exit 1 when a table is overdue, so it can be scheduled.")
    fre.add_argument("--json", action="store_true", help="print the statuses as JSON")
    fre.add_argument("--today", metavar="YYYY-MM-DD", type=_date, default=None,
                     help="judge as on this date (default: today)")
    fre.add_argument("--lang", default="en", metavar="LANG", help="language of the table: en, sq or sr (default en)")
    fre.add_argument("--data", metavar="DIR", type=Path, default=None)
    fre.set_defaults(handler=cmd_freshness)

    db = commands.add_parser("db", help="the PostgreSQL backend: upgrade its schema, load or export the package",
                             description=f"Work on the database that ${DATABASE_URL_ENV} names (postgresql://...).")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_commands.add_parser("upgrade", help="create or migrate the schema").set_defaults(handler=cmd_db_upgrade)
    load = db_commands.add_parser("load", help="load a data package as the first version of every table")
    load.add_argument("folder", nargs="?", type=Path, default=DATA_DIR, metavar="DIR", help="default: data/")
    load.set_defaults(handler=cmd_db_load)
    export = db_commands.add_parser("export", help="write the current package to a folder as files")
    export.add_argument("folder", type=Path, metavar="DIR")
    export.set_defaults(handler=cmd_db_export)

    pw = commands.add_parser("hash-password", help="print a bcrypt hash of a password for .streamlit/secrets.toml",
                             description="Reads the password from the terminal (or one line of standard input).")
    pw.set_defaults(handler=cmd_hash_password)
    return parser


def cmd_briefing(args: argparse.Namespace) -> int:
    from .briefing import build_briefing
    from .freshness import package_freshness, store_changes
    from .i18n import languages

    store = _store(args)
    if args.lang not in languages():
        raise UsageError(f"no interface language \"{args.lang}\"; available: {', '.join(languages())}")
    if args.out.suffix.lower() != ".pdf":
        raise UsageError(f"--out must name a .pdf file, not {shown(args.out)}")
    if args.out.is_dir():
        raise UsageError(f"cannot write {shown(args.out)}: it is a folder")
    if not args.out.parent.is_dir():
        raise UsageError(f"cannot write {shown(args.out)}: the folder {shown(args.out.parent)} does not exist")
    try:  # before the PDF is built: a place that cannot be written is known in a moment
        tempfile.NamedTemporaryFile(dir=args.out.parent, prefix=".", suffix=".tmp").close()
    except OSError as exc:
        raise UsageError(f"cannot write {shown(args.out)}: {exc.strerror or type(exc).__name__}") from None
    data = store.load_dataset()
    regions = list(data["regions"]["id"])
    if args.region is not None and args.region not in regions:
        raise UsageError(f"no region \"{args.region}\"; regions: {', '.join(regions)}")
    if not data.valid:
        print(f"warning: the data has {sum(p.severity == ERROR for p in data.problems)} problems; "
              "run `python -m dashboard validate`", file=sys.stderr)
    package_resources = schema.resources(store.descriptor_dir)
    freshness = package_freshness(data, package_resources, dt.date.today(), store_changes(store, package_resources))
    pdf = build_briefing(data, args.region, args.lang, freshness=freshness)
    try:
        storage.write_atomic(args.out, pdf)
    except OSError as exc:  # a read-only or special file system, no permission, no space
        raise UsageError(f"cannot write {shown(args.out)}: {exc.strerror or type(exc).__name__}") from None
    print(f"wrote {shown(args.out)}")
    return EXIT_OK


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def cmd_freshness(args: argparse.Namespace) -> int:
    from .freshness import freshness_frame, package_freshness, store_changes
    from .i18n import languages

    if args.lang not in languages():
        raise UsageError(f"no interface language \"{args.lang}\"; available: {', '.join(languages())}")
    store = _store(args)
    data = store.load_dataset()
    if not data.valid:
        print(f"warning: the data has {sum(p.severity == ERROR for p in data.problems)} problems (a table with "
              "errors counts as empty); run `python -m dashboard validate`", file=sys.stderr)
    package_resources = schema.resources(store.descriptor_dir)
    items = package_freshness(data, package_resources, args.today or dt.date.today(),
                              store_changes(store, package_resources))
    if args.json:
        print(json.dumps([item.as_dict() for item in items], indent=2, ensure_ascii=False))
    else:
        frame = freshness_frame(items, args.lang)
        rows = [list(frame.columns), *frame.astype(str).values.tolist()]
        widths = [max(len(row[i]) for row in rows) for i in range(len(frame.columns))]
        for row in rows:
            print(storage.one_line("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()))
    return EXIT_INVALID if any(item.overdue for item in items) else EXIT_OK


def cmd_hash_password(args: argparse.Namespace) -> int:
    import getpass

    from .auth import hash_password, password_problem

    try:
        password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\r\n")
    except UnicodeDecodeError:
        raise UsageError("the password is not valid text in the terminal's encoding") from None
    problem = password_problem(password)
    if problem:
        raise UsageError(problem)
    print(hash_password(password))
    return EXIT_OK


def shown(path: object) -> str:
    """A path (or any text from outside) as the command line prints it: one line, with
    line breaks, terminal escape sequences and other invisible characters written
    as Python writes them (``\\n``, ``\\x1b``), so a file name cannot forge lines or
    drive the terminal."""
    return storage.one_line(path)


def _store(args) -> Store:
    """The configured backend: the database that $OMIK_DATABASE_URL names, else the
    files in ``--data`` (default: $OMIK_DATA_DIR, else data/)."""
    url = os.environ.get(DATABASE_URL_ENV)
    if url and args.data is not None:
        raise UsageError(f"--data names a folder of files, but ${DATABASE_URL_ENV} is set: the data is in the "
                         "database (unset it to work on files)")
    return open_store(url, check_package(args.data or app_data_dir()))


def _database():
    """The PostgreSQL store that $OMIK_DATABASE_URL names (for the ``db`` commands),
    with the app's schema (``$OMIK_DATA_DIR``, else data/)."""
    from .postgres import PostgresStore

    url = os.environ.get(DATABASE_URL_ENV)
    if not url:
        raise UsageError(f"set {DATABASE_URL_ENV}=postgresql://USER:PASSWORD@HOST:PORT/DATABASE first")
    return PostgresStore(url, check_package(app_data_dir()))


def _table_name(name: str, data_dir: Path) -> str:
    names = [r.name for r in schema.resources(data_dir)]
    if name not in names:
        raise UsageError(t("cli.unknown_resource", name=name, tables=", ".join(names)))
    return name


def _read(path: Path, store: Store, name: str):
    """The file given for table ``name``, read as the page reads an upload (a pipe or
    device is refused by the reader, unopened, as it is by ``validate``)."""
    if not (path.exists() or path.is_symlink()):
        raise UsageError(t("cli.no_such_path", path=shown(path)))
    return read_table(path, max_rows=schema.resource(name, store.descriptor_dir).max_rows)


def _refused(label: object, exc: Exception) -> int:
    """Print why a file or a save was refused, every validation problem first."""
    if isinstance(exc, FileProblem):
        print(shown(exc.problem.describe()))
        return EXIT_INVALID
    if isinstance(exc, storage.DatabaseError):
        raise exc  # not the data's fault: main() says so in one line
    if isinstance(exc, storage.InvalidData):
        for problem in exc.report.problems:
            print(shown(problem.describe()))
    print(f"{shown(label)}: {shown(exc)}")
    return EXIT_INVALID


def cmd_import(args: argparse.Namespace) -> int:
    store = _store(args)
    name = _table_name(args.resource, store.descriptor_dir)
    # Read before the file: an import that lands meanwhile makes this one stale
    # instead of being silently overwritten.
    base = store.read_current(name)[0] if args.expect_version is None else args.expect_version
    try:
        raw = _read(Path(args.file), store, name)
        entry = store.save_table(name, raw, args.user, args.reason, base)
    except storage.NoChange as exc:
        print(exc)
        return EXIT_OK
    except (FileProblem, storage.StorageError) as exc:
        return _refused(args.file, exc)
    print(f"saved {name}: version {entry.version} by {entry.user} ({entry.reason})")
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    store = _store(args)
    name = _table_name(args.name, store.descriptor_dir)
    versions = store.history(name)
    if not versions:
        print(f"{name}: no saves recorded yet (current version {store.read_current(name)[0]})")
    for v in versions:
        # Entries recorded before user and reason were checked may hold line breaks.
        print(storage.one_line(f"{v.version}  {v.time}  {v.action:<8}  {v.user}: {v.reason}"))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    store = _store(args)
    name = _table_name(args.name, store.descriptor_dir)
    # Like import: a save that lands while this runs makes the restore stale.
    base = store.read_current(name)[0] if args.expect_version is None else args.expect_version
    try:
        entry = store.restore(name, args.version, args.user, args.reason, expect_version=base)
    except storage.BadVersion as exc:
        raise UsageError(str(exc)) from None
    except storage.NoChange as exc:
        print(exc)
        return EXIT_OK
    except storage.StorageError as exc:
        return _refused(f"restore of {name} {args.version}", exc)
    print(f"restored {name}: now version {entry.version}")
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    store = _store(args)
    name = _table_name(args.name, store.descriptor_dir)
    try:
        report, diff = proposal(store, name, _read(Path(args.file), store, name))
        if diff is None:
            raise storage.InvalidData(report)
    except (FileProblem, storage.StorageError) as exc:
        return _refused(args.file, exc)
    print("\n".join(diff.lines()))
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from .postgres import plain_errors, safe_url, upgrade

    store = _database()
    with plain_errors(store.url):
        upgrade(store.engine)
    print(f"{safe_url(store.url)}: the schema is up to date")
    return EXIT_OK


def cmd_db_load(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        raise UsageError(f"{shown(args.folder)} is not a folder")
    store = _database()
    try:
        loaded = store.load_package(args.folder)
    except storage.InvalidData as exc:
        return _refused(args.folder, exc)
    if loaded:
        print(f"loaded {loaded} tables from {shown(args.folder)}")
    else:
        print("nothing to do: the database already holds a data package (use `import` to change a table)")
    return EXIT_OK


def cmd_db_export(args: argparse.Namespace) -> int:
    store = _database()
    if args.folder.exists() and not args.folder.is_dir():
        raise UsageError(f"{shown(args.folder)} is not a folder")
    files = store.package_files()
    args.folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        storage.write_atomic(args.folder / name, content)
    print(f"wrote {len(files)} files to {shown(args.folder)}")
    return EXIT_OK


def _package_dir_of(path: Path) -> Path:
    return path.parent if (path.parent / DESCRIPTOR_NAME).exists() else DATA_DIR


def validate_target(path: Path, resource: str | None) -> Report:
    """Validate one command-line target (folder, descriptor or table file). A folder
    whose ``datapackage.json`` is missing, damaged or names a file outside it is a
    ``StorageError`` (one line, exit 2), before any table is read."""
    if not path.exists():
        raise UsageError(t("cli.no_such_path", path=shown(path)))
    if path.is_dir() or path.name == DESCRIPTOR_NAME:
        if resource is not None:
            raise UsageError(f"--resource names the table of a CSV or XLSX file; {shown(path)} is a data package")
        return validate_package(check_package(path if path.is_dir() else path.parent))
    data_dir = check_package(_package_dir_of(path))
    if resource is not None:
        names = [r.name for r in schema.resources(data_dir)]
        if resource not in names:
            raise UsageError(t("cli.unknown_resource", name=shown(resource), tables=", ".join(names)))
    return validate_file(path, resource, data_dir=data_dir)


def cmd_validate(args: argparse.Namespace) -> int:
    from .i18n import languages

    if args.lang not in languages():
        raise UsageError(f"no interface language \"{args.lang}\"; available: {', '.join(languages())}")
    lang = args.lang
    paths = [Path(p) for p in args.paths] or [DATA_DIR]
    reports = [(path, validate_target(path, args.resource)) for path in paths]
    if args.json:
        out = [{"target": str(path), "valid": rep.valid,
                "problems": [p.as_dict(lang) for p in rep.problems]} for path, rep in reports]
        text = json.dumps(out if len(out) > 1 else out[0], indent=2, ensure_ascii=False)
        if not all(c.isprintable() or c == "\n" for c in text):  # escape sequences in a name or value
            text = json.dumps(out if len(out) > 1 else out[0], indent=2)
        print(text)
    else:
        for path, rep in reports:
            for problem in rep.problems:
                print(shown(problem.describe(lang)))
            rows = sum(len(tb.rows) for tb in rep.tables.values())
            if not rep.valid:
                print(t("cli.invalid", lang, target=shown(path), errors=len(rep.errors), warnings=len(rep.warnings)))
            elif rep.warnings:
                print(t("cli.warnings_only", lang, target=shown(path), warnings=len(rep.warnings)))
            else:
                print(t("cli.valid", lang, target=shown(path), tables=len(rep.tables), rows=rows))
    return EXIT_OK if all(rep.valid for _, rep in reports) else EXIT_INVALID


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (UsageError, storage.StorageError) as exc:
        # A database that cannot be used, a data folder whose descriptor cannot be:
        # not a problem of the data given, so one line and the usage exit status.
        print(f"{parser.prog}: {shown(exc)}", file=sys.stderr)
        return EXIT_USAGE
