"""The presence map: municipalities coloured by region, and the Mission's offices.

Builders return a ``folium.Map`` and never touch Streamlit, so they are tested on
their HTML. Every string that comes from the data files is escaped before it reaches
Leaflet: popups, tooltips and GeoJSON properties are all rendered as HTML there.
"""
from __future__ import annotations

import dataclasses
import functools
import html
from pathlib import Path
from typing import Any

import folium
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template
from jinja2.utils import htmlsafe_json_dumps
from shapely.geometry import shape

from .geo import municipality_geojson
from .i18n import local_names, place_name, t
from .loading import Dataset
from .offline_assets import use_local_assets
from .places import office_location
from .presence_over_time import offices_in

KOSOVO_BOUNDS = [[41.85, 20.01], [43.27, 21.79]]  # [[south, west], [north, east]], degrees
# Okabe-Ito: distinguishable with every common colour-vision deficiency.
REGION_COLOURS = {
    "gjilan": "#E69F00",
    "mitrovica": "#56B4E9",
    "peja": "#009E73",
    "prishtina": "#F0E442",
    "prizren": "#CC79A7",
}
UNKNOWN_REGION_COLOUR = "#BBBBBB"
OFFICE_STYLES: dict[str, dict[str, Any]] = {  # radius and weight (outline) in pixels
    "headquarters": {"radius": 12, "color": "#000000", "fill_color": "#000000", "weight": 2},
    "regional_centre": {"radius": 7, "color": "#FFFFFF", "fill_color": "#0072B2", "weight": 2},
    "field_team": {"radius": 5, "color": "#FFFFFF", "fill_color": "#D55E00", "weight": 1},
}
ATTRIBUTION = (
    'Boundaries: <a href="https://www.geoboundaries.org">geoBoundaries</a> '
    '(CC BY-SA 2.0), from <a href="https://www.openstreetmap.org/copyright">'
    "OpenStreetMap</a> data © OpenStreetMap contributors; "
    'municipal seats: <a href="https://www.geonames.org">GeoNames</a> (CC BY 4.0)'
)


