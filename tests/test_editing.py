"""The Update data page's logic as plain data (dashboard.editing, dashboard.diffing's
human terms, dashboard.moves), tested without Streamlit."""
import datetime as dt
import json
import re

import pytest

from dashboard import editing, moves
from dashboard.diffing import (
    change_words,
    counts,
    diff_records,
    highlighted_grid,
    review_frame,
    row_changes,
    summary,
)
from dashboard.freshness import Freshness
from dashboard.loading import load_dataset
from dashboard.paths import DATA_DIR
from dashboard.reading import FileRows
from dashboard.schema import resource
from dashboard.storage import Version, to_csv_bytes

OLD = [{"id": "a", "n": "1", "note": ""}, {"id": "b", "n": "2", "note": "x"}, {"id": "c", "n": "3", "note": ""}]
NEW = [{"id": "a", "n": "1", "note": ""}, {"id": "b", "n": "5", "note": "y"}, {"id": "d", "n": "4", "note": ""}]


@pytest.fixture(scope="module")
def data():
    return load_dataset(DATA_DIR)


# --- diffing in human terms ---------------------------------------------------------

def test_row_changes_group_cells_by_row_then_added_then_removed():
    diff = diff_records(OLD, NEW, ["id"])
    assert [(c.key, c.kind, c.cells) for c in row_changes(diff)] == [
        (("b",), "changed", [("n", "2", "5"), ("note", "x", "y")]),
        (("d",), "added", [("id", "", "d"), ("n", "", "4")]),
        (("c",), "removed", [("id", "c", ""), ("n", "3", "")]),
    ]
    assert counts(diff) == {"added": 1, "changed": 1, "removed": 1, "cells": 2}
    assert summary(diff) == "+1 ~1 −1"


@pytest.mark.parametrize("new, en, sr", [
    ([{**OLD[0], "n": "9"}, *OLD[1:]], "1 cell", "ćelija: 1"),
    (NEW, "1 row added, 2 cells, 1 row removed", "dodatih redova: 1, ćelija: 2, uklonjenih redova: 1"),
    (OLD[:1], "2 rows removed", "uklonjenih redova: 2"),
    (OLD, "no changes", None),
])
def test_change_words(new, en, sr):
    diff = diff_records(OLD, new, ["id"])
    assert change_words(diff) == en
    if sr:
        assert change_words(diff, "sr") == sr


def test_the_review_has_one_line_per_changed_cell_with_titles_and_colours():
    frame, css = review_frame(diff_records(OLD, NEW, ["id"]), {"n": "Number", "id": "Id"})
    assert list(frame.columns) == ["Row", "Change", "Column", "Before", "After"]
    assert frame.values.tolist() == [["b", "changed", "Number", "2", "5"], ["b", "changed", "note", "x", "y"],
                                     ["d", "added", "", "", "Id: d; Number: 4"],
                                     ["c", "removed", "", "Id: c; Number: 3", ""]]
    assert css.shape == frame.shape
    assert "#fde2e1" in css.iloc[0]["Before"] and "#d8f3dc" in css.iloc[0]["After"]  # old red, new green
    assert "#d8f3dc" in css.iloc[2]["Row"] and "#fde2e1" in css.iloc[3]["Row"]
    assert frame.shape == review_frame(diff_records(OLD, NEW, ["id"]), {}, "sq")[0].shape


def test_the_grid_marks_changed_cells_added_rows_and_appends_removed_ones():
    header = ["id", "n", "note"]
    rows = [[r[c] for c in header] for r in NEW]
    frame, css = highlighted_grid(header, rows, diff_records(OLD, NEW, ["id"]), {"n": "Number"})
    assert list(frame.columns) == ["id", "Number", "note"]
    assert frame["id"].tolist() == ["a", "b", "d", "c"]
    assert css.iloc[0].tolist() == ["", "", ""]
    assert css.iloc[1].tolist()[0] == "" and all("#fff3bf" in c for c in css.iloc[1].tolist()[1:])
    assert all("#d8f3dc" in c for c in css.iloc[2]) and all("#fde2e1" in c for c in css.iloc[3])


# --- the to-do --------------------------------------------------------------------

def item(table, status, newest="2020"):
    return Freshness(table, table.title(), "yearly", newest, status)


