"""The presence map's detail panels (``dashboard.details``) and what a click on the
map selects."""
import dataclasses

import folium
import pandas as pd
import pytest

from dashboard.details import detail_for
from dashboard.i18n import local_names
from dashboard.loading import load_dataset
from dashboard.maps import _Selects, available_measures, map_html, municipality_features, presence_map
from dashboard.presence_over_time import NOW, offices_in
from dashboard.ui.map_widgets import apply_map_selection


@pytest.fixture(scope="module")
def data():
    return load_dataset()


def with_field_team(data):
    """The real data plus one synthetic field team (test-only)."""
    team = data["offices"][data["offices"]["id"] == "rc-prizren"].assign(
        id="ft-test", kind="field_team", name_en="Test team", municipality_code="dragash")
    return dataclasses.replace(data, tables={**data.tables, "offices": pd.concat([data["offices"], team])})


@pytest.mark.parametrize("year", [None, "2000"])
def test_every_municipality_and_office_reports_what_a_click_selects(data, year):
    page = map_html(presence_map(data, year=year))
    drawn = offices_in(data, year or NOW)
    # one listener on the municipality layer (the clicked feature's code), one per office drawn
    assert page.count("omikSelect") == 1 + len(drawn)
    assert 'kind: "municipality"' in page and "e.sourceTarget.feature.properties.code" in page
    for ident in drawn["id"]:
        assert f'var id = "{ident}" ||' in page
    # and nothing else reaches the page around the map: panning and zooming rerun nothing
    assert page.count("postMessage") == page.count(".on('click', function (e) { var id =")


def test_an_id_cannot_end_the_map_script():
    m = folium.Map(tiles=None)
    folium.CircleMarker([42.6, 20.9]).add_child(_Selects("office", "</script><script>alert(1)//")).add_to(m)
    assert "</script><script>alert(1)" not in map_html(m)


# The page names its own widgets' keys: here not the kinds' names.
KNOWN = {"municipality": ("pick_place", ["gjilan", "prizren"]), "office": ("pick_office", ["rc-prizren", "hq"])}


def test_a_click_selects_one_thing_and_clears_the_other():
    state = {"m": {"select": {"kind": "office", "id": "rc-prizren"}}, "pick_place": "gjilan", "pick_office": ""}
    apply_map_selection(state, "m", KNOWN)
    assert (state["pick_place"], state["pick_office"]) == ("", "rc-prizren")
    assert "municipality" not in state and "office" not in state
    state["m"] = {"select": {"kind": "municipality", "id": "gjilan"}}
    apply_map_selection(state, "m", KNOWN)
    assert (state["pick_place"], state["pick_office"]) == ("gjilan", "")


@pytest.mark.parametrize("clicked", [None, {}, {"kind": "office", "id": "atlantis"},
                                     {"kind": "municipality", "id": "hq"}, {"kind": "region", "id": "prizren"},
                                     {"kind": "office", "id": ["hq"]}, "hq"])
def test_a_click_on_nothing_known_changes_nothing(clicked):
    state = {"m": {"select": clicked}, "pick_place": "gjilan", "pick_office": ""}
    apply_map_selection(state, "m", KNOWN)
    assert (state["pick_place"], state["pick_office"]) == ("gjilan", "")
    apply_map_selection({"m": None}, "m", KNOWN)


def test_region_detail_names_centre_municipalities_and_sources(data):
    detail = detail_for(data, "region", "prizren")
    facts = dict(detail.facts)
    assert detail.title == "Region Prizren"
    assert facts["Regional centre"] == "Regional Centre Prizren"
    assert facts["Municipalities covered (OSCE municipal profiles)"] == "6"
    assert facts["Field teams listed in the data"] == "0"
    assert len(detail.members) == 6 and "Dragash/Dragaš" in detail.members
    assert any("municipal profiles" in s for s in detail.sources)
    assert any("say Mission teams work in all its municipalities" in n for n in detail.notes)
    assert [value for label, value in detail.facts if label == "Teams working in all its municipalities"] == [
        "2018: Municipal Profile 2018, Prizren region: Dragash/Dragaš"]
    assert "Source: Municipal Profile 2018, Prizren region: Dragash/Dragaš · as of 2018" in detail.sources


def test_a_region_no_source_covers_keeps_the_fact_sheets_note(data):
    silent = dataclasses.replace(data, tables={**data.tables, "field_presence": data["field_presence"].iloc[0:0]})
    assert any("over 30" in n for n in detail_for(silent, "region", "prizren").notes)


