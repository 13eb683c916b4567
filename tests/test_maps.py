"""The presence map's HTML: layers, escaping, and no CDN."""
import dataclasses

import pytest

from dashboard.geo import contains_point, municipality_codes
from dashboard.loading import load_dataset
from dashboard.maps import escape, map_html, municipality_features, presence_map
from dashboard.offline_assets import local_leaflet_installed
from support.page_assets import asset_links

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "`);alert(1);//",
    "${alert(1)}",
    "\\`;alert(1)",
    '" onmouseover="alert(1)',  # the end of an HTML attribute
    "' onmouseover='alert(1)",
]


@pytest.fixture(scope="module")
def data():
    return load_dataset()


def with_office_names(data, name: str):
    offices = data["offices"].copy()
    for column in ("name_en", "name_sq", "name_sr", "address"):
        offices[column] = name
    return dataclasses.replace(data, tables={**data.tables, "offices": offices})


def test_every_municipality_is_drawn_with_its_region(data):
    features = municipality_features(data)["features"]
    assert len(features) == 38 == len(municipality_codes())
    regions = {f["properties"]["region_id"] for f in features}
    assert regions == {"gjilan", "mitrovica", "peja", "prishtina", "prizren"}
    prizren = next(f for f in features if f["properties"]["code"] == "prizren")
    assert prizren["properties"]["label"] == "Prizren (Prizren)"


def test_headquarters_and_regional_centres_are_markers(data):
    html = map_html(presence_map(data))
    # headquarters, five regional centres and the Mitrovicë/Mitrovica centre's second office
    assert html.count("L.circleMarker(") == 7
    assert "Abdyl Frashëri 37" in html
    assert "Qendra Rajonale Pejë / Regionalni centar Peć" in html  # bilingual popup


def test_map_reads_well_with_zero_field_teams(data):
    assert (data["offices"]["kind"] == "field_team").sum() == 0
    assert "L.circleMarker(" in map_html(presence_map(data))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_names_from_data_are_escaped_in_popups_and_tooltips(data, payload):
    html = map_html(presence_map(with_office_names(data, payload)))
    assert payload not in html
    assert escape(payload) in html


def test_escape_neutralises_html_and_template_literals():
    assert escape('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
    assert "`" not in escape("`") and "${" not in escape("${x}") and "\\" not in escape("\\")


@pytest.mark.skipif(not local_leaflet_installed(), reason="scripts/setup has not installed Leaflet")
def test_map_loads_no_script_or_stylesheet_from_another_host(data):
    links = asset_links(map_html(presence_map(data)))
    assert links and all(link.startswith("/app/static/") for link in links), links


def test_map_html_is_small_enough_to_send(data):
    assert len(map_html(presence_map(data)).encode()) < 300_000


def test_point_in_kosovo():
    assert contains_point(42.667, 21.167)  # Prishtinë/Priština
    assert not contains_point(42.0, 21.43)  # Skopje
    assert not contains_point(41.33, 19.82)  # Tirana


def test_region_basis_note_counts_from_the_data(data):
    from dashboard.maps import region_basis_note

    assert "name 14 of the 38" in region_basis_note(data)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from hostile import make_hostile_package

    return load_dataset(make_hostile_package(tmp_path_factory.mktemp("hostile") / "data"))


@pytest.mark.parametrize("region, measure", [(None, "region"), ("prizren", "region"), (None, "field_teams"),
                                             (None, "field_presence")])
def test_no_text_of_any_table_reaches_the_map_as_markup(hostile, region, measure):
    """Payloads in every free-text field (names, addresses, notes, sources), including
    one that would end an HTML attribute: the map's popups, tooltips and GeoJSON
    properties carry them escaped."""
    from hostile import PAYLOADS

    html = map_html(presence_map(hostile, "en", region, measure))
    for raw in ("<img src=https://evil", "alert(1)</script>", '" onmouseover="', "<https://evil"):
        assert raw not in html
    assert sum(escape(p) in html for p in PAYLOADS) >= 3


def test_an_unknown_measure_is_refused_by_name(data):
    # It used to colour the map by region, silently.
    with pytest.raises(ValueError,
                       match=r"^measure must be one of 'region', 'field_presence', 'field_teams'; got 'budget'$"):
        presence_map(data, measure="budget")
    with pytest.raises(ValueError, match=r"^measure must be one of"):
        municipality_features(data, measure="")
    from dashboard.maps import legend_html

    with pytest.raises(ValueError, match=r"^measure must be one of"):  # was a bare KeyError
        legend_html(data, measure="budget")


def test_markers_at_one_point_stand_one_above_the_other():
    from dashboard.maps import MARKER_GAP, marker_lifts

    # ((lat, lon), radius + outline in pixels), in drawing order
    assert marker_lifts([((42.0, 21.0), 9), ((42.5, 20.5), 9), ((42.0, 21.0), 14), ((42.0, 21.0), 5)]) == \
        [0, 0, 9 + MARKER_GAP + 14, 9 + MARKER_GAP + 14 + 14 + MARKER_GAP + 5]
    assert marker_lifts([]) == []


def test_the_headquarters_stands_above_the_prishtina_centre_and_says_so(data):
    import re

    from dashboard.maps import MARKER_GAP, OFFICE_STYLES

    html = map_html(presence_map(data))
    centre, hq = OFFICE_STYLES["regional_centre"], OFFICE_STYLES["headquarters"]
    lift = centre["radius"] + centre["weight"] + MARKER_GAP + hq["radius"] + hq["weight"]
    assert html.count("marker._project = ") == 1 and f"L.point(0, -{lift:.1f})" in html  # the headquarters only
    assert "also at that point: Regional Centre Prishtinë/Priština." in html
    # Both take effect only if they run before the office layers are added to the map
    last_layer = [m.start() for m in re.finditer(r"feature_group_\w+\.addTo\(map_", html)][-1]
    assert html.index("marker._project = ") < last_layer < html.index("omikPlaceLabels(map_")


def test_the_field_presence_legend_names_its_three_fills(data):
    from dashboard.maps import legend_html
    from dashboard.presence_over_time import PRESENCE_COLOURS

    legend = legend_html(data, "en", "field_presence")
    for colour, label in zip(PRESENCE_COLOURS.values(), ["a team works here (stated)",
                                                         "a team works here (inferred, dashed outline)", "not known"]):
        assert f"background:{colour}" in legend and escape(label) in legend
    assert "Field presence" in legend


@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_the_field_presence_tooltip_is_in_the_readers_language(data, lang):
    from dashboard.i18n import t

    features = {f["properties"]["code"]: f["properties"]
                for f in municipality_features(data, lang, measure="field_presence")["features"]}
    stated = t("map.presence.stated", lang, as_of="2018", sources="")
    assert features["dragash"]["label"].split(": ", 1)[1].startswith(escape(stated.split("(")[0]))