def test_the_to_do_puts_overdue_first_then_due_then_the_rest_with_the_last_change():
    items = [item("sources", "no_schedule", None), item("budget", "update_due"), item("staffing", "overdue"),
             item("offices", "up_to_date")]
    histories = {"staffing": [Version("a" * 12, "(x)", "2026-01-01T00:00:00+00:00", "original", "original"),
                              Version("b" * 12, "ana", "2026-07-01T10:30:00.000001+00:00", "fact sheet", "save")],
                 "budget": [Version("c" * 12, "(x)", "2026-01-01T00:00:00+00:00", "original", "original")]}
    rows = editing.todo_rows(items, histories)
    assert [r.table for r in rows] == ["staffing", "budget", "sources", "offices"]
    assert rows[0].status_text == "Overdue" and rows[0].newest == "2020"
    assert rows[0].last_change == "2026-07-01 12:30 CEST, ana: fact sheet"  # Kosovo's summer time
    assert rows[1].last_change == rows[2].last_change == "not changed since the package was loaded"
    assert editing.todo_rows(items, histories, "sq")[0].status_text != "Overdue"


@pytest.mark.parametrize("iso, shown", [("2026-12-03T11:50:03.123456+00:00", "2026-12-03 12:50 CET"),
                                        ("2026-06-30T23:30:00+00:00", "2026-07-01 01:30 CEST"),
                                        ("2026-12-03T11:50:00", "2026-12-03 12:50 CET")])
def test_times_are_shown_in_kosovo_with_their_zone(iso, shown):
    assert editing.when_text(iso) == shown
    assert editing.when_text(iso, dt.UTC).endswith("UTC")


# --- the edit grid ----------------------------------------------------------------

def test_offices_columns_have_titles_lists_readable_labels_bounds_and_help(data):
    specs = {s.name: s for s in editing.column_specs(resource("offices"), data)}
    assert specs["municipality_code"].label == "Municipality" and specs["municipality_code"].kind == "select"
    assert specs["municipality_code"].labels["prizren"] == "Prizren"
    assert len(specs["municipality_code"].options) == 38
    assert specs["region_id"].labels["peja"] == "Pejë/Peć"
    assert {"headquarters", "regional_centre", "field_team"} <= set(specs["kind"].options)
    assert specs["kind"].labels["field_team"] == "Field team"
    elections = {s.name: s for s in editing.column_specs(resource("elections"), data)}
    assert elections["kind"].labels["organised"] == "organised"  # another table's "kind": as written
    assert specs["source_id"].kind == specs["location_source_id"].kind == "select"
    assert specs["source_id"].labels["factsheet"].startswith("OSCE Mission in Kosovo")
    assert (specs["lat"].kind, specs["lat"].minimum, specs["lat"].maximum, specs["lat"].integer) == \
           ("number", 41.85, 43.27, False)
    assert specs["id"].kind == "text" and specs["id"].pattern and specs["id"].required
    assert specs["address"].help.startswith("The postal address")
    assert editing.column_specs(resource("offices"), data, "sq")[1].labels["field_team"] != "Field team"


def test_staffing_columns(data):
    specs = {s.name: s for s in editing.column_specs(resource("staffing"), data)}
    assert specs["value"].integer and specs["value"].minimum == 0 and specs["value"].maximum is None
    assert specs["qualifier"].labels == {"exact": "exact", "approximately": "approximately",
                                         "at_least": "at least", "more_than": "more than"}
    assert specs["as_of"].pattern == resource("staffing").field("as_of").constraints["pattern"]


TABLE = FileRows("budget.csv", ["category", "amount", "note"],
                 [["unified_budget", "17462600", "a"], ["supplementary", "1.50", ""], ["x", "lots", "b"]], [2, 3, 4])


def test_the_grid_frame_has_numbers_as_numbers(data):
    frame = editing.grid_frame(TABLE, editing.column_specs(resource("budget"), data))
    assert str(frame["amount"].dtype) == "Float64" and frame["amount"].iloc[0] == 17462600
    assert frame["amount"].isna().iloc[2]  # not a number: empty in the grid, kept as written unless edited
    assert str(frame["category"].dtype) == "string"


@pytest.mark.parametrize("value, text", [(17462700, "17462700"), (17462700.0, "17462700"), (1.5, "1.5"),
                                         (None, ""), (float("nan"), ""), ("12", "12"), (0.1, "0.1"),
                                         (-0.0, "0"), (1e20, "1e+20"), (True, "true")])
def test_cell_text(value, text):
    assert editing.cell_text(value) == text


