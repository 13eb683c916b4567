"""The validator: each kind of bad file, located and explained; good files pass."""
import csv
import dataclasses
from typing import get_args

import pytest

from conftest import FIXTURES
from dashboard.export import FORMULA_TRIGGERS
from dashboard.i18n import catalogue, languages
from dashboard.paths import DATA_DIR
from dashboard.problems import Severity
from dashboard.reading import read_table
from dashboard.schema import resource, resources
from dashboard.validation import shortened, validate_file, validate_package

BAD = FIXTURES / "bad"

# file -> (code, row, column) of the one problem it must produce
EXPECTED = {
    "offices_missing_column.csv": ("missing-column", 1, "lat"),
    "offices_unknown_column.csv": ("unknown-column", 1, "colour"),
    "offices_wrong_type.csv": ("wrong-type", 3, "lat"),
    "offices_duplicate_key.csv": ("duplicate-key", 4, "id"),
    "offices_unknown_source.csv": ("foreign-key", 3, "source_id"),
    "offices_unknown_region.csv": ("foreign-key", 3, "region_id"),
    "offices_unknown_municipality.csv": ("foreign-key", 3, "municipality_code"),
    "offices_outside_kosovo.csv": ("outside-kosovo", 3, "lat"),
    "offices_outside_outline.csv": ("outside-kosovo-outline", 3, "lat, lon"),
    "staffing_negative_count.csv": ("negative", 2, "value"),
    "budget_negative_amount.csv": ("negative", 2, "amount"),
    "indicators_unknown_qualifier.csv": ("not-allowed", 2, "qualifier"),
    "budget_bad_as_of.csv": ("bad-format", 2, "as_of"),
    "milestones_missing_source.csv": ("required", 2, "source_id"),
    "offices_empty.csv": ("empty-file", None, None),
    "offices_header_only_blank.csv": ("empty-file", None, None),
    "offices_binary.csv": ("binary-file", None, None),
    "offices_prose.csv": ("not-a-table", None, None),
    "offices_not_really.xlsx": ("bad-xlsx", None, None),
}


def test_every_bad_fixture_has_an_expectation():
    checked_by_their_own_tests = {"offices_formula_text.csv", "offices_swapped_coordinates.csv"}
    assert {p.name for p in BAD.iterdir()} == set(EXPECTED) | checked_by_their_own_tests


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_is_rejected_with_its_location(name):
    report = validate_file(BAD / name)
    assert not report.valid
    code, row, column = EXPECTED[name]
    assert [(p.code, p.row, p.column) for p in report.errors] == [(code, row, column)]
    problem = report.errors[0]
    assert problem.file == name
    text = problem.describe()
    assert text.startswith(f"Error: {name}")
    assert "{" not in text, "a placeholder was left unfilled"


def test_messages_name_the_value_and_what_was_expected():
    problem = validate_file(BAD / "offices_outside_kosovo.csv").errors[0]
    assert problem.value == "45.8"
    assert problem.message() == "45.8 is outside Kosovo: expected a latitude between 41.85 and 43.27."
    fk = validate_file(BAD / "offices_unknown_source.csv").errors[0]
    assert fk.value == "no_such_source"
    assert "sources.csv" in fk.message()
    dup = validate_file(BAD / "offices_duplicate_key.csv").errors[0]
    assert "row 2" in dup.message() and dup.value == "hq"


def test_swapped_coordinates_are_caught_on_both_axes():
    report = validate_file(BAD / "offices_swapped_coordinates.csv")
    assert {(p.code, p.column) for p in report.errors} == {("outside-kosovo", "lat"), ("outside-kosovo", "lon")}


def test_formula_like_text_is_a_warning_and_stays_text():
    report = validate_file(BAD / "offices_formula_text.csv")
    assert report.valid
    [warning] = report.warnings
    assert (warning.code, warning.row, warning.column) == ("formula-text", 2, "address")
    assert report.tables["offices"].rows[0][report.tables["offices"].header.index("address")].startswith("=HYPERLINK")



