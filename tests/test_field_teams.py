"""Field teams placed by municipality (drawn at its seat, marked approximate) or by a
click on the Update data page's map (checked and saved like any edit)."""
import csv
import dataclasses
import io
import math

import pandas as pd
import pytest
from jinja2.utils import htmlsafe_json_dumps

from dashboard import storage
from dashboard.details import detail_for
from dashboard.geo import contains_point, municipality_codes
from dashboard.i18n import languages, t
from dashboard.loading import load_dataset
from dashboard.maps import chosen_point_layer, escape, map_html, placing_map, presence_map
from dashboard.offline_assets import local_leaflet_installed
from dashboard.paths import DATA_DIR
from dashboard.places import (
    SEATS_CSV,
    Location,
    coordinate_text,
    municipality_at,
    municipality_seats,
    office_location,
    placed_table,
)
from dashboard.reading import read_table
from dashboard.validation import validate_package
from support.page_assets import asset_links
from test_data_page import PASSWORD, data_page, editor, sign_in
from test_maps import PAYLOADS

HEADER = ("id,kind,name_en,name_sq,name_sr,municipality_code,region_id,lat,lon,location_precision,"
          "location_source_id,address,source_id,as_of,note")
# A field team the sources do not list: test-only rows.
TEAM = {"id": "ft-dragash", "kind": "field_team", "name_en": "Field Team Dragash", "name_sq": "Ekipi Dragash",
        "name_sr": "Tim Dragaš", "municipality_code": "dragash", "region_id": "prizren", "lat": "", "lon": "",
        "location_precision": "", "location_source_id": "", "address": "", "source_id": "factsheet",
        "as_of": "2016/2020", "note": ""}
DRAGASH_SEAT = (42.0265, 20.65333)
# The spreadsheet row of an office row appended to the package's offices.csv (header = row 1).
NEW_ROW = sum(1 for _ in (DATA_DIR / "offices.csv").open(encoding="utf-8")) + 1


@pytest.fixture(scope="module")
def data():
    return load_dataset()


def with_team(data, **cells):
    row = {**TEAM, **cells}
    team = pd.DataFrame([row]).replace({"": pd.NA})
    return dataclasses.replace(data, tables={**data.tables, "offices": pd.concat([data["offices"], team],
                                                                                ignore_index=True)})


def add_office_row(data_dir, **cells) -> None:
    row = {**TEAM, **cells}
    buffer = io.StringIO()
    csv.DictWriter(buffer, HEADER.split(","), lineterminator="\n").writerow(row)
    path = data_dir / "offices.csv"
    path.write_text(path.read_text(encoding="utf-8") + buffer.getvalue(), encoding="utf-8")


def in_popup(text: str, html: str) -> bool:
    """Whether ``text`` is in a popup of the map page (escaped, then written as a JavaScript string)."""
    return htmlsafe_json_dumps(escape(text), ensure_ascii=False)[1:-1] in html


# --- the seats -------------------------------------------------------------------

def test_every_municipality_has_one_seat_inside_kosovo():
    seats = municipality_seats()
    assert sorted(seats) == sorted(municipality_codes())
    with SEATS_CSV.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == 38
    assert all(contains_point(lat, lon) for lat, lon in seats.values())


def test_the_seats_carry_their_licence_and_attribution():
    readme = (SEATS_CSV.parent / "README.md").read_text(encoding="utf-8")
    assert "municipality_seats.csv" in readme and "GeoNames" in readme and "CC BY 4.0" in readme
    assert "GeoNames" in t("map.attribution")


@pytest.mark.parametrize("code", sorted(municipality_seats()))
def test_a_click_at_a_seat_finds_its_municipality(code):
    lat, lon = municipality_seats()[code]
    found = municipality_at(lat, lon)
    if code == "fushe-kosove":  # the GeoNames point lies 370 m inside Obiliq (geo/README.md)
        assert found == "obiliq"
    else:
        assert found == code


@pytest.mark.parametrize("lat, lon", [(44.8, 20.46), (41.99, 21.43), (0, 0), (42.6, 19.0)])
def test_a_point_outside_kosovo_is_in_no_municipality(lat, lon):
    assert municipality_at(lat, lon) is None


def test_a_point_just_outside_the_simplified_border_takes_the_nearest_municipality():
    # 0.005 degrees south of the southernmost vertex: inside the validator's tolerance
    south = min((pt[1], pt[0]) for f in placing_features() for pt in f)
    assert municipality_at(south[0] - 0.005, south[1]) is not None
    assert municipality_at(south[0] - 0.05, south[1]) is None