def escape(text: object) -> str:
    """HTML-escape ``text`` for Leaflet, including the characters that would end a
    JavaScript template literal (backtick, ``${``) or escape out of a string (``\\``),
    since folium writes tooltips into template literals."""
    return (html.escape("" if text is None else str(text), quote=True)
            .replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;"))


class _Attribution(MacroElement):
    # On one line beside the scale bar, cut short with an ellipsis, and whole on hover,
    # tap or keyboard focus: wrapped, it covered the south of Kosovo on a phone. Every
    # page with a map gives the attribution in full under it too (map.attribution).
    _template = Template(
        "{% macro header(this, kwargs) %}"
        "<style>.leaflet-control-attribution { max-width: calc(100vw - 96px); white-space: nowrap;"
        " overflow: hidden; text-overflow: ellipsis; }"
        " .leaflet-control-attribution:hover, .leaflet-control-attribution:focus-within { white-space: normal; }"
        "</style>"
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class _Popup(MacroElement):
    """A popup of ready-made HTML (every piece from the data already escaped), bound
    with Leaflet alone: folium's Popup builds its content with jQuery's ``$(...)``,
    which would cost every map another script to load before it draws."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bindPopup({{ this.content }}, {{ this.options|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, html_text: str, max_width: int):
        super().__init__()
        # A JavaScript string that cannot end the <script> it sits in (<, >, & and '
        # are written as \u escapes); other letters stay readable (ë, š, ...).
        self.content = htmlsafe_json_dumps(html_text, ensure_ascii=False)
        self.options = {"maxWidth": max_width}


class _Selects(MacroElement):
    """A click on the parent layer tells the page around the map what it selects:
    ``{omikSelect: {kind, id}}`` posted to the parent window (``map_frame.js`` passes
    it on to Python). ``ident=None`` takes the clicked GeoJSON feature's ``code``.
    Ids come from the data, so they are written as JSON that cannot end the script."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.on('click', function (e) {"
        " var id = {{ this.ident|tojson }} || e.sourceTarget.feature.properties.code;"
        " window.parent.postMessage({omikSelect: {kind: {{ this.kind|tojson }}, id: id}}, '*'); });"
        "{% endmacro %}"
    )

    def __init__(self, kind: str, ident: str | None = None):
        super().__init__()
        self.kind, self.ident = kind, ident


class _Lifted(MacroElement):
    """Draws a circle marker ``pixels`` above its point, at every zoom, and a label
    that stays by it with it (a popup opens where the click was, so it follows by
    itself): for an office that shares its point with another one drawn before it
    (``marker_lifts``), so both show and both take clicks. Leaflet's circle markers
    have no pixel offset of their own, so this wraps the one method that places the
    marker (``_project``, Leaflet 1.9). Set before the marker's layer is added to the
    map, which is when Leaflet first places it."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function (marker, shift) {"
        " var project = marker._project;"
        " marker._project = function () { project.call(this); this._point = this._point.add(shift);"
        " this._updateBounds(); };"
        " marker._getTooltipAnchor = function () { return shift; };"
        "})({{ this._parent.get_name() }}, L.point(0, {{ -this.pixels }}));"
        "{% endmacro %}"
    )

    def __init__(self, pixels: float):
        super().__init__()
        self.pixels = pixels


class _LabelsInside(MacroElement):
    """The town labels (the regional centres' permanent tooltips) placed inside the
    map, clear of its controls, of the offices' markers and of each other
    (``map_labels.js``), again after every zoom, pan, resize and layer switch; and
    the map's text a size smaller on a phone-wide map, so they fit. Added after the
    markers' layers, so it finds their labels open."""

    _template = Template(
        "{% macro header(this, kwargs) %}"
        "<style>@media (max-width: 480px) { html .leaflet-container { font-size: 0.8125rem; } }</style>"
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "{{ this.code }}\nomikPlaceLabels({{ this._parent.get_name() }}, {{ this.margin }});"
        "{% endmacro %}"
    )

    def __init__(self, margin: int = 4):
        super().__init__()
        self.code = _labels_script()
        self.margin = margin  # pixels kept between a label and the map's edge or another label


@functools.cache
def _labels_script() -> str:
    """``map_labels.js``, read when the first map is drawn rather than at import."""
    return (Path(__file__).parent / "map_labels.js").read_text(encoding="utf-8")


def base_map() -> folium.Map:
    """An empty map of Kosovo with no base tiles (the boundaries are the base map),
    the app's own Leaflet, and the boundary attribution."""
    m = folium.Map(location=[42.6, 20.9], zoom_start=8, tiles=None, control_scale=True,
                   min_zoom=7, max_bounds=True, zoom_snap=0.25, zoom_delta=0.5)
    use_local_assets(m)
    m.fit_bounds(KOSOVO_BOUNDS)
    m.add_child(_Attribution(ATTRIBUTION))
    return m


def check_measure(measure: str) -> None:
    """``ValueError`` naming the parameter unless ``measure`` is ``"region"`` or a key of ``MEASURES``."""
    if measure != "region" and measure not in MEASURES:
        raise ValueError(f"measure must be one of {', '.join(map(repr, ['region', *MEASURES]))}; got {measure!r}")


def municipality_features(data: Dataset, lang: str = "en", region: str | None = None,
                          measure: str = "region") -> dict:
    """The boundary GeoJSON with display properties joined from the tables:
    ``code``, ``region_id``, ``colour``, ``opacity`` and an escaped ``label``.

    ``region`` fades the municipalities outside it; ``measure`` is ``"region"``
    (colour by regional-centre area) or a key of ``MEASURES`` (colour by value).
    A boundary whose code the table lacks is kept, grey, so a gap in the data shows.
    ``ValueError`` for any other ``measure``.
    """
    check_measure(measure)
    municipalities = data["municipalities"].set_index("code")
    regions = data["regions"].set_index("id")
    values = MEASURES[measure](data) if measure in MEASURES else None
    features = []
    for feature in municipality_geojson()["features"]:
        code = feature["properties"]["code"]
        props = {"code": code, "region_id": None, "colour": UNKNOWN_REGION_COLOUR, "opacity": 0.55,
                 "label": escape(code)}
        if code in municipalities.index:
            row = municipalities.loc[code]
            region_id = row["region_id"]
            region_name = place_name(regions.loc[region_id], lang) if region_id in regions.index else region_id
            props.update(region_id=region_id, colour=REGION_COLOURS.get(region_id, UNKNOWN_REGION_COLOUR),
                         label=escape(municipality_label(row, region_name, lang)))
            if values is not None:
                value = int(values.get(code, 0))
                props["colour"] = measure_colour(value, int(values.max()) if len(values) else 0)
                props["label"] = escape(t("map.measure_tooltip", lang, label=municipality_label(row, region_name, lang),
                                          value=value, measure=t(f"map.measure.{measure}", lang)))
        if region and props["region_id"] != region:
            props.update(colour=UNKNOWN_REGION_COLOUR, opacity=0.15)
        features.append({"type": "Feature", "properties": props, "geometry": feature["geometry"]})
    return {"type": "FeatureCollection", "features": features}


def municipality_label(row, region_name: str, lang: str = "en") -> str:
    """A municipality's hover text, unescaped: "Prizren (Prizren)"."""
    return t("map.municipality_tooltip", lang, name=place_name(row, lang), region=region_name)


def field_teams_per_municipality(data: Dataset) -> pd.Series:
    """Field-team rows in ``offices.csv`` per municipality code."""
    offices = data["offices"]
    return offices.loc[offices["kind"] == "field_team", "municipality_code"].value_counts()


# Per-municipality measures a choropleth can show; each offered only where the data
# has at least one non-zero value (``available_measures``).
MEASURES = {"field_teams": field_teams_per_municipality}
# ColorBrewer "Blues" (sequential, colour-blind safe), light to dark.
SEQUENTIAL = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]


def available_measures(data: Dataset) -> list[str]:
    """``"region"`` plus every measure the data has figures for."""
    return ["region"] + [name for name, fn in MEASURES.items() if fn(data).sum() > 0]


def measure_colour(value: int, maximum: int) -> str:
    """The sequential colour of ``value`` on a scale from 0 to ``maximum``."""
    if maximum <= 0:
        return SEQUENTIAL[0]
    return SEQUENTIAL[min(len(SEQUENTIAL) - 1, round(value / maximum * (len(SEQUENTIAL) - 1)))]


def office_popup_html(row, lang: str = "en") -> str:
    """The popup of an office: its name, its Albanian and Serbian names, kind and
    address, and how exact its position is, every piece escaped."""
    lines = [f"<b>{escape(place_name(row, lang))}</b>"]
    local = local_names(row)
    if local:
        lines.append(escape(local))
    lines.append(escape(t(f"office.kind.{row['kind']}", lang)))
    if isinstance(row.get("address"), str) and row["address"]:
        lines.append(escape(row["address"]))
    location = office_location(row)
    if location is not None and location.approximate:
        lines.append(f"<i>{escape(t('map.approximate_note', lang))}</i>")
    elif row.get("location_precision") == "town_centre":
        lines.append(f"<i>{escape(t('map.town_centre_note', lang))}</i>")
    return "<br>".join(lines)


def add_municipalities(m: folium.Map, data: Dataset, lang: str = "en", region: str | None = None,
                       measure: str = "region", selectable: bool = True) -> folium.GeoJson:
    layer = folium.GeoJson(
        municipality_features(data, lang, region, measure),
        name=t("map.layer.municipalities", lang),
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#444444",
                                  "weight": 1, "fillOpacity": f["properties"]["opacity"]},
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
    )
    if selectable:
        layer.add_child(_Selects("municipality"))
    layer.add_to(m)
    return layer