def test_edits_apply_to_the_tables_own_text():
    edits = {"edited_rows": {0: {"amount": 17462700.0}, "1": {"note": "n"}}, "deleted_rows": [2],
             "added_rows": [{"category": "unified_budget", "amount": 5}]}
    out = editing.apply_edits(TABLE, edits)
    assert out.rows == [["unified_budget", "17462700", "a"], ["supplementary", "1.50", "n"],
                        ["unified_budget", "5", ""]]  # "1.50" untouched: only edited cells change
    assert out.row_numbers == [2, 3, 4] and out.header == TABLE.header
    assert editing.apply_edits(TABLE, {}).rows == TABLE.rows
    assert editing.apply_edits(TABLE, {"edited_rows": {9: {"amount": 1}, 0: {"nope": 1}}}).rows == TABLE.rows



def test_edited_columns_are_the_cells_whose_text_changes():
    edits = {"edited_rows": {0: {"amount": 17462600.0, "note": "b"}, "1": {"amount": None, "note": ""},
                             2: {"category": "x"}, 9: {"amount": 1}},
             "deleted_rows": [1], "added_rows": [{"category": "new"}]}
    # 17462600.0 is the text "17462600" as written, and "x" as it was: not changes
    assert editing.edited_columns(TABLE, edits) == {0: ["note"], 1: ["amount"]}
    assert editing.edited_columns(TABLE, {}) == {}


def test_the_editor_grid_names_each_rows_changed_columns_in_a_leading_read_only_column(data):
    frame = editing.grid_frame(TABLE, editing.column_specs(resource("budget"), data))
    titles = {"amount": "Amount", "note": "Note"}
    styler = editing.marked_grid(frame, {0: ["amount", "note"], 2: ["note"]}, titles)
    assert list(styler.data.columns) == [editing.MARK, *frame.columns]
    html = styler.set_uuid("g").to_html()
    assert "✎ Amount, Note" in html and "✎ Note" in html
    style = html.split("</style>")[0]  # the CSS: the marks of rows 0 and 2 coloured, nothing else
    assert "#T_g_row0_col0, #T_g_row2_col0 {" in style and style.count("#T_g_") == 2
    # The data is the same whatever was edited: the editor keeps its identity, and
    # so its pending edits, from one run to the next.
    assert editing.marked_grid(frame, {}, titles).data.equals(styler.data)
    assert styler.data[editing.MARK].eq("").all()


# --- history ----------------------------------------------------------------------

def test_history_summaries_and_table():
    res = resource("budget")
    header = ["category", "amount", "currency", "qualifier", "source_id", "as_of", "note"]
    one = [["unified_budget", "1", "EUR", "exact", "factsheet", "2019", ""]]
    two = one + [["unified_budget", "2", "EUR", "exact", "factsheet", "2020", ""]]
    three = [["unified_budget", "3", "EUR", "exact", "factsheet", "2019", ""]]
    contents = {"v1": to_csv_bytes(header, one), "v2": to_csv_bytes(header, two), "v3": to_csv_bytes(header, three),
                "bad": b"\x00"}
    assert editing.version_summaries(["v1", "v2", "v3", "bad", "v1"], contents.__getitem__, res) == \
           ["", "+1 ~0 −0", "+0 ~1 −1", "", ""]
    versions = [Version("v1", "(x)", "2026-01-01T00:00:00+00:00", "original", "original"),
                Version("v2", "ana", "2026-02-01T00:00:00+00:00", "more", "save"),
                Version("v1", "root", "2026-03-01T00:00:00+00:00", "restore version v1", "restore")]
    frame = editing.history_frame(versions, ["", "+1 ~0 −0", "+0 ~0 −1"], "v1")
    assert list(frame.columns) == ["Current", "When", "Who", "Why", "What was done",
                                   "Change (+ rows added ~ changed − removed)", "Version"]
    assert frame["Current"].tolist() == ["● current", "", ""]  # the newest entry at that version only
    assert frame["What was done"].tolist() == ["Restored", "Saved", "Original"]
    assert frame["When"].iloc[2] == "2026-01-01 01:00 CET"


def test_done_text():
    assert editing.done_text("Offices", "save", "2 cells") == "Offices updated (2 cells)"
    assert editing.done_text("Offices", "restore", "2 cells") == "Offices restored (2 cells)"
    assert editing.done_text("Zyrat", "save", "2 qeliza", "sq") == "Zyrat u përditësua (2 qeliza)"


def test_every_table_names_a_page_that_exists():
    from dashboard.paths import ROOT
    from dashboard.schema import resources

    names = {res.name for res in resources()}
    assert {"offices", "staffing", "budget", "indicators"} <= set(editing.TABLE_PAGES) <= names
    for path, nav in editing.TABLE_PAGES.values():
        assert (ROOT / path).is_file() and nav.startswith("nav.")


# --- moves ------------------------------------------------------------------------

