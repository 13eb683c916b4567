"""``python -m dashboard``: the command line.

Exit codes: 0 success (for ``validate``: every target valid), 1 invalid data,
2 a usage error (unknown command, option, path or table).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import schema
from .i18n import t
from .paths import DATA_DIR, DESCRIPTOR_NAME
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
    val.add_argument("--resource", metavar="NAME", help="the table a CSV/XLSX file is for (default: from its file name)")
    val.add_argument("--json", action="store_true", help="print the problems as JSON")
    val.set_defaults(handler=cmd_validate)
    return parser


def _package_dir_of(path: Path) -> Path:
    return path.parent if (path.parent / DESCRIPTOR_NAME).exists() else DATA_DIR


def validate_target(path: Path, resource: str | None) -> Report:
    """Validate one command-line target (folder, descriptor or table file)."""
    if not path.exists():
        raise UsageError(t("cli.no_such_path", path=path))
    if path.is_dir():
        return validate_package(path)
    if path.name == DESCRIPTOR_NAME:
        return validate_package(path.parent)
    data_dir = _package_dir_of(path)
    if resource is not None:
        names = [r.name for r in schema.resources(data_dir)]
        if resource not in names:
            raise UsageError(t("cli.unknown_resource", name=resource, tables=", ".join(names)))
    return validate_file(path, resource, data_dir=data_dir)


def cmd_validate(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths] or [DATA_DIR]
    reports = [(path, validate_target(path, args.resource)) for path in paths]
    if args.json:
        out = [{"target": str(path), "valid": rep.valid,
                "problems": [p.as_dict() for p in rep.problems]} for path, rep in reports]
        print(json.dumps(out if len(out) > 1 else out[0], indent=2, ensure_ascii=False))
    else:
        for path, rep in reports:
            for problem in rep.problems:
                print(problem.describe())
            rows = sum(len(tb.rows) for tb in rep.tables.values())
            if not rep.valid:
                print(t("cli.invalid", target=path, errors=len(rep.errors), warnings=len(rep.warnings)))
            elif rep.warnings:
                print(t("cli.warnings_only", target=path, warnings=len(rep.warnings)))
            else:
                print(t("cli.valid", target=path, tables=len(rep.tables), rows=rows))
    return EXIT_OK if all(rep.valid for _, rep in reports) else EXIT_INVALID


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except UsageError as exc:
        print(f"{parser.prog}: {exc}", file=sys.stderr)
        return EXIT_USAGE