def placing_features():
    from dashboard.geo import municipality_geojson
    for feature in municipality_geojson()["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            yield polygon[0]


# --- where an office stands ----------------------------------------------------------

@pytest.mark.parametrize("empty", ["", None, math.nan, pd.NA])
def test_an_office_without_coordinates_stands_at_its_seat_approximately(empty):
    office = {"lat": empty, "lon": empty, "municipality_code": "dragash"}
    assert office_location(office) == Location(*DRAGASH_SEAT, True)


def test_an_office_with_coordinates_stands_there():
    assert office_location({"lat": "42.1", "lon": 20.7, "municipality_code": "dragash"}) == Location(42.1, 20.7, False)


@pytest.mark.parametrize("code", ["atlantis", "", None])
def test_an_office_with_neither_is_not_placed(code):
    assert office_location({"lat": "", "lon": "", "municipality_code": code}) is None


def test_a_field_team_with_only_a_municipality_appears_at_its_seat_marked_approximate(data):
    html = map_html(presence_map(with_team(data)))
    assert html.count("L.circleMarker(") == map_html(presence_map(data)).count("L.circleMarker(") + 1
    assert f"[{DRAGASH_SEAT[0]}, {DRAGASH_SEAT[1]}]" in html
    assert escape("Field Team Dragash (approximate location)") in html  # tooltip
    assert in_popup(t("map.approximate_note"), html)


@pytest.mark.parametrize("lang", languages())
def test_approximate_is_said_in_every_language(data, lang):
    html = map_html(presence_map(with_team(data), lang))
    assert in_popup(t("map.approximate_note", lang), html)
    detail = detail_for(with_team(data), "office", "ft-dragash", lang)
    assert (t("detail.location", lang), t("detail.approximate_location", lang)) in detail.facts
    assert t("detail.approximate_location", lang).startswith(
        {"en": "approximate location", "sq": "vendndodhje e përafërt", "sr": "približna lokacija"}[lang])


def test_an_office_with_coordinates_is_not_called_approximate(data):
    placed = data["offices"]["lat"].notna()
    html = map_html(presence_map(dataclasses.replace(data, tables={**data.tables, "offices": data["offices"][placed]})))
    assert not in_popup(t("map.approximate_note"), html)
    assert in_popup(t("map.approximate_note"), map_html(presence_map(data)))  # the Mitrovica North office has no point
    assert ("Location on the map", "the town centre (the building's position is not published)") in \
        detail_for(data, "office", "rc-prizren").facts


@pytest.mark.parametrize("payload", PAYLOADS)
def test_an_approximate_office_is_escaped_like_any(data, payload):
    html = map_html(presence_map(with_team(data, name_en=payload, name_sq=payload, name_sr=payload)))
    assert payload not in html
    assert escape(payload) in html


def test_the_field_teams_measure_counts_a_team_placed_by_municipality(data):
    from dashboard.maps import available_measures, field_teams_per_municipality
    teamed = with_team(data)
    assert field_teams_per_municipality(teamed)["dragash"] == 1
    assert "field_teams" in available_measures(teamed)


# --- the validator -------------------------------------------------------------------

def codes(report):
    return {(p.code, p.row, p.column) for p in report.errors}


def test_a_field_team_with_only_a_municipality_is_valid(data_copy):
    add_office_row(data_copy)
    report = validate_package(data_copy)
    assert report.valid, [p.describe() for p in report.problems]
    assert load_dataset(data_copy)["offices"].iloc[-1]["id"] == "ft-dragash"


@pytest.mark.parametrize("lat, lon, column", [("42.1", "", "lon"), ("", "20.7", "lat")])
def test_half_a_point_is_refused_with_the_rule_in_plain_words(data_copy, lat, lon, column):
    add_office_row(data_copy, lat=lat, lon=lon, location_precision="town_centre", location_source_id="factsheet")
    report = validate_package(data_copy)
    assert codes(report) == {("half-coordinates", NEW_ROW, column)}
    messages = [report.errors[0].message(lang) for lang in languages()]
    assert all((lat or lon) in m for m in messages) and len(set(messages)) == len(messages)
    assert "leave both empty" in messages[0]


@pytest.mark.parametrize("lat, lon, code", [
    ("45.8", "20.7", "outside-kosovo"),          # outside the box
    ("20.7", "42.1", "outside-kosovo"),          # swapped
    ("42.1", "21.7", "outside-kosovo-outline"),  # in the box, outside the outline (North Macedonia)
])
def test_a_point_outside_kosovo_is_refused_even_with_a_municipality(data_copy, lat, lon, code):
    add_office_row(data_copy, lat=lat, lon=lon, location_precision="building", location_source_id="factsheet")
    assert code in {c for c, _, _ in codes(validate_package(data_copy))}


@pytest.mark.parametrize("missing", ["location_precision", "location_source_id"])
def test_coordinates_need_their_precision_and_source(data_copy, missing):
    cells = {"lat": "42.03", "lon": "20.65", "location_precision": "building", "location_source_id": "factsheet"}
    add_office_row(data_copy, **{**cells, missing: ""})
    report = validate_package(data_copy)
    assert codes(report) == {("needed-with-coordinates", NEW_ROW, missing)}
    assert "municipality's seat" in report.errors[0].message()


def test_no_municipality_and_no_point_is_refused(data_copy):
    add_office_row(data_copy, municipality_code="")
    assert ("required", NEW_ROW, "municipality_code") in codes(validate_package(data_copy))


# --- placing by a click ----------------------------------------------------------------

@pytest.fixture
def offices_table(data_copy):
    return read_table(data_copy / "offices.csv")


def records(table):
    return {row[0]: dict(zip(table.header, row)) for row in table.rows}


def test_moving_an_office_changes_only_its_point_and_what_is_given(offices_table):
    moved = placed_table(offices_table, "rc-prizren", 42.2101234, 20.7412345, {"municipality_code": "prizren"})
    before, after = records(offices_table), records(moved)
    assert after["rc-prizren"] == {**before["rc-prizren"], "lat": "42.21012", "lon": "20.74123"}
    assert {k: v for k, v in after.items() if k != "rc-prizren"} == \
        {k: v for k, v in before.items() if k != "rc-prizren"}
    assert moved.row_numbers == offices_table.row_numbers


def test_a_new_field_team_is_appended_and_valid(data_copy, offices_table):
    values = {k: v for k, v in TEAM.items() if k not in ("id", "lat", "lon")}
    values.update(location_precision="town_centre", location_source_id="factsheet")
    candidate = placed_table(offices_table, "ft-dragash", 42.06, 20.65, values, new=True)
    assert candidate.rows[-1][:2] == ["ft-dragash", "field_team"] and candidate.row_numbers[-1] == NEW_ROW
    report = validate_package(data_copy, {"offices": candidate})
    assert report.valid, [p.describe() for p in report.problems]


def test_a_new_team_with_a_taken_id_is_a_duplicate_not_a_move(data_copy, offices_table):
    candidate = placed_table(offices_table, "rc-prizren", 42.06, 20.65, {"kind": "field_team"}, new=True)
    assert [row[1] for row in candidate.rows if row[0] == "rc-prizren"] == ["regional_centre", "field_team"]
    assert "duplicate-key" in {c for c, _, _ in codes(validate_package(data_copy, {"offices": candidate}))}


@pytest.mark.parametrize("lat, lon", [(41.95, 21.6), (43.5, 20.5), (42.6, 19.9)])
def test_a_clicked_point_outside_kosovo_is_refused_like_any(data_copy, offices_table, lat, lon):
    candidate = placed_table(offices_table, "rc-prizren", lat, lon)
    assert {c for c, _, _ in codes(validate_package(data_copy, {"offices": candidate}))} & \
        {"outside-kosovo", "outside-kosovo-outline"}


def test_placing_names_what_it_cannot_do(offices_table):
    with pytest.raises(ValueError, match="atlantis"):
        placed_table(offices_table, "atlantis", 42.2, 20.7)
    with pytest.raises(ValueError, match="colour"):
        placed_table(offices_table, "hq", 42.2, 20.7, {"colour": "red"})


@pytest.mark.parametrize("value, text", [(42.0, "42"), (42.123456, "42.12346"), (20.5, "20.5"), (-0.000001, "-0")])
def test_coordinates_are_stored_plainly(value, text):
    assert coordinate_text(value) == text


def test_the_placing_map_is_the_boundaries_and_offices_and_selects_nothing(data):
    html = map_html(placing_map(data))
    assert "omikSelect" not in html
    assert html.count("L.circleMarker(") == len(data["offices"])
    if local_leaflet_installed():
        assert asset_links(html) == ["/app/static/leaflet/leaflet.js", "/app/static/leaflet/leaflet.css"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_chosen_point_label_is_escaped(payload):
    import folium
    m = folium.Map(tiles=None)
    chosen_point_layer(42.2, 20.7, payload).add_to(m)
    html = map_html(m)
    assert payload not in html and escape(payload) in html


# --- the page (AppTest cannot click a map: the click's state is seeded) -----------------

def review(at) -> str:
    """The page's tables (the review of a change, the problems) as CSV text, unescaped."""
    return "\n".join(table.value.to_csv(index=False) for table in at.table).replace("\\", "")


def offices_page(data_copy, monkeypatch):
    at = sign_in(data_page(data_copy, monkeypatch, {"ana": editor()}), "ana", PASSWORD)
    at.session_state["edit_tabs_offices"] = "Place on the map"  # as a click on the tab does: it draws only when open
    at.selectbox(key="edit_table").set_value("offices").run()
    return at, storage.current_version(data_copy, "offices")


@pytest.fixture(autouse=True)
def fresh_limiter(monkeypatch):
    from dashboard import auth
    monkeypatch.setattr(auth, "LIMITER", auth.MemoryLimiter())


def test_the_offices_table_offers_placing_on_the_map_until_a_point_is_clicked(data_copy, monkeypatch):
    at, _ = offices_page(data_copy, monkeypatch)
    assert [tab.label for tab in at.tabs][-1] == "Place on the map"
    assert "No point chosen yet: click the map." in [i.value for i in at.info]


def test_a_clicked_point_moves_an_office_through_review_and_save(data_copy, monkeypatch):
    at, base = offices_page(data_copy, monkeypatch)
    at.selectbox(key=f"place_office_{base}").set_value("rc-prizren")
    at.session_state[f"place_point_{base}"] = (42.2101234, 20.7412345)
    at.run()
    assert not at.exception
    assert any("Chosen point: 42.21012, 20.74123, in Prizren." in m.value.replace("\\", "") for m in at.markdown)
    preview = review(at)
    assert "rc-prizren,changed,Latitude" in preview and "42.21012" in preview and "20.74123" in preview
    assert b"42.21012" not in (data_copy / "offices.csv").read_bytes()  # nothing saved before Save
    [reason] = [w for w in at.text_input if w.label.startswith("Reason for this change")]
    reason.input("Office moved to its building").run()
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert records(read_table(data_copy / "offices.csv"))["rc-prizren"]["lat"] == "42.21012"
    latest = storage.history(data_copy, "offices")[-1]
    assert (latest.user, latest.reason) == ("ana", "Office moved to its building")
    # the next placement starts afresh, from the new version
    assert "No point chosen yet: click the map." in [i.value for i in at.info]


def test_a_clicked_point_outside_kosovo_is_not_saved(data_copy, monkeypatch):
    at, base = offices_page(data_copy, monkeypatch)
    at.selectbox(key=f"place_office_{base}").set_value("hq")
    at.session_state[f"place_point_{base}"] = (42.1, 21.7)
    at.run()
    assert any("outside every municipality" in w.value for w in at.warning)
    assert any(e.value.startswith("Not saved:") for e in at.error)
    assert "outside Kosovo's boundary" in review(at)
    assert not [b for b in at.button if b.label == "Save"]


def test_a_new_field_team_is_placed_by_a_click(data_copy, monkeypatch):
    at, base = offices_page(data_copy, monkeypatch)
    at.session_state[f"place_point_{base}"] = DRAGASH_SEAT
    at.run()
    assert "ft-" not in review(at)  # nothing to review before the id
    for key, value in {"id": "ft-dragash", "name_en": "Field Team Dragash", "name_sq": "Ekipi Dragash",
                       "name_sr": "Tim Dragaš", "as_of": "2024"}.items():
        at.text_input(key=f"place_{key}_{base}").input(value)
    at.selectbox(key=f"place_location_source_{base}").set_value("factsheet")
    at.selectbox(key=f"place_source_{base}").set_value("factsheet")
    at.run()
    assert not at.exception
    assert "ft-dragash,added" in review(at)
    [reason] = [w for w in at.text_input if w.label.startswith("Reason for this change")]
    reason.input("New field team").run()
    next(b for b in at.button if b.label == "Save").click().run()
    saved = records(read_table(data_copy / "offices.csv"))["ft-dragash"]
    assert (saved["kind"], saved["municipality_code"], saved["region_id"]) == ("field_team", "dragash", "prizren")
    assert (saved["lat"], saved["lon"]) == ("42.0265", "20.65333")


def test_the_placing_tab_on_hostile_data_shows_text_as_text(tmp_path, monkeypatch):
    import test_injection
    from hostile import make_hostile_package

    # st_folium's arguments are the map's HTML and script: checked for raw markup, like the other map frames
    monkeypatch.setattr(test_injection, "HTML", test_injection.HTML | {"component_instance"})
    data_dir = make_hostile_package(tmp_path / "data")
    at, base = offices_page(data_dir, monkeypatch)
    at.selectbox(key=f"place_office_{base}").set_value("rc-prizren")
    at.session_state[f"place_point_{base}"] = (42.2101234, 20.7412345)
    at.run()
    assert "rc-prizren,changed" in review(at)  # the tab ran to its review
    test_injection.assert_shown_as_text(at)