PRIZREN = (42.21389, 20.73972)  # the municipality's seat (geo/municipality_seats.csv)


def test_a_move_within_a_municipality():
    move = moves.office_move(PRIZREN, (42.17, 20.68))
    assert 6800 < move.metres < 7000 and move.direction == "sw" and 215 < move.bearing < 235
    assert (move.from_code, move.to_code) == ("prizren", "prizren")
    assert moves.move_text(move, {"prizren": "Prizren"}) == "moved 6.9 km south-west, still in Prizren"
    assert moves.move_text(move, {"prizren": "Prizren"}, "sr") == \
           "pomereno 6,9 km jugozapadno, i dalje u opštini Prizren"


@pytest.mark.parametrize("after, direction", [((42.30, 20.74), "n"), ((42.21, 20.85), "e"),
                                              ((42.13, 20.74), "s"), ((42.21, 20.62), "w"),
                                              ((42.27, 20.81), "ne"), ((42.16, 20.66), "sw")])
def test_directions(after, direction):
    assert moves.office_move(PRIZREN, after).direction == direction


def test_a_move_between_municipalities_and_short_distances():
    pristina = (42.6629, 21.1655)
    move = moves.office_move(PRIZREN, pristina)
    assert move.to_code == "prishtine" and move.direction == "ne" and 60_000 < move.metres < 70_000
    assert moves.move_text(move, {"prizren": "Prizren", "prishtine": "Prishtinë/Priština"}).endswith(
        "from Prizren to Prishtinë/Priština")
    assert moves.distance_text(350.4) == "350 m" and moves.distance_text(12_000) == "12 km"
    assert moves.distance_text(6_250, "sq") == "6,2 km" or moves.distance_text(6_250, "sq") == "6,3 km"


def test_moved_offices_from_a_diff():
    old = [{"id": "rc-prizren", "lat": "42.21389", "lon": "20.73972", "municipality_code": "prizren"},
           {"id": "ft", "lat": "", "lon": "", "municipality_code": "prizren"},
           {"id": "hq", "lat": "42.66", "lon": "21.16", "municipality_code": "prishtina", "note": ""}]
    new = [{**old[0], "lat": "42.17", "lon": "20.68"}, {**old[1], "lat": "42.3", "lon": "20.74"},
           {**old[2], "note": "renamed"}]
    found = dict(moves.moved_offices(diff_records(old, new, ["id"]), old))
    assert set(found) == {"rc-prizren", "ft"}  # a note change is no move
    assert found["ft"].before == PRIZREN  # it had no point: it moves from its municipality's seat
    assert moves.moved_offices(diff_records(OLD, NEW, ["id"]), OLD) == []
    assert moves.moved_offices(diff_records(old, new, ["id", "lat"]), old) == []


@pytest.mark.parametrize("point, code, precision", [(PRIZREN, "prizren", "town_centre"),
                                                    ((42.2170, 20.7400), "prizren", "town_centre"),  # ~350 m
                                                    ((42.17, 20.68), "prizren", "building"),
                                                    (PRIZREN, None, "building"),
                                                    (PRIZREN, "no-such-code", "building")])
def test_the_precision_defaults_from_the_distance_to_the_town_centre(point, code, precision):
    assert moves.default_precision(*point, code) == precision


def test_the_move_map_shows_both_points_with_escaped_labels():
    from dashboard.maps import map_html

    html = map_html(moves.move_map(moves.office_move(PRIZREN, (42.17, 20.68)), "<b>RC</b>"))
    assert "&lt;b&gt;RC&lt;/b&gt;: before" in html and "<b>RC</b>" not in html
    assert html.count("L.circleMarker") == 2 and "L.polyline" in html
    # zoomed to the two points (about 1 km around them), not to all Kosovo
    bounds = json.loads(re.search(r"L\.latLngBounds\((\[\[.*?\]\])\)", html).group(1))
    assert sum(bounds, []) == pytest.approx([42.16, 20.67, 42.21389 + 0.01, 20.73972 + 0.01])
    assert html.count(".fitBounds(") == 1 and "maxZoom: maxZoom" in html and ", 8, 14);" in html
    assert "L.geoJson(" not in html  # no data given: the points alone


def test_the_move_map_shows_the_municipalities_around_the_move():
    from dashboard.maps import map_html

    html = map_html(moves.move_map(moves.office_move(PRIZREN, (42.17, 20.68)), "RC", data=load_dataset(DATA_DIR)))
    assert html.count("L.geoJson(") == 1 and html.count('"type": "Feature"') == 38
    assert "omikSelect" not in html  # a map to look at: its clicks select nothing
