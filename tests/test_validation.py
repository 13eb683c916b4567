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
from dashboard.schema import resources
from dashboard.validation import validate_file, validate_package

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



# NUL is left out: a control character, refused as an error before any warning.
@pytest.mark.parametrize("trigger", [c for c in FORMULA_TRIGGERS if c != "\0"], ids=repr)
def test_text_that_downloads_neutralise_is_warned_about(trigger):
    # Cells typed in the page's editor are not stripped as a file's are: a leading tab
    # or carriage return reaches the validator.
    raw = read_table(DATA_DIR / "offices.csv")
    address = raw.header.index("address")
    rows = [list(row) for row in raw.rows]
    rows[0][address] = trigger + "Rruga 1"
    report = validate_package(DATA_DIR, {"offices": dataclasses.replace(raw, rows=rows)})
    assert [(p.code, p.row, p.column) for p in report.warnings] == [("formula-text", raw.row_numbers[0], "address")]


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
                if key in row:
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
