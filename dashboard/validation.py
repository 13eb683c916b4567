"""Checking tables against the data package, with every problem in plain words.

The Table Schema in ``datapackage.json`` does the typing, constraints, primary and
foreign keys (through frictionless); this module reads the files as staff save them,
checks the header itself (frictionless would only say "label mismatch"), adds the
checks a schema cannot express (a point inside Kosovo, formula-like text), and turns
every finding into a ``Problem`` that names file, row, column, value and expectation.
"""
from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from frictionless import Package, Schema
from frictionless import Resource as FlResource

from .export import FORMULA_TRIGGERS
from .geo import contains_point, municipality_codes
from .i18n import DEFAULT_LANG, Msg, catalogue
from .paths import DATA_DIR
from .problems import ERROR, WARNING, FileProblem, Problem, has_errors
from .reading import MAX_COLUMNS, FileRows, cell_text, oversize, read_table, too_large
from .schema import Resource, resource, resource_for_filename, resources

MAX_PROBLEMS_PER_TABLE = 500
_ROW_REF = re.compile(r'position "?(\d+)"?')
# Control characters (C0 but tab and line ends, DEL, C1), and what is not a character
# at all (a lone surrogate: no file holds one, an edit in the page can); the line
# and paragraph separators are _LINE_SEPARATORS, with their own message.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# Vega's expression parser ends a string at these, so a chart whose labels hold one
# is not drawn (a label becomes part of the sort expression); Word and web pages paste them.
_LINE_SEPARATORS = "\x85\u2028\u2029"
# What a number cell may hold: ASCII digits, a sign, a decimal point, an exponent.
# Frictionless takes more (Python's int() and Decimal() read "1_000", "٥", "Infinity",
# "NaN"), which pandas then reads as missing or infinite, or which crash it ("sNaN").
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
# Far above any figure here, and below 2**53: every number is exact as a float, and a
# table's sum of them fits a 64-bit integer.
MAX_DIGITS = 15
# Text columns holding an ISO date, month, year or period (provenance.as_of_bounds).
PERIOD_COLUMNS = ("as_of", "period")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_POINT = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# The years a date may name: pages place dates on pandas' timeline (1677 to 2262),
# and freshness adds months to them.
FIRST_YEAR, LAST_YEAR = 1900, 2100
# What describes a row's coordinates: required with them, left empty without them
# (the map then places the office at its municipality's seat).
COORDINATE_COMPANIONS = ("location_precision", "location_source_id")


@dataclass
class ResourceRows:
    """One resource's rows as text, in its schema's column order, ready to save:
    ``FileRows`` whose header matched the schema (``Report.tables`` holds them by
    resource name). Typed as a DataFrame by ``loading.to_frame``."""

    resource: Resource
    rows: list[list[str]]
    row_numbers: list[int]
    source_file: str

    @property
    def header(self) -> list[str]:
        return self.resource.field_names

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.header, row)) for row in self.rows]


@dataclass
class Report:
    """The outcome of a validation: problems, and the tables that could be read."""

    problems: list[Problem] = field(default_factory=list)
    tables: dict[str, ResourceRows] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not has_errors(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]


def validate_package(data_dir: Path = DATA_DIR, replacements: dict[str, FileRows] | None = None,
                     read_files: bool = True) -> Report:
    """Validate every table of the package in ``data_dir``.

    ``replacements`` maps a table name to a file read elsewhere (an upload, a file
    given on the command line): the package is checked as it would be with that
    file in place, foreign keys in both directions included. With ``read_files``
    false, ``replacements`` is the whole package (a database's tables) and a table
    it lacks is missing, whatever files ``data_dir`` holds.
    """
    replacements = replacements or {}
    report = Report()
    for res in resources(data_dir):
        raw = replacements.get(res.name)
        if raw is None:
            path = Path(data_dir) / res.path
            if not read_files or not path.exists():
                report.problems.append(Problem(res.path, "missing-file"))
                continue
            try:
                raw = read_table(path, max_rows=res.max_rows)
            except FileProblem as exc:
                report.problems.append(exc.problem)
                continue
        table, problems = _conform(raw, res)
        # What cannot be read must not be saved either (an edit in the page, an XLSX
        # that unpacks larger): every save validates here, as stored.
        size = oversize(table.header, table.rows) if table is not None and res.name in replacements else None
        if size is not None:
            problems.append(too_large(raw.filename, size, "too-large-to-save"))
            table = None
        report.problems.extend(problems)
        if table is not None:
            report.tables[res.name] = table
    cell_problems, refused = _cell_checks(report.tables)
    report.problems.extend(cell_problems)
    report.problems.extend(_schema_checks(report.tables, refused))
    for table in report.tables.values():
        report.problems.extend(_extra_checks(table))
    report.problems.sort(key=lambda p: (p.file, p.row or 0, p.severity != ERROR))
    return report