MARKER_GAP = 2  # pixels between two offices' markers drawn at one point, one above the other


def marker_lifts(markers: list[tuple[tuple[float, float], float]]) -> list[float]:
    """How far above its point each marker is drawn, in pixels, so that markers at
    one point stand one above the other instead of hiding each other (the
    headquarters and the Prishtinë/Priština regional centre share a town-centre
    point). ``markers`` are ``((lat, lon), extent)`` in drawing order, ``extent``
    the marker's radius plus its outline in pixels; the first at a point stays on it."""
    tops: dict[tuple[float, float], float] = {}  # the top edge, above the point, of what stands there
    lifts = []
    for point, extent in markers:
        lift = tops[point] + MARKER_GAP + extent if point in tops else 0.0
        tops[point] = lift + extent
        lifts.append(lift)
    return lifts


def add_offices(m: folium.Map, data: Dataset, lang: str = "en",
                selectable: bool = True) -> dict[str, folium.FeatureGroup]:
    """One layer per kind of office, headquarters drawn last. An office that shares
    its point with one drawn before it is drawn just above it (``marker_lifts``),
    its popup saying so, so both show and take clicks. An office with no
    coordinates stands at its municipality's seat, its tooltip and popup saying
    the location is approximate."""
    offices = data["offices"]
    regions = data["regions"].set_index("id")
    placed = []  # (row, location) in drawing order
    for kind in ("field_team", "regional_centre", "headquarters"):
        for _, row in offices[offices["kind"] == kind].iterrows():
            location = office_location(row)
            if location is not None:  # else an unknown municipality code: the validator names it
                placed.append((row, location))
    extents = {kind: style["radius"] + style["weight"] for kind, style in OFFICE_STYLES.items()}
    lifts = marker_lifts([((loc.lat, loc.lon), extents[row["kind"]]) for row, loc in placed])
    groups = {kind: folium.FeatureGroup(name=t(f"office.kind_plural.{kind}", lang))
              for kind in ("field_team", "regional_centre", "headquarters")}
    for (row, location), lift in zip(placed, lifts):
        kind = row["kind"]
        style = OFFICE_STYLES[kind]
        permanent = kind == "regional_centre"
        label = office_label(row, regions, lang)
        if location.approximate:
            label = t("map.approximate_tooltip", lang, label=label)
        label = escape(label)
        marker = folium.CircleMarker(
            location=[location.lat, location.lon],
            radius=style["radius"], color=style["color"], weight=style["weight"],
            fill=True, fill_color=style["fill_color"], fill_opacity=0.95,
            # A town label stays by its marker (not sticky), where _LabelsInside places it.
            tooltip=folium.Tooltip(label, permanent=permanent, sticky=not permanent,
                                   direction="right" if permanent else "auto"),
        ).add_to(groups[kind])
        popup = office_popup_html(row, lang)
        if lift:
            marker.add_child(_Lifted(lift))
            below = [place_name(other, lang) for other, at in placed
                     if other["id"] != row["id"] and (at.lat, at.lon) == (location.lat, location.lon)]
            popup += f"<br><i>{escape(t('map.lifted_note', lang, others='; '.join(below)))}</i>"
        marker.add_child(_Popup(popup, max_width=280))
        if selectable:
            marker.add_child(_Selects("office", str(row["id"])))
    for group in groups.values():
        group.add_to(m)
    return groups


