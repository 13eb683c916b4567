"""What makes the maps legible, from their HTML and the pure parts: a shape per kind
of office, the legend inside the map with the same shapes and colours, muted area
fills, a kilometre scale, the fit to Kosovo's outline at every size, the names of a
region's municipalities, no focus box on a click; and a clicked point that is not a
position refused in words (``places.clicked_point``)."""
import dataclasses
import math
import re

import pytest
from jinja2.utils import htmlsafe_json_dumps

from dashboard.geo import municipality_geojson
from dashboard.i18n import place_name, t
from dashboard.loading import load_dataset
from dashboard.maps import (
    OFFICE_STYLES,
    REGION_COLOURS,
    SHAPES,
    SYMBOL_ORDER,
    attribution,
    kosovo_bounds,
    legend_html,
    map_html,
    placing_map,
    presence_map,
    symbol_of,
    symbol_svg,
)
from dashboard.places import BadPoint, clicked_point


@pytest.fixture(scope="module")
def data():
    return load_dataset()


@pytest.fixture(scope="module")
def every_symbol(data):
    """The data with one office of each symbol's kinds: a field team and an NGO
    resource centre added at municipality seats."""
    offices = data["offices"]
    extra = offices.iloc[[0, 0]].copy()
    extra["id"] = ["ft-test", "ngo-test"]
    extra["kind"] = ["field_team", "ngo_resource_centre"]
    extra[["lat", "lon"]] = ""
    extra["municipality_code"] = ["prizren", "gjilan"]
    import pandas as pd

    return dataclasses.replace(data, tables={**data.tables, "offices": pd.concat([offices, extra])})


def test_each_kind_of_office_has_its_own_shape_not_only_a_colour():
    shapes = [OFFICE_STYLES[symbol]["shape"] for symbol in SYMBOL_ORDER]
    assert sorted(shapes) == ["circle", "square", "star", "triangle"]  # four symbols, four shapes
    assert OFFICE_STYLES["headquarters"]["shape"] == "star"
    assert OFFICE_STYLES["regional_centre"]["shape"] == "square"
    assert OFFICE_STYLES["field_team"]["shape"] == "circle"
    assert OFFICE_STYLES["other"]["shape"] == "triangle"
    assert {len(points) for points in SHAPES.values()} == {3, 4, 10}  # triangle, square, five-pointed star
    for points in SHAPES.values():  # within the symbol's radius, which the label placement keeps clear of
        assert max(math.hypot(x, y) for x, y in points) <= 1.07


@pytest.mark.parametrize("kind, symbol", [
    ("headquarters", "headquarters"), ("regional_centre", "regional_centre"),
    ("regional_centre_office", "regional_centre"), ("field_team", "field_team"), ("field_office", "field_team"),
    ("contact_office", "field_team"), ("satellite_office", "field_team"), ("ngo_resource_centre", "other"),
    ("police_school", "other"), ("a kind nobody listed", "other"),
])
def test_every_kind_of_office_gets_a_symbol(kind, symbol):
    assert symbol_of(kind) == symbol


def test_the_map_draws_each_office_in_its_shape(every_symbol):
    html = map_html(placing_map(every_symbol))  # every office row (the presence map keeps a year's)
    for shape in ("star", "square", "triangle"):
        assert f'"className": "omik-office omik-{shape}"' in html
        assert json_points(SHAPES[shape]) in html  # the marker is drawn as that polygon
    assert '"className": "omik-office omik-circle"' in html
    # one polygon per non-circle office, each set on its own marker
    kinds = every_symbol["offices"]["kind"].map(symbol_of)
    shaped = sum(OFFICE_STYLES[s]["shape"] != "circle" for s in kinds)
    assert html.count("marker._updatePath = ") == shaped


def json_points(points) -> str:
    import json

    return json.dumps([list(p) for p in points])


def test_the_legend_is_inside_the_map_with_the_same_shapes_and_colours(every_symbol):
    html = map_html(placing_map(every_symbol))
    assert "L.control({position: 'bottomleft'})" in html and "omik-legend" in html
    legend = legend_html(every_symbol)
    for symbol in SYMBOL_ORDER:
        assert symbol_svg(symbol) in legend
        assert t(f"map.symbol.{symbol}", "en") in legend
        style = OFFICE_STYLES[symbol]
        assert f'fill="{style["fill_color"]}"' in symbol_svg(symbol)
        assert f'class="omik-{style["shape"]}"' in symbol_svg(symbol)
    for _, region in every_symbol["regions"].iterrows():
        assert f'background:{REGION_COLOURS[region["id"]]}"></span>{place_name(region, "en")}' in legend
    # only the symbols the map draws: the data as it is has no "other" office today
    plain = legend_html(dataclasses.replace(every_symbol, tables={
        **every_symbol.tables, "offices": every_symbol["offices"][every_symbol["offices"]["kind"] == "headquarters"]}))
    assert symbol_svg("headquarters") in plain and symbol_svg("other") not in plain


def test_the_legend_escapes_names_from_the_data(data):
    regions = data["regions"].copy()
    regions["name_en"] = "<img src=x onerror=alert(1)>"
    legend = legend_html(dataclasses.replace(data, tables={**data.tables, "regions": regions}))
    assert "<img" not in legend and "&lt;img src=x onerror=alert(1)&gt;" in legend


def test_area_fills_are_muted_light_colours():
    for colour in REGION_COLOURS.values():
        r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
        lightness, saturation = (max(r, g, b) + min(r, g, b)) / 2, max(r, g, b) - min(r, g, b)
        assert lightness >= 0.75 and saturation <= 0.35, colour  # pale: symbols and labels read on them