# NUL is left out: a control character, refused as an error before any warning; a
# tab and a carriage return are spaces, stripped from either end of a cell.
@pytest.mark.parametrize("trigger", [c for c in FORMULA_TRIGGERS if c.isprintable()], ids=repr)
def test_text_that_downloads_neutralise_is_warned_about(trigger):
    raw = read_table(DATA_DIR / "offices.csv")
    address = raw.header.index("address")
    rows = [list(row) for row in raw.rows]
    rows[0][address] = trigger + "Rruga 1"
    report = validate_package(DATA_DIR, {"offices": dataclasses.replace(raw, rows=rows)})
    assert [(p.code, p.row, p.column) for p in report.warnings] == [("formula-text", raw.row_numbers[0], "address")]


@pytest.mark.parametrize("space", ["\t", "\r", "\n", "\r\n", " ", "\u00a0", "\u3000", "\u2003"], ids=repr)
def test_cells_typed_in_the_page_are_checked_as_they_will_read_back(space):
    # Cells typed in the page's editor are not stripped as a file's are: a label of
    # only a line break was valid, and read back empty once saved (#21).
    raw = read_table(DATA_DIR / "offices.csv")
    rows = [list(row) for row in raw.rows]
    rows[0][raw.header.index("address")] = f"{space}=Rruga 1{space}"
    rows[0][raw.header.index("name_en")] = space * 3
    report = validate_package(DATA_DIR, {"offices": dataclasses.replace(raw, rows=rows)})
    assert [(p.code, p.column) for p in report.problems] == [("required", "name_en"), ("formula-text", "address")]
    assert report.tables["offices"].rows[0][raw.header.index("address")] == "=Rruga 1"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200b\u200c "],
                         ids=repr)
def test_a_label_of_characters_that_show_nothing_is_missing(invisible, tmp_path):
    """A zero-width space, joiner or direction mark, pasted alone, looks empty on
    every page: in the page's editor and in a file alike, a required label of only
    those is missing, by row and column; beside visible text they stay as written."""
    raw = read_table(DATA_DIR / "offices.csv")
    rows = [list(row) for row in raw.rows]
    rows[0][raw.header.index("name_en")] = invisible
    rows[1][raw.header.index("name_en")] = f"Zyra{invisible}"
    report = validate_package(DATA_DIR, {"offices": dataclasses.replace(raw, rows=rows)})
    assert [(p.code, p.row, p.column) for p in report.problems] == [("required", raw.row_numbers[0], "name_en")]
    assert report.tables["offices"].rows[1][raw.header.index("name_en")] == f"Zyra{invisible}".strip()
    upload = tmp_path / "offices.csv"
    upload.write_text("\n".join(",".join(f'"{c}"' for c in row) for row in [raw.header, *rows]) + "\n",
                      encoding="utf-8")
    assert [(p.code, p.row, p.column) for p in validate_file(upload).problems] == [("required", 2, "name_en")]


@pytest.mark.parametrize("path", sorted((FIXTURES / "good").iterdir()), ids=lambda p: p.name)
def test_good_files_in_every_accepted_form_are_valid(path):
    report = validate_file(path)
    assert report.problems == []


def test_xlsx_and_csv_give_the_same_rows():
    csv_rows = validate_file(FIXTURES / "good" / "offices_utf8_comma.csv").tables["offices"].rows
    xlsx_rows = validate_file(FIXTURES / "good" / "offices.xlsx").tables["offices"].rows
    assert xlsx_rows == csv_rows


def test_the_embedded_data_package_is_valid():
    report = validate_package(DATA_DIR)
    assert report.problems == []
    assert set(report.tables) == {r.name for r in resources()}


def test_every_row_of_every_table_resolves_its_source():
    source_ids = {row["id"] for row in csv.DictReader(open(DATA_DIR / "sources.csv", encoding="utf-8"))}
    checked = 0
    for res in resources():
        if res.name == "sources":
            continue
        for row in csv.DictReader(open(DATA_DIR / res.path, encoding="utf-8")):
            assert row["source_id"] in source_ids, (res.name, row)
            assert row["as_of"], (res.name, row)
            for key in ("location_source_id",):
                if row.get(key):  # empty for an office placed by its municipality alone
                    assert row[key] in source_ids, (res.name, row)
            checked += 1
    assert checked > 150