def presence_map(data: Dataset, lang: str = "en", region: str | None = None,
                 measure: str = "region", layer_control: bool = False, year: str | None = None) -> folium.Map:
    """Municipalities coloured by regional-centre area (or by ``measure``), with
    headquarters, regional centres and field teams as markers. ``region`` zooms to
    that region and fades the rest. ``year`` (a ``presence_over_time`` year) keeps
    only the offices dated for it, in the markers and the measures alike. Works
    with no field-team rows."""
    if year is not None:
        data = dataclasses.replace(data, tables={**data.tables, "offices": offices_in(data, year)})
    m = base_map()
    add_municipalities(m, data, lang, region, measure)
    add_offices(m, data, lang)
    m.add_child(_LabelsInside())
    if region:
        bounds = region_bounds(data, region)
        if bounds:
            m.fit_bounds(bounds)
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    return m


def placing_map(data: Dataset, lang: str = "en") -> folium.Map:
    """The map an editor clicks to place an office (``st_folium`` on the Update data
    page): the municipalities, named on hover, and the offices where they are now.
    It depends only on the data, so a click does not rebuild it: the chosen point
    is drawn by ``chosen_point_layer``."""
    m = base_map()
    add_municipalities(m, data, lang, selectable=False)
    add_offices(m, data, lang, selectable=False)
    return m


def chosen_point_layer(lat: float, lon: float, label: str) -> folium.FeatureGroup:
    """The point an editor chose, as a layer to add to ``placing_map`` (``label``
    is escaped here)."""
    group = folium.FeatureGroup(name="chosen")
    folium.CircleMarker(location=[lat, lon], radius=9, color="#000000", weight=3, fill=True,
                        fill_color="#FFFFFF", fill_opacity=1,
                        tooltip=folium.Tooltip(escape(label), permanent=True, direction="top")).add_to(group)
    return group


def region_bounds(data: Dataset, region: str) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of a region's municipalities, in degrees."""
    codes = set(data["municipalities"].loc[data["municipalities"]["region_id"] == region, "code"])
    geoms = [shape(f["geometry"]) for f in municipality_geojson()["features"] if f["properties"]["code"] in codes]
    if not geoms:
        return None
    west, south, east, north = shapely.union_all(geoms).bounds
    return [[south, west], [north, east]]


def office_label(row, regions: pd.DataFrame, lang: str = "en") -> str:
    """An office's label on the map, unescaped: a regional centre's is its region's
    name (shown permanently, as the town label); others show their own name."""
    if row["kind"] == "regional_centre" and row["region_id"] in regions.index:
        return place_name(regions.loc[row["region_id"]], lang)
    return place_name(row, lang)


def map_html(m: folium.Map) -> str:
    """The map as folium's standalone HTML page: what every map frame shows
    (``ui.static_map``, ``ui.clickable_map``)."""
    return m.get_root().render()


def legend_items(data: Dataset, lang: str = "en") -> list[tuple[str, str]]:
    """``(colour, region name)`` for each region, in the table's order."""
    return [(REGION_COLOURS.get(row["id"], UNKNOWN_REGION_COLOUR), place_name(row, lang))
            for _, row in data["regions"].iterrows()]


def region_basis_note(data: Dataset, lang: str = "en") -> str:
    """How the municipality-to-region assignment was made, with the data's own counts."""
    basis = data["municipalities"]["region_basis"]
    return t("map.region_basis_note", lang, named=int((basis == "named").sum()), total=len(basis))