def validate_file(path: Path | bytes, resource_name: str | None = None, filename: str | None = None,
                  data_dir: Path = DATA_DIR) -> Report:
    """Validate one CSV/XLSX file as a replacement for its table in ``data_dir``.

    The table is ``resource_name`` or, if not given, found from the file name.
    """
    name = filename or (Path(path).name if not isinstance(path, (bytes, bytearray)) else "upload")
    if resource_name is None:
        res = resource_for_filename(name, data_dir)
        if res is None:
            return Report([Problem(name, "unknown-table", params={
                "tables": ", ".join(r.name for r in resources(data_dir))})])
    else:
        try:
            res = resource(resource_name, data_dir)
        except KeyError:
            return Report([Problem(name, "unknown-table", params={
                "tables": ", ".join(r.name for r in resources(data_dir))})])
    try:
        raw = read_table(path, name, res.max_rows)
    except FileProblem as exc:
        return Report([exc.problem])
    return validate_package(data_dir, {res.name: raw})


def _conform(raw: FileRows, res: Resource) -> tuple[ResourceRows | None, list[Problem]]:
    """Match the file's columns to the schema's; reorder cells into schema order.

    Column names match ignoring case and surrounding spaces. A missing column makes
    the table unusable (``None``): checking its rows would only repeat that problem.
    """
    # A file stops at these limits when read; an edit in the page does not.
    if len(raw.rows) > res.max_rows:
        return None, [Problem(raw.filename, "too-many-rows", params={"count": len(raw.rows), "limit": res.max_rows})]
    if len(raw.header) > MAX_COLUMNS:
        return None, [Problem(raw.filename, "too-many-columns", row=1, params={"limit": MAX_COLUMNS})]
    problems = _control_characters(raw)
    if any(p.row == 1 for p in problems):
        return None, problems  # the columns cannot be matched; the rows would only repeat that
    problems_with_control = bool(problems)
    expected = res.field_names
    wanted = {n.lower(): n for n in expected}
    positions: dict[str, int] = {}
    if len(raw.header) == 1 and len(expected) > 1:
        return None, [Problem(raw.filename, "not-a-table", params={
            "detail": "", "count": len(expected), "columns": ", ".join(expected)})]
    for i, label in enumerate(raw.header):
        key = label.lstrip("\ufeff").strip().lower()
        if key in wanted and wanted[key] in positions:
            problems.append(Problem(raw.filename, "duplicate-column", row=1, column=label))
        elif key in wanted:
            positions[wanted[key]] = i
        else:
            problems.append(Problem(raw.filename, "unknown-column", row=1, column=label or f"#{i + 1}",
                                    params={"expected": ", ".join(expected)}))
    missing = [n for n in expected if n not in positions]
    for name in missing:
        problems.append(Problem(raw.filename, "missing-column", row=1, column=name,
                                params={"expected": ", ".join(expected)}))
    if missing:
        return None, problems
    rows: list[list[str]] = []
    numeric = {f.name for f in res.fields if f.type in ("number", "integer")}
    for number, cells in zip(raw.row_numbers, raw.rows):
        width = len(raw.header)
        if len(cells) > width and any(cells[width:]):
            problems.append(Problem(raw.filename, "extra-cells", row=number,
                                    value=", ".join(c for c in cells[width:] if c)))
        row = []
        for name in expected:
            i = positions[name]
            # Read as the reader reads a file's cells: an edit in the page is
            # validated as it will read back once saved (a label of only a line break
            # or a zero-width space would be empty, a required cell missing).
            cell = cell_text(cells[i]) if i < len(cells) else ""
            if problems_with_control:  # refused already; other messages must not print the raw character
                cell = _CONTROL.sub(_escape, cell)
            if name in numeric and raw.delimiter == ";" and re.fullmatch(r"-?\d+,\d+", cell):
                cell = cell.replace(",", ".")  # a decimal comma, as European Excel writes it
            row.append(cell)
        rows.append(row)
    return ResourceRows(res, rows, list(raw.row_numbers), raw.filename), problems