def test_municipality_detail(data):
    detail = detail_for(data, "municipality", "prishtine")
    facts = dict(detail.facts)
    assert detail.title == "Prishtinë/Priština"
    assert facts["Region"] == "Prishtinë/Priština"
    # headquarters, regional centre and the party service centre of 1999 (on the map only in its year)
    assert len(detail.members) == 3
    assert any("only in their years" in n for n in detail.notes)


@pytest.mark.parametrize("code, expected", [
    ("gracanice", ["2018, stated: Municipal Profile 2018, Prishtinë/Priština region: Gračanica/Graçanicë",
                   "2018, stated: Municipal Profile 2018, Prishtinë/Priština region: Prishtinë/Priština",
                   "2010–2013, stated: Fushë Kosovë/Kosovo Polje Municipal Profiles (undated)"]),
    ("decan", ["January 2013, inferred (the municipality's region is inferred): Pejë/Peć Municipal Profiles "
               "(January 2013)"]),
])
def test_municipality_detail_gives_each_statement_that_a_team_works_there(data, code, expected):
    detail = detail_for(data, "municipality", code)
    assert [value for label, value in detail.facts if label == "Mission team working here"] == expected
    assert any("where its office stands is not given" in n for n in detail.notes)


def test_municipality_detail_says_not_known_where_no_source_speaks(data):
    silent = dataclasses.replace(data, tables={**data.tables, "field_presence": data["field_presence"].iloc[0:0]})
    facts = dict(detail_for(silent, "municipality", "decan").facts)
    assert facts["Mission team working here"].startswith("not known")


def test_office_detail_has_address_and_location_source(data):
    detail = detail_for(data, "office", "hq")
    facts = dict(detail.facts)
    assert facts["Address"] == "Abdyl Frashëri 37, 10000 Prishtinë/Priština"
    assert "town centre" in facts["Location on the map"]
    assert any("Wikipedia" in s for s in detail.sources)


def test_region_filter_fades_the_rest_and_zooms(data):
    features = municipality_features(data, region="peja")["features"]
    faded = [f for f in features if f["properties"]["opacity"] < 0.5]
    assert len(faded) == 38 - 6
    html = map_html(presence_map(data, region="peja", layer_control=True))
    assert "L.control.layers(" in html


def test_measures_appear_only_where_the_data_has_figures(data):
    assert available_measures(data) == ["region", "field_presence"]
    silent = dataclasses.replace(data, tables={**data.tables, "field_presence": data["field_presence"].iloc[0:0]})
    assert available_measures(silent) == ["region"]
    richer = with_field_team(data)
    assert available_measures(richer) == ["region", "field_presence", "field_teams"]
    shapes = municipality_features(richer, measure="field_teams")["features"]
    features = {f["properties"]["code"]: f["properties"] for f in shapes}
    assert features["dragash"]["colour"] != features["prizren"]["colour"]
    assert "1 (Field teams listed)" in features["dragash"]["label"]


def test_field_team_markers_draw_when_listed(data):
    html = map_html(presence_map(with_field_team(data)))
    assert html.count("L.circleMarker(") == len(offices_in(data, NOW)) + 1



@pytest.mark.parametrize("names, shown", [
    ({"name_sq": "Prishtinë", "name_sr": "Priština"}, "Prishtinë / Priština"),
    ({"name_sq": "Dragash", "name_sr": "Dragash"}, "Dragash"),
    ({"name_sq": float("nan"), "name_sr": "Štrpce"}, "Štrpce"),
    ({"name_sq": "", "name_sr": None}, ""),
])
def test_local_names_are_each_written_once(names, shown):
    # The detail panel and the office popup on the map both show this line.
    assert local_names(pd.Series({"name_en": "x", **names})) == shown


@pytest.mark.parametrize("kind, key, message", [
    ("town", "prizren", r"^kind must be one of 'region', 'municipality', 'office'; got 'town'$"),
    ("region", "atlantis", r"^key must be an id in regions.csv; got 'atlantis'$"),
    ("municipality", "hq", r"^key must be a code in municipalities.csv; got 'hq'$"),
    ("office", "prizren", r"^key must be an id in offices.csv; got 'prizren'$"),
])
def test_detail_for_names_the_argument_it_cannot_use(data, kind, key, message):
    with pytest.raises(ValueError, match=message):
        detail_for(data, kind, key)