def test_the_scale_is_in_kilometres_only(data):
    html = map_html(presence_map(data))
    assert "L.control.scale({imperial: false, metric: true})" in html
    assert "L.control.scale()" not in html and "L.control.scale({})" not in html  # folium's own has miles


@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_the_credit_line_inside_the_map_is_in_the_readers_language(data, lang):
    credit = attribution(lang)
    for key in ("map.credit.boundaries", "map.credit.seats"):
        assert t(key, lang) in credit
    assert "OpenStreetMap</a>" in credit and "GeoNames</a>" in credit and "geoBoundaries</a>" in credit
    assert lang == "en" or not credit.startswith("Boundaries")
    for html in (map_html(presence_map(data, lang)), map_html(placing_map(data, lang))):
        assert f"addAttribution({htmlsafe_json_dumps(credit)});" in html  # as jinja's tojson writes it


def test_every_map_is_fitted_to_the_outline_at_every_size(data):
    south_west, north_east = kosovo_bounds()
    coords = [c for f in municipality_geojson()["features"] for c in flatten(f["geometry"]["coordinates"])]
    assert south_west == [min(c[1] for c in coords), min(c[0] for c in coords)]
    assert north_east == [max(c[1] for c in coords), max(c[0] for c in coords)]
    for html in (map_html(presence_map(data)), map_html(placing_map(data))):
        assert f"L.latLngBounds({kosovo_bounds()})".replace("'", '"') in html.replace("'", '"')
        assert "map.on('resize', function () { if (!byReader) fit(); });" in html
        assert ".fitBounds(" not in html.split("function fit()")[0]  # no fit at load size by folium


def test_every_map_is_fitted_once_its_legend_is_in_and_before_any_layer_is_drawn(data):
    # A fit after the layers (it used to wait for the page's scripts) drew every shape twice.
    for html in (map_html(presence_map(data)), map_html(placing_map(data))):
        script = html[html.index("function fit()"):]
        assert html.index("var legend = L.control(") < html.index("function fit()")
        assert script.index(" fit();") < min(script.index(layer) for layer in ("L.geoJson(", "L.circleMarker("))
        assert "setTimeout(fit)" not in html


def flatten(coordinates):
    if isinstance(coordinates[0], (int, float)):
        yield coordinates
    else:
        for part in coordinates:
            yield from flatten(part)


def test_a_region_map_is_fitted_to_the_region_and_names_its_municipalities(data):
    from dashboard.maps import region_bounds

    html = map_html(presence_map(data, region="prizren"))
    assert f"L.latLngBounds({region_bounds(data, 'prizren')})" in html
    municipalities = data["municipalities"]
    # a municipality with a regional centre is named by the centre's label already
    named = set(data["offices"].loc[data["offices"]["kind"] == "regional_centre", "municipality_code"])
    expected = {place_name(row, "en") for _, row in municipalities.iterrows()
                if row["region_id"] == "prizren" and row["code"] not in named}
    assert len(expected) >= 4 and set(municipality_names(html)) == expected
    assert municipality_names(map_html(presence_map(data))) == []  # the whole of Kosovo: town labels only


def municipality_names(html: str) -> list[str]:
    return re.findall(r"bindTooltip\(\s*`<div>\s*(.*?)\s*</div>`,\s*\{[^}]*\"className\": \"omik-municipality-name\"",
                      html)


def test_a_click_leaves_no_focus_box(data):
    assert ".leaflet-pane path.leaflet-interactive:focus { outline: none; }" in map_html(presence_map(data))


@pytest.mark.parametrize("clicked, point", [
    ({"lat": 42.2, "lng": 20.7}, (42.2, 20.7)),
    ({"lat": 42, "lng": 21}, (42.0, 21.0)),
    ({"lat": -80.1, "lng": -111.2}, (-80.1, -111.2)),  # a number, if far away: the validator refuses it later
])
def test_a_clicked_position_is_taken_as_numbers(clicked, point):
    assert clicked_point(clicked) == point


@pytest.mark.parametrize("clicked, axis", [
    ({"lat": float("nan"), "lng": 20.7}, "lat"),
    ({"lat": 42.2, "lng": float("nan")}, "lng"),
    ({"lat": None, "lng": 20.7}, "lat"),
    ({"lat": 42.2, "lng": None}, "lng"),
    ({"lat": "42.2", "lng": 20.7}, "lat"),
    ({"lat": 42.2, "lng": "abc"}, "lng"),
    ({"lat": "", "lng": ""}, "lat"),
    ({"lat": float("inf"), "lng": 20.7}, "lat"),
    ({"lat": 42.2, "lng": float("-inf")}, "lng"),
    ({"lat": True, "lng": 20.7}, "lat"),
    ({"lat": [42.2], "lng": 20.7}, "lat"),
    ({"lat": {"value": 42.2}, "lng": 20.7}, "lat"),
    ({"lng": 20.7}, "lat"),
    ({"lat": 42.2}, "lng"),
    ({}, "lat"),
    (None, "point"),
    ("42.2, 20.7", "point"),
    ([42.2, 20.7], "point"),
    (float("nan"), "point"),
])
def test_a_clicked_point_that_is_not_a_position_is_refused_by_name(clicked, axis):
    with pytest.raises(BadPoint) as refused:
        clicked_point(clicked)
    assert refused.value.axis == axis
    assert "is not a finite number" in str(refused.value)
    for lang in ("en", "sq", "sr"):  # what the page says, in each language
        text = t("place.bad_point", lang, axis=t(f"place.axis.{axis}", lang), value=repr(refused.value.value))
        assert repr(refused.value.value) in text