def _control_characters(raw: FileRows) -> list[Problem]:
    """Every cell holding a control character (a NUL from a damaged file, a vertical
    tab pasted from Word) or a line separator, by row and column; the value shows
    each as ``\\x..`` or ``\\u....``."""
    problems = []
    for number, cells in zip([1, *raw.row_numbers], [raw.header, *raw.rows]):
        for i, cell in enumerate(cells):
            found = _CONTROL.search(cell)
            if found:
                column = raw.header[i] if i < len(raw.header) else f"#{i + 1}"
                # The text around the first one: a cell can be 100 KB long.
                start, end = max(found.start() - 30, 0), found.end() + 30
                value = "…" * (start > 0) + cell[start:end] + "…" * (end < len(cell))
                code = "line-separator" if found.group() in _LINE_SEPARATORS else "control-character"
                problems.append(Problem(raw.filename, code, row=number,
                                        column=_CONTROL.sub(_escape, column), value=_CONTROL.sub(_escape, value)))
                if len(problems) == MAX_PROBLEMS_PER_TABLE:
                    return problems
    return problems


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _cell_checks(tables: dict[str, ResourceRows]) -> tuple[list[Problem], set[tuple[str, int, str]]]:
    """What frictionless lets through and the pages cannot use: numbers beyond
    ASCII digits (``_NUMBER``) or ``MAX_DIGITS``, dates and periods that match their
    pattern but name no day (``2019-02-30``, ``2019/2018``) or lie outside
    ``FIRST_YEAR``-``LAST_YEAR``. Returns the problems and the cells refused, as
    ``(table, row index, column)``, for ``_schema_checks`` to leave alone."""
    problems: list[Problem] = []
    refused: set[tuple[str, int, str]] = set()
    for name, table in tables.items():
        found_here = 0
        for column, fld in enumerate(table.resource.fields):
            if fld.type in ("integer", "number"):
                check = _number_problem
            elif fld.type == "date":
                check = _date_problem
            elif fld.type == "string" and fld.name in PERIOD_COLUMNS:
                check = _period_problem
            else:
                continue
            for index, row in enumerate(table.rows):
                cell = row[column]
                found = check(cell, fld) if cell else None
                if found is not None:
                    code, expected = found
                    problems.append(Problem(table.source_file, code, row=table.row_numbers[index], column=fld.name,
                                            value=shortened(cell), params={"expected": expected}))
                    refused.add((name, index, fld.name))
                    found_here += 1
                    if found_here == MAX_PROBLEMS_PER_TABLE:
                        break
            if found_here == MAX_PROBLEMS_PER_TABLE:
                break  # the table is refused; its other cells are not typed, nor shown
    return problems, refused


def shortened(value: str, limit: int = 60) -> str:
    """``value`` as a message shows it: its start and end around an ellipsis when it
    is longer than ``limit`` (a number of 5,000 digits, a 100 KB cell)."""
    return value if len(value) <= limit else f"{value[:limit - 20]}…{value[-19:]}"


def _number_problem(cell: str, fld) -> tuple[str, Msg] | None:
    if not (_INTEGER if fld.type == "integer" else _NUMBER).fullmatch(cell):
        return "wrong-type", Msg(_TYPE_EXPECTED[fld.type])
    if fld.type == "integer":  # by its digits: int() refuses more than 4,300 of them
        too_large = len(cell.lstrip("+-").lstrip("0")) > MAX_DIGITS
    else:
        too_large = not math.isfinite(float(cell)) or abs(float(cell)) >= 10 ** MAX_DIGITS
    return ("number-too-large", Msg("expected.digits", digits=MAX_DIGITS)) if too_large else None


def _date_problem(cell: str, fld) -> tuple[str, Msg] | None:
    if not _DATE.fullmatch(cell):  # frictionless also takes 2019-1-5
        return "wrong-type", Msg("expected.date")
    return None if _day(cell, end=False) else ("not-a-date", _real_date())


def _period_problem(cell: str, fld) -> tuple[str, Msg] | None:
    start, _, finish = cell.partition("/")
    if not _POINT.fullmatch(start) or (finish and not _POINT.fullmatch(finish)):
        # Not the column's pattern, which frictionless reports; but a pattern's \d
        # also takes other scripts' digits (٢٠١٩).
        return None if cell.isascii() else ("bad-format", Msg(f"expected.pattern.{fld.name}"))
    first, last = _day(start, end=False), _day(finish or start, end=True)
    return None if first and last and first <= last else ("not-a-date", _real_date())