def test_removing_a_cited_source_breaks_the_tables_that_cite_it(data_copy):
    rows = list(csv.reader(open(data_copy / "sources.csv", encoding="utf-8")))
    kept = [r for r in rows if r[0] != "booklet_25"]
    with open(data_copy / "sources.csv", "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(kept)
    report = validate_package(data_copy)
    broken = {p.file for p in report.errors if p.code == "foreign-key"}
    assert {"milestones.csv", "heads_of_mission.csv", "indicators.csv"} <= broken


def test_decimal_comma_is_accepted_in_semicolon_files(data_copy):
    path = data_copy / "offices.csv"
    rows = list(csv.reader(open(path, encoding="utf-8")))
    lat = rows[0].index("lat")
    rows[1][lat] = rows[1][lat].replace(".", ",")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows(rows)
    report = validate_package(data_copy)
    assert report.valid
    assert report.tables["offices"].rows[0][lat] == "42.667"


def test_file_name_that_matches_no_table_is_explained():
    report = validate_file(b"id,title\n", filename="minutes.csv")
    [problem] = report.errors
    assert problem.code == "unknown-table" and "offices" in problem.message()


def test_missing_table_file_is_reported(data_copy):
    (data_copy / "budget.csv").unlink()
    report = validate_package(data_copy)
    assert [(p.code, p.file) for p in report.errors] == [("missing-file", "budget.csv")]


def test_municipality_without_boundary_is_an_error(data_copy):
    path = data_copy / "municipalities.csv"
    text = path.read_text(encoding="utf-8").replace("\ndecan,", "\ndecani-old,", 1)
    path.write_text(text, encoding="utf-8")
    codes = {(p.code, p.file) for p in validate_package(data_copy).errors}
    assert ("no-boundary", "municipalities.csv") in codes


def test_every_severity_has_a_label_in_every_language():
    # Problem.describe and the Data page's problem table show ``severity.<value>``.
    for severity in get_args(Severity):
        for lang in languages():
            assert catalogue(lang).get(f"severity.{severity}"), (severity, lang)


# --- values frictionless accepts and the pages could not use (#21) ---------------

def _with_values(table: str, column: str, values: list[str]):
    """``table`` with ``values`` in ``column`` of its first rows (one each), validated
    as a replacement; returns the rows they are in, and the report."""
    raw = read_table(DATA_DIR / resource(table).path)
    i = raw.header.index(column)
    rows = [list(row) for row in raw.rows]
    used = [n for n, row in enumerate(rows) if row[i]][:len(values)]  # an office's lat comes with its lon
    assert len(used) == len(values)
    for n, value in zip(used, values):
        rows[n][i] = value
    return [raw.row_numbers[n] for n in used], validate_package(DATA_DIR, {table: dataclasses.replace(raw, rows=rows)})


def _check_refused(table: str, column: str, expected: dict[str, str]) -> None:
    """Each value of ``expected`` is refused with its code, once, at its row and column."""
    raw = read_table(DATA_DIR / resource(table).path)
    size = sum(bool(row[raw.header.index(column)]) for row in raw.rows)
    values = list(expected)
    for start in range(0, len(values), size):
        chunk = values[start:start + size]
        rows, report = _with_values(table, column, chunk)
        found = sorted((p.row, p.code, p.value) for p in report.errors if p.column == column)
        assert found == sorted(zip(rows, [expected[v] for v in chunk], map(shortened, chunk))), (table, column)
        # The one other error a refused cell may cause: a key with it left empty repeats.
        assert {p.code for p in report.errors if p.column != column} <= {"duplicate-key"}
        for problem in report.errors:
            for lang in languages():
                assert "{" not in problem.describe(lang)


TOO_LARGE, WRONG = "number-too-large", "wrong-type"
BAD_INTEGERS = {
    "9223372036854775808": TOO_LARGE, "9" * 23: TOO_LARGE, "-9223372036854775809": TOO_LARGE,
    "-" + "9" * 23: TOO_LARGE, "1" + "0" * 15: TOO_LARGE, "9" * 5000: TOO_LARGE, "+0001" + "0" * 15: TOO_LARGE,
    "1_000": WRONG, "٥": WRONG, "١٢": WRONG, "１２": WRONG, "۱۲": WRONG, "१२": WRONG, "1e3": WRONG,
    "Infinity": WRONG, "NaN": WRONG, "0x10": WRONG, "1.5": WRONG,
}
BAD_NUMBERS = {
    "Infinity": WRONG, "-Infinity": WRONG, "inf": WRONG, "-inf": WRONG, "NaN": WRONG, "nan": WRONG,
    "sNaN": WRONG, "-NaN": WRONG, "1_000.5": WRONG, "1_000": WRONG, "٥.٥": WRONG, "١٢": WRONG, "１２.５": WRONG,
    "0x1p3": WRONG, "1e400": TOO_LARGE, "-1e400": TOO_LARGE, "1e15": TOO_LARGE, "1000000000000000": TOO_LARGE,
    "9" * 400: TOO_LARGE, "1.7976931348623157e308": TOO_LARGE,
}
NUMBER_FIELDS = [(res.name, f.name, f.type) for res in resources() for f in res.fields
                 if f.type in ("integer", "number")]


@pytest.mark.parametrize("table, column, kind", NUMBER_FIELDS, ids=[f"{t}.{c}" for t, c, _ in NUMBER_FIELDS])
def test_numbers_pandas_cannot_hold_are_refused_in_every_number_column(table, column, kind):
    _check_refused(table, column, BAD_INTEGERS if kind == "integer" else BAD_NUMBERS)


def test_a_long_value_is_shown_by_its_ends():
    assert shortened("1" * 60) == "1" * 60
    assert shortened("1" + "2" * 5000 + "3") == "1" + "2" * 39 + "…" + "2" * 18 + "3"


NOT_A_DATE = "not-a-date"
BAD_PERIODS = {
    "2019-13": NOT_A_DATE, "2019-02-30": NOT_A_DATE, "2023-02-29": NOT_A_DATE, "1900-02-29": NOT_A_DATE,
    "0000": NOT_A_DATE, "2019-00-00": NOT_A_DATE, "2019-00": NOT_A_DATE, "2019-04-31": NOT_A_DATE,
    "9999-99": NOT_A_DATE, "9999": NOT_A_DATE, "9999-12": NOT_A_DATE, "9999-12-31": NOT_A_DATE, "1899": NOT_A_DATE,
    "2101": NOT_A_DATE, "2101-01-01": NOT_A_DATE, "1677-01-01": NOT_A_DATE, "2019/2018": NOT_A_DATE,
    "2019-13/2020": NOT_A_DATE, "2020/2019-12": NOT_A_DATE, "2019-06-02/2019-06-01": NOT_A_DATE,
    "2019/0000": NOT_A_DATE, "2016/9999": NOT_A_DATE,
    "٢٠١٩": "bad-format", "２０１９": "bad-format", "2019/٢٠٢٠": "bad-format", "2019-٠٦": "bad-format",
}
GOOD_PERIODS = ["2024-02-29", "2000-02-29", "1900", "2100-12-31", "2100", "1900-01-01/2100-12-31",
                "2019-06/2019-07", "2019/2019", "2019-12-31/2020-01-01", "2016/2020"]


@pytest.mark.parametrize("table, column", [("indicators", "as_of"), ("indicators", "period"),
                                           ("court_monitoring", "period"), ("court_monitoring", "as_of")])
def test_dates_and_periods_that_name_no_day_are_refused(table, column):
    _check_refused(table, column, BAD_PERIODS)
    rows, report = _with_values(table, column, GOOD_PERIODS)
    assert not [p for p in report.errors if p.column == column]


def test_election_dates_must_be_written_in_full_and_exist():
    _check_refused("elections", "election_date", {
        "2019-1-5": WRONG, "2019-02-30": NOT_A_DATE, "0001-01-01": NOT_A_DATE, "9999-12-31": NOT_A_DATE,
        "1899-12-31": NOT_A_DATE, "٢٠١٩-٠١-٠٥": WRONG, "2019-01-05T00:00": WRONG})


INVISIBLE = dict([("\u2028", "line-separator"), ("\u2029", "line-separator"), ("\x85", "line-separator"),
                  ("\x80", "control-character"), ("\x9b", "control-character"), ("\ud800", "control-character"),
                  ("\udfff", "control-character"), ("\x00", "control-character"), ("\x1b", "control-character")])


@pytest.mark.parametrize("table, column", [("elections", "label_en"), ("indicators", "label_en"),
                                           ("facts", "text_en"), ("milestones", "description_en")])
def test_line_separators_and_other_invisible_characters_are_refused_by_row_and_column(table, column):
    # A line separator in a label stopped the Elections charts from drawing: Vega's
    # expression parser ends a string there, and labels are in the charts' sort.
    values = [f"Label{c}two" for c in INVISIBLE] + list(INVISIBLE)
    rows, report = _with_values(table, column, values)
    codes = list(INVISIBLE.values()) * 2
    found = [p for p in report.errors if p.code != "required"]
    assert sorted((p.row, p.code, p.column) for p in found) == sorted(zip(rows, codes, [column] * len(rows)))
    # A cell of a line separator alone is also empty as it will read back (stripped,
    # as a file's cells are): a required column says so too.
    empty = {row for row, value in zip(rows, values) if not value.strip()}
    assert {p.row for p in report.errors if p.code == "required"} <= empty
    for problem, character in zip(sorted(found, key=lambda p: p.row), INVISIBLE):
        escaped = f"\\x{ord(character):02x}" if ord(character) <= 0xFF else f"\\u{ord(character):04x}"
        assert problem.value == f"Label{escaped}two"
        for lang in languages():
            problem.describe(lang).encode("utf-8")  # nothing unprintable is left in the message


def test_a_table_over_the_read_limit_is_not_saved(data_copy):
    from dashboard import storage
    from dashboard.reading import MAX_FILE_BYTES
    from dashboard.stores import FileStore, proposal

    raw = read_table(data_copy / "offices.csv")
    before = (data_copy / "offices.csv").read_bytes()
    for note in ["x" * (MAX_FILE_BYTES + 1), "é" * (MAX_FILE_BYTES // 2 + 1), '"' * (MAX_FILE_BYTES // 2 + 1)]:
        rows = [list(row) for row in raw.rows]
        rows[0][raw.header.index("note")] = note
        edited = dataclasses.replace(raw, rows=rows)  # as the page's editor makes it: never read from a file
        report, diff = proposal(FileStore(data_copy), "offices", edited)
        assert [p.code for p in report.errors] == ["too-large-to-save"] and diff is None
        assert "MB" in report.errors[0].message() and "5 MB" in report.errors[0].message()
        with pytest.raises(storage.InvalidData):
            storage.save_table(data_copy, "offices", edited, "ana", "a long note")
    assert (data_copy / "offices.csv").read_bytes() == before
    rows = [list(row) for row in raw.rows]
    rows[0][raw.header.index("note")] = "x" * (MAX_FILE_BYTES // 2)  # under the limit: saved, and read back
    storage.save_table(data_copy, "offices", dataclasses.replace(raw, rows=rows), "ana", "a long note")
    assert validate_package(data_copy).valid


def test_a_table_wider_than_a_file_may_be_is_refused():
    from dashboard.reading import MAX_COLUMNS

    raw = read_table(DATA_DIR / "offices.csv")
    wide = dataclasses.replace(raw, header=[*raw.header, *(f"c{i}" for i in range(MAX_COLUMNS))])
    report = validate_package(DATA_DIR, {"offices": wide})
    assert [(p.code, p.row) for p in report.errors] == [("too-many-columns", 1)]


def test_no_store_saves_a_table_over_the_read_limit(store):
    from dashboard import storage
    from dashboard.reading import MAX_FILE_BYTES
    from dashboard.stores import proposal

    before = store.read_current("offices")
    raw = read_table(before[1], "offices.csv")
    rows = [list(row) for row in raw.rows]
    rows[-1][raw.header.index("note")] = "Prishtinë " * (MAX_FILE_BYTES // 10)
    edited = dataclasses.replace(raw, rows=rows)
    report, diff = proposal(store, "offices", edited)
    assert [p.code for p in report.errors] == ["too-large-to-save"] and diff is None
    with pytest.raises(storage.InvalidData):
        store.save_table("offices", edited, "ana", "a long note")
    assert store.read_current("offices") == before