def _real_date() -> Msg:
    return Msg("expected.real_date", first=FIRST_YEAR, last=LAST_YEAR)


def _day(point: str, end: bool) -> dt.date | None:
    """The first (or, with ``end``, last) day of a year, month or date written as
    ``_POINT``; ``None`` when there is no such day between the years allowed."""
    match = _POINT.fullmatch(point)
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        if month is None:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if day is None:
            return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
        return dt.date(year, month, day)
    except ValueError:  # month 13, 30 February (calendar's IllegalMonthError is one too)
        return None


def _schema_checks(tables: dict[str, ResourceRows], refused: set[tuple[str, int, str]]) -> list[Problem]:
    """Types, constraints, primary and foreign keys, by frictionless. The cells in
    ``refused`` (``_cell_checks``) are reported already: frictionless sees them
    empty, and what it says about them is dropped."""
    fl_resources = []
    for name, table in tables.items():
        schema = dict(table.resource.descriptor["schema"])
        # A foreign key into a table that could not be read cannot be checked; its
        # own problems are reported already.
        schema["foreignKeys"] = [fk for fk in schema.get("foreignKeys", [])
                                 if fk["reference"]["resource"] in tables]
        rows = table.rows
        if any(key[0] == name for key in refused):
            rows = [["" if (name, index, column) in refused else cell for column, cell in zip(table.header, row)]
                    for index, row in enumerate(rows)]
        fl_resources.append(FlResource(name=name, data=[table.header, *rows],
                                       schema=Schema.from_descriptor(schema)))
    report = Package(resources=fl_resources).validate(limit_errors=MAX_PROBLEMS_PER_TABLE)
    problems = []
    for task in report.tasks:
        table = tables[task.name]
        for error in task.errors:
            cell = (task.name, (getattr(error, "row_number", None) or 0) - 2, getattr(error, "field_name", None))
            if cell in refused:
                continue
            problem = _translate(error, table)
            if problem is not None:
                problems.append(problem)
    return problems


def _spreadsheet_row(table: ResourceRows, position: int) -> int:
    """Frictionless counts the header as row 1 of the rows we gave it; map that back
    to the row number in the file (blank rows were dropped before)."""
    return table.row_numbers[position - 2]


def _translate(error, table: ResourceRows) -> Problem | None:
    file = table.source_file
    kind = error.type
    row = _spreadsheet_row(table, error.row_number) if getattr(error, "row_number", None) else None
    if kind in ("type-error", "constraint-error"):
        fld = table.resource.field(error.field_name)
        code, params = _describe_cell_error(kind, fld, error.note)
        return Problem(file, code, row=row, column=fld.name, value=error.cell, params=params)
    if kind in ("primary-key", "unique-error"):
        match = _ROW_REF.search(error.note)
        other = _spreadsheet_row(table, int(match.group(1))) if match else None
        key = table.resource.primary_key if kind == "primary-key" else [error.field_name]
        values = dict(zip(table.header, table.rows[table.row_numbers.index(row)] if row else []))
        return Problem(file, "duplicate-key", row=row, column=", ".join(key),
                       value=", ".join(values[k] for k in key), params={"other_row": other})
    if kind == "foreign-key":
        column = ", ".join(error.field_names)
        ref_field = ", ".join(error.reference_field_names)
        ref_table = f"{error.reference_name}.csv"
        return Problem(file, "foreign-key", row=row, column=column, value=", ".join(error.field_cells),
                       params={"table": ref_table, "ref_column": ref_field,
                               "expected": Msg("expected.listed_in", column=ref_field, table=ref_table)})
    if kind in ("blank-row", "missing-cell", "extra-cell"):
        return None  # handled when the rows were conformed
    return Problem(file, "other", row=row, params={"detail": error.message})


_TYPE_EXPECTED = {
    "integer": "expected.integer",
    "number": "expected.number",
    "date": "expected.date",
    "year": "expected.year",
    "boolean": "expected.boolean",
}


def _constraint_value(note: str) -> str:
    match = re.search(r'is "(.*)"$', note)
    return match.group(1) if match else ""


def _describe_cell_error(kind: str, fld, note: str) -> tuple[str, dict]:
    """The message code and its parameters for a bad cell."""
    if kind == "type-error":
        return "wrong-type", {"expected": Msg(_TYPE_EXPECTED.get(fld.type, "expected.text"))}
    found = re.search(r'constraint "(\w+)"', note)
    constraint = found.group(1) if found else ""
    c = fld.constraints
    if constraint == "required":
        return "required", {"expected": Msg("expected.required")}
    if constraint in ("minimum", "maximum") and fld.name in ("lat", "lon"):
        axis = Msg("expected.latitude" if fld.name == "lat" else "expected.longitude")
        expected = Msg("expected.range", what=axis, minimum=c["minimum"], maximum=c["maximum"])
        return "outside-kosovo", {"expected": expected}
    if constraint == "minimum" and c.get("minimum") == 0:
        return "negative", {"expected": Msg("expected.not_negative")}
    if constraint in ("minimum", "maximum"):
        return "out-of-range", {"expected": Msg("expected.range", what=Msg("expected.a_value"),
                                                  minimum=c.get("minimum", "…"), maximum=c.get("maximum", "…"))}
    if constraint == "enum":
        return "not-allowed", {"expected": Msg("expected.one_of", options=", ".join(map(str, c["enum"])))}
    if constraint == "pattern":
        key = f"expected.pattern.{fld.name}"
        if key in catalogue(DEFAULT_LANG):
            return "bad-format", {"expected": Msg(key)}
        return "bad-format", {"expected": Msg("expected.pattern", pattern=_constraint_value(note))}
    return "constraint", {"expected": f"{constraint} {_constraint_value(note)}"}


def _extra_checks(table: ResourceRows) -> list[Problem]:
    """What a Table Schema cannot say: formula-like text, points outside Kosovo,
    coordinates given by halves, municipality codes the map cannot draw."""
    problems = []
    if table.resource.name == "municipalities":
        drawn = set(municipality_codes())
        code_i = table.header.index("code")
        for number, row in zip(table.row_numbers, table.rows):
            if row[code_i] and row[code_i] not in drawn:
                problems.append(Problem(table.source_file, "no-boundary", row=number, column="code",
                                        value=row[code_i], params={"expected": Msg("expected.boundary_code")}))
    text_columns = [i for i, f in enumerate(table.resource.fields) if f.type == "string"]
    for number, row in zip(table.row_numbers, table.rows):
        for i in text_columns:
            if row[i].startswith(FORMULA_TRIGGERS):
                problems.append(Problem(table.source_file, "formula-text", WARNING, row=number,
                                        column=table.header[i], value=row[i]))
    if {"lat", "lon"} <= set(table.header):
        problems.extend(_coordinate_rule(table))
        lat_i, lon_i = table.header.index("lat"), table.header.index("lon")
        lat_c, lon_c = table.resource.field("lat").constraints, table.resource.field("lon").constraints
        for number, row in zip(table.row_numbers, table.rows):
            if not row[lat_i] or not row[lon_i]:
                continue  # no point to place (see _coordinate_rule)
            try:
                lat, lon = float(row[lat_i]), float(row[lon_i])
            except ValueError:
                continue  # reported as a type error
            in_box = lat_c["minimum"] <= lat <= lat_c["maximum"] and lon_c["minimum"] <= lon <= lon_c["maximum"]
            if in_box and not contains_point(lat, lon):
                problems.append(Problem(table.source_file, "outside-kosovo-outline", row=number,
                                        column="lat, lon", value=f"{lat}, {lon}",
                                        params={"expected": Msg("expected.inside_outline")}))
    return problems


def _coordinate_rule(table: ResourceRows) -> list[Problem]:
    """Latitude and longitude come both or neither; with them, how exact they are
    and where they come from (``COORDINATE_COMPANIONS``) are required. A row with
    neither is placed at its municipality's seat, which the schema requires."""
    problems = []
    lat_i, lon_i = table.header.index("lat"), table.header.index("lon")
    companions = [c for c in COORDINATE_COMPANIONS if c in table.header]
    for number, row in zip(table.row_numbers, table.rows):
        lat, lon = row[lat_i], row[lon_i]
        if bool(lat) != bool(lon):
            problems.append(Problem(table.source_file, "half-coordinates", row=number,
                                    column="lon" if lat else "lat", value=lat or lon))
        elif lat:
            problems.extend(Problem(table.source_file, "needed-with-coordinates", row=number, column=column)
                            for column in companions if not row[table.header.index(column)])
    return problems
