"""The presence map: municipalities coloured by region, and the Mission's offices.

Builders return a ``folium.Map`` and never touch Streamlit, so they are tested on
their HTML. Every string that comes from the data files is escaped before it reaches
Leaflet: popups, tooltips and GeoJSON properties are all rendered as HTML there.
"""
from __future__ import annotations

import dataclasses
import functools
import html
import math
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
from .loading import Dataset, per_dataset
from .offline_assets import use_local_assets
from .places import municipality_seats, office_location
from .presence_over_time import (
    INFERRED_DASH,
    PRESENCE_COLOURS,
    field_presence,
    offices_in,
    presence_in,
    presence_legend,
    presence_per_municipality,
    presence_status,
    presence_text,
)

# Muted, light versions of the Okabe-Ito colours (distinguishable with every common
# colour-vision deficiency): the areas stay in the background, so the offices'
# symbols and the labels read on top of them.
REGION_COLOURS = {
    "gjilan": "#F2D6A2",
    "mitrovica": "#BFDDF0",
    "peja": "#A9D9C8",
    "prishtina": "#F1EBB0",
    "prizren": "#E6C7D9",
}
UNKNOWN_REGION_COLOUR = "#D4D4D4"
AREA_OPACITY = 0.9  # the fills as the legend shows them, over the map's white
# A symbol per kind of office, told apart by its shape, not only its colour (colours
# alone vanished on the region fills): headquarters a star, regional centres a square,
# field teams and field offices a circle, every other kind (NGO resource centres, a
# police school, ...) a triangle. ``radius`` (pixels) is the symbol's extent from its
# point, ``weight`` its white outline.
OFFICE_STYLES: dict[str, dict[str, Any]] = {
    "headquarters": {"radius": 12, "color": "#FFFFFF", "fill_color": "#000000", "weight": 1.5, "shape": "star"},
    "regional_centre": {"radius": 8, "color": "#FFFFFF", "fill_color": "#0072B2", "weight": 2, "shape": "square"},
    "field_team": {"radius": 5, "color": "#FFFFFF", "fill_color": "#D55E00", "weight": 1, "shape": "circle"},
    "other": {"radius": 7, "color": "#FFFFFF", "fill_color": "#5E3C99", "weight": 1.5, "shape": "triangle"},
}
# Kinds drawn with another kind's symbol; any kind not here or in OFFICE_STYLES is "other".
SYMBOL_OF_KIND = {"regional_centre_office": "regional_centre", "field_office": "field_team",
                  "contact_office": "field_team", "satellite_office": "field_team"}
SYMBOL_ORDER = ("other", "field_team", "regional_centre", "headquarters")  # drawing order: the headquarters on top
# Each shape's corners around its point, in units of the symbol's radius (y down, as
# on screen); a circle is Leaflet's own. The map's markers and the legend's symbols
# are drawn from these same points.
SHAPES: dict[str, list[tuple[float, float]]] = {
    "square": [(-0.75, -0.75), (0.75, -0.75), (0.75, 0.75), (-0.75, 0.75)],
    "triangle": [(0.0, -1.0), (0.866, 0.5), (-0.866, 0.5)],
    "star": [(round(math.cos(math.radians(-90 + 36 * i)) * (1.0 if i % 2 == 0 else 0.45), 3),
              round(math.sin(math.radians(-90 + 36 * i)) * (1.0 if i % 2 == 0 else 0.45), 3)) for i in range(10)],
}
def attribution(lang: str = "en") -> str:
    """The boundaries' and seats' credit line drawn inside the map, in ``lang`` (HTML)."""
    osm = '<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
    return (f'{escape(t("map.credit.boundaries", lang))}: <a href="https://www.geoboundaries.org">geoBoundaries</a> '
            f'(CC BY-SA 2.0), {escape(t("map.credit.from_osm", lang)).replace("{osm}", osm)}; '
            f'{escape(t("map.credit.seats", lang))}: <a href="https://www.geonames.org">GeoNames</a> (CC BY 4.0)')


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


class _Fitted(MacroElement):
    """Fits the map to ``bounds`` with ``padding`` pixels to spare, keeping clear of
    the legend where the frame has room beside or above Kosovo; and fits it again
    whenever the frame changes size, until the reader pans or zooms. A map drawn
    while hidden (a frame of no size, e.g. in a closed tab) is fitted when it shows:
    fitting it at no size is what sent the Data page's placing map to the whole world
    (centre 0°, 0°, zoom 0). Folium's own fit runs once, at whatever size the frame
    had when the page loaded. Zoomed in no further than ``max_zoom`` (none: as far
    as the map allows). The first fit is made at once, where this stands in the
    map's script: ``base_map`` adds it after the legend and before any layer."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function (map, bounds, pad, maxZoom) {"
        " var byReader = false, legendSet = false;"
        " function fit() {"
        "  var size = map.getSize(); if (!size.x || !size.y) return;"
        "  var legend = map.getContainer().querySelector('details.omik-legend');"
        "  if (legend && !legendSet) { legend.open = size.x >= 400; legendSet = true; }"
        "  var box = legend ? legend.parentNode : null, lw = box ? box.offsetWidth + 10 : 0,"
        "      lh = box ? box.offsetHeight + 10 : 0, z = map.getZoom(),"
        "      sw = map.project(bounds.getSouthWest(), z), ne = map.project(bounds.getNorthEast(), z),"
        "      bw = Math.abs(ne.x - sw.x), bh = Math.abs(sw.y - ne.y);"
        # the attribution's line along the bottom is kept clear too
        "  var attribution = map.getContainer().querySelector('.leaflet-control-attribution'),"
        "      low = pad + (attribution ? attribution.offsetHeight : 0);"
        "  function scale(beside, below) {"
        "   return Math.min((size.x - 2 * pad - beside) / bw, (size.y - pad - low - below) / bh); }"
        "  var free = scale(0, 0), beside = scale(lw, 0), above = scale(0, lh), tl = [pad, pad], br = [pad, low];"
        "  if (Math.max(beside, above) >= 0.9 * free) {"
        "   if (beside >= above) tl = [pad + lw, pad]; else br = [pad, low + lh]; }"
        "  map.fitBounds(bounds, {paddingTopLeft: tl, paddingBottomRight: br, animate: false, maxZoom: maxZoom});"
        " }"
        " var box = map.getContainer();"
        " map.on('dragstart', function () { byReader = true; });"
        " ['wheel', 'dblclick', 'keydown'].forEach(function (type) {"
        "  box.addEventListener(type, function () { byReader = true; }, {capture: true, passive: true}); });"
        " ['mousedown', 'touchstart'].forEach(function (type) {"
        "  box.addEventListener(type, function (e) {"
        "   if ((e.touches && e.touches.length > 1) || (e.target.closest && e.target.closest('.leaflet-control-zoom')))"
        "    byReader = true; }, {capture: true, passive: true}); });"
        " map.on('resize', function () { if (!byReader) fit(); });"
        " if (window.ResizeObserver)"
        "  new ResizeObserver(function () { map.invalidateSize({pan: false}); }).observe(box);"
        " fit();"  # at once: added after the legend and before the layers (base_map)
        "})({{ this._parent.get_name() }}, L.latLngBounds({{ this.bounds|tojson }}), {{ this.padding }},"
        " {{ this.max_zoom|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, bounds: list[list[float]], padding: int = 8, max_zoom: int | None = None):
        super().__init__()
        self.bounds, self.padding, self.max_zoom = bounds, padding, max_zoom


class _Shaped(MacroElement):
    """Draws a circle marker as the polygon ``points`` (``SHAPES``, in units of its
    radius) instead of a circle: still Leaflet's vector marker, so its clicks,
    tooltip, popup, lift (``_Lifted``) and the label placement work as for a circle."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "(function (marker, points) {"
        " marker._updatePath = function () {"
        "  var p = this._point, r = this._radius;"
        "  this._renderer._setPath(this, this._empty() ? 'M0 0' : points.map(function (v, i) {"
        "   return (i ? 'L' : 'M') + (p.x + v[0] * r).toFixed(2) + ' ' + (p.y + v[1] * r).toFixed(2);"
        "  }).join('') + 'z'); };"
        " if (marker._map) marker.redraw();"
        "})({{ this._parent.get_name() }}, {{ this.points|tojson }});"
        "{% endmacro %}"
    )

    def __init__(self, shape: str):
        super().__init__()
        self.points = SHAPES[shape]


class _Legend(MacroElement):
    """The legend as a control inside the map, bottom left (where Kosovo's outline
    leaves its frame's emptiest corner), above the scale: what the fills and the
    symbols mean, drawn with the map's own colours and shapes. Open on a map at least
    400 px wide, folded to its title on a narrower one (``_Fitted`` decides when the
    map first has a size); labels keep clear of it (``map_labels.js``)."""

    _template = Template(
        "{% macro header(this, kwargs) %}"
        "<style>.omik-legend-box { background: rgba(255,255,255,0.9); padding: 3px 7px; border-radius: 4px;"
        " box-shadow: 0 1px 4px rgba(0,0,0,0.3); font-size: 11.5px; line-height: 1.3; max-width: 12.5rem; }"
        " .omik-legend summary { cursor: pointer; font-weight: bold; }"
        " .omik-legend ul { list-style: none; margin: 2px 0 4px; padding: 0; }"
        " .omik-legend li { display: flex; align-items: center; gap: 6px; }"
        " .omik-legend .omik-swatch { display: inline-block; width: 14px; height: 12px; border: 1px solid #777;"
        " flex: none; }"
        " .omik-legend p { margin: 4px 0 0; font-weight: bold; }"
        " .omik-legend svg { flex: none; }</style>"
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "(function (map, html) {"
        " var legend = L.control({position: 'bottomleft'});"
        " legend.onAdd = function () { var box = L.DomUtil.create('div', 'omik-legend-box');"
        "  box.innerHTML = html; L.DomEvent.disableClickPropagation(box); L.DomEvent.disableScrollPropagation(box);"
        "  return box; };"
        " legend.addTo(map);"
        "})({{ this._parent.get_name() }}, {{ this.content }});"
        "{% endmacro %}"
    )

    def __init__(self, html_text: str):
        super().__init__()
        self.content = htmlsafe_json_dumps(html_text, ensure_ascii=False)


class _YearBadge(MacroElement):
    """The year the map shows, as a badge inside the map (top left, under the zoom
    buttons), so a screenshot or an embed of a past year says which year it is."""

    _template = Template(
        "{% macro header(this, kwargs) %}"
        "<style>.omik-year-badge { background: #222222; color: #FFFFFF; font-weight: bold; font-size: 14px;"
        " padding: 3px 8px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.3); }</style>"
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "(function (map, text) {"
        " var badge = L.control({position: 'topleft'});"
        " badge.onAdd = function () { var box = L.DomUtil.create('div', 'omik-year-badge');"
        "  box.textContent = text; return box; };"
        " badge.addTo(map);"
        "})({{ this._parent.get_name() }}, {{ this.text }});"
        "{% endmacro %}"
    )

    def __init__(self, text: str):
        super().__init__()
        self.text = htmlsafe_json_dumps(text, ensure_ascii=False)  # set as text, never as HTML


class _Scale(MacroElement):
    # Kilometres only: the Mission's documents and its readers use them. With it, the
    # map's own look: an off-white ground under the muted fills (Leaflet's grey made
    # them dull), and no focus outline on a clicked municipality or office: Chrome drew
    # its bounding box as a black rectangle (the shapes are not in the tab order; the
    # keyboard selects with the page's own choices). A municipality's seat, named on a
    # region's map, lets a click through to the municipality. On paper, no zoom buttons
    # or layer switch, and the map kept whole: the page's print rules (ui.frame) do not
    # reach into the map's frame, a document of its own.
    _template = Template(
        "{% macro header(this, kwargs) %}"
        "<style>.leaflet-container { background: #F7F7F4; }"
        " .leaflet-pane path.leaflet-interactive:focus { outline: none; }"
        " .leaflet-pane > svg path.omik-seat.leaflet-interactive { pointer-events: none; }"
        " .omik-municipality-name { font-size: 0.85em; padding: 1px 4px; }"
        " @media print { .leaflet-control-zoom, .leaflet-control-layers, .leaflet-bar { display: none !important; }"
        " html, body { overflow: hidden !important; } }</style>"
        "{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "L.control.scale({imperial: false, metric: true}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )


@functools.cache
def _labels_script() -> str:
    """``map_labels.js``, read when the first map is drawn rather than at import."""
    return (Path(__file__).parent / "map_labels.js").read_text(encoding="utf-8")


def kosovo_bounds() -> list[list[float]]:
    """``[[south, west], [north, east]]`` of Kosovo's outline (the municipalities), in degrees."""
    west, south, east, north = shapely.union_all(
        [shape(f["geometry"]) for f in municipality_geojson()["features"]]).bounds
    return [[south, west], [north, east]]


def base_map(bounds: list[list[float]] | None = None, lang: str = "en", legend: str | None = None,
             max_zoom: int | None = None) -> folium.Map:
    """An empty map of Kosovo with no base tiles (the boundaries are the base map),
    the app's own Leaflet, a kilometre scale, the boundary attribution and
    ``legend`` (``legend_html``, if any), fitted to ``bounds`` (``[[south, west],
    [north, east]]`` in degrees; Kosovo's outline by default), zoomed in no further
    than ``max_zoom``, at every size of its frame.

    The fit is made here, before any layer is added: the legend's size decides it,
    and a map fitted after its layers were drawn draws them all twice."""
    m = folium.Map(location=[42.6, 20.9], zoom_start=8, tiles=None, control_scale=False,
                   min_zoom=7, max_bounds=True, zoom_snap=0.1, zoom_delta=0.5)
    use_local_assets(m)
    m.add_child(_Scale())
    m.add_child(_Attribution(attribution(lang)))
    if legend is not None:
        m.add_child(_Legend(legend))
    m.add_child(_Fitted(bounds or kosovo_bounds(), max_zoom=max_zoom))
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
        props = {"code": code, "region_id": None, "colour": UNKNOWN_REGION_COLOUR, "opacity": AREA_OPACITY,
                 "label": escape(code)}
        if code in municipalities.index:
            row = municipalities.loc[code]
            region_id = row["region_id"]
            region_name = place_name(regions.loc[region_id], lang) if region_id in regions.index else region_id
            props.update(region_id=region_id, colour=REGION_COLOURS.get(region_id, UNKNOWN_REGION_COLOUR),
                         label=escape(municipality_label(row, region_name, lang)))
            if measure == "field_presence":
                # Categories, not a scale: a team stated, inferred, or not known.
                presence = field_presence(data).get(code)
                status = presence_status(presence)
                props.update(colour=PRESENCE_COLOURS[status], dash=INFERRED_DASH if status == "inferred" else None,
                             label=escape(t("map.presence_tooltip", lang,
                                            label=municipality_label(row, region_name, lang),
                                            presence=presence_text(data, presence, lang))))
            elif values is not None:
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
MEASURES = {"field_presence": presence_per_municipality, "field_teams": field_teams_per_municipality}
# ColorBrewer "Blues" (sequential, colour-blind safe), light to dark.
SEQUENTIAL = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"]


@per_dataset
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
        style_function=lambda f: {"fillColor": f["properties"]["colour"], "color": "#8A8A8A",
                                  "weight": 0.8, "fillOpacity": f["properties"]["opacity"],
                                  "dashArray": f["properties"].get("dash")},
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        # Wrapped: a field-presence tooltip names its source, too long for one line on a phone.
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False,
                                      style="white-space: normal; max-width: min(20rem, 70vw);"),
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


def symbol_of(kind: str) -> str:
    """The symbol (a key of ``OFFICE_STYLES``) an office of ``kind`` is drawn with."""
    return kind if kind in OFFICE_STYLES else SYMBOL_OF_KIND.get(kind, "other")


def add_offices(m: folium.Map, data: Dataset, lang: str = "en",
                selectable: bool = True) -> dict[str, folium.FeatureGroup]:
    """One layer per symbol (``OFFICE_STYLES``: headquarters, regional centres, field
    teams and offices, other offices), the headquarters drawn last. An office that
    shares its point with one drawn before it is drawn just above it
    (``marker_lifts``), its popup saying so, so both show and take clicks. An office
    with no coordinates stands at its municipality's seat, its tooltip and popup
    saying the location is approximate."""
    offices = data["offices"]
    regions = data["regions"].set_index("id")
    symbols = offices["kind"].map(symbol_of)
    placed = []  # (row, location) in drawing order
    for symbol in SYMBOL_ORDER:
        for _, row in offices[symbols == symbol].iterrows():
            location = office_location(row)
            if location is not None:  # else an unknown municipality code: the validator names it
                placed.append((row, location))
    extents = {symbol: style["radius"] + style["weight"] for symbol, style in OFFICE_STYLES.items()}
    lifts = marker_lifts([((loc.lat, loc.lon), extents[symbol_of(row["kind"])]) for row, loc in placed])
    groups = {symbol: folium.FeatureGroup(name=t(f"map.symbol.{symbol}", lang)) for symbol in SYMBOL_ORDER}
    for (row, location), lift in zip(placed, lifts):
        symbol = symbol_of(row["kind"])
        style = OFFICE_STYLES[symbol]
        permanent = row["kind"] == "regional_centre"
        label = office_label(row, regions, lang)
        if location.approximate:
            label = t("map.approximate_tooltip", lang, label=label)
        label = escape(label)
        marker = folium.CircleMarker(
            location=[location.lat, location.lon],
            radius=style["radius"], color=style["color"], weight=style["weight"],
            fill=True, fill_color=style["fill_color"], fill_opacity=1,
            class_name=f"omik-office omik-{style['shape']}",
            # A town label stays by its marker (not sticky), where _LabelsInside places it.
            tooltip=folium.Tooltip(label, permanent=permanent, sticky=not permanent,
                                   direction="right" if permanent else "auto"),
        ).add_to(groups[symbol])
        if style["shape"] in SHAPES:
            marker.add_child(_Shaped(style["shape"]))
        popup = office_popup_html(row, lang)
        if lift:
            marker.add_child(_Lifted(lift))
            below = [place_name(other, lang) for other, at in placed
                     if other["id"] != row["id"] and (at.lat, at.lon) == (location.lat, location.lon)]
            popup += f"<br><i>{escape(t('map.lifted_note', lang, others='; '.join(below)))}</i>"
        marker.add_child(_Popup(popup, max_width=280))
        if selectable:
            marker.add_child(_Selects("office", str(row["id"])))
    for symbol, group in groups.items():
        if symbol in set(symbols):
            group.add_to(m)
    return groups


def add_municipality_names(m: folium.Map, data: Dataset, region: str, lang: str = "en") -> None:
    """The names of a region's municipalities, as town labels at their seats (placed
    by ``map_labels.js`` like the regional centres' names), for a map zoomed to that
    region. A municipality that holds a regional centre is named by its label already."""
    offices = data["offices"]
    named = set(offices.loc[offices["kind"] == "regional_centre", "municipality_code"])
    seats = municipality_seats()
    group = folium.FeatureGroup(name=t("map.layer.municipality_names", lang), control=False)
    municipalities = data["municipalities"]
    for _, row in municipalities[municipalities["region_id"] == region].iterrows():
        if row["code"] in named or row["code"] not in seats:
            continue
        folium.CircleMarker(
            location=list(seats[row["code"]]), radius=2, color="#444444", weight=1, fill=True,
            fill_color="#444444", fill_opacity=1, class_name="omik-seat",  # clicks pass through: see _Scale
            tooltip=folium.Tooltip(escape(place_name(row, lang)), permanent=True, direction="right", sticky=False,
                                   class_name="omik-municipality-name"),
        ).add_to(group)
    group.add_to(m)


def presence_map(data: Dataset, lang: str = "en", region: str | None = None,
                 measure: str = "region", layer_control: bool = False, year: str | None = None) -> folium.Map:
    """Municipalities coloured by regional-centre area (or by ``measure``), with the
    offices as symbols and a legend inside the map. ``region`` zooms to that region,
    fades the rest and names its municipalities. ``year`` (a ``presence_over_time``
    year) keeps only the offices dated for it, in the markers and the measures alike.
    Works with no field-team rows."""
    data = dataclasses.replace(data, tables={**data.tables, "offices": offices_in(data, year),
                                             "field_presence": presence_in(data, year)})
    m = base_map(region_bounds(data, region) if region else None, lang, legend_html(data, lang, measure))
    add_municipalities(m, data, lang, region, measure)
    if region:
        add_municipality_names(m, data, region, lang)
    add_offices(m, data, lang)
    m.add_child(_LabelsInside())
    if year is not None:
        m.add_child(_YearBadge(t("map.year_badge", lang, year=year)))
    if layer_control:
        folium.LayerControl(collapsed=True).add_to(m)
    return m


def placing_map(data: Dataset, lang: str = "en") -> folium.Map:
    """The map an editor clicks to place an office (``st_folium`` on the Update data
    page): the municipalities, named on hover, and the offices where they are now.
    It depends only on the data, so a click does not rebuild it: the chosen point
    is drawn by ``chosen_point_layer``."""
    m = base_map(lang=lang, legend=legend_html(data, lang))
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


def symbol_svg(symbol: str, size: int = 18) -> str:
    """An office's symbol (a key of ``OFFICE_STYLES``) as a small inline SVG for the
    legend: the shape, colours and outline the map draws it with."""
    style = OFFICE_STYLES[symbol]
    half = size / 2
    r = half - 1 - style["weight"] / 2  # the whole outline inside the box
    paint = f'fill="{style["fill_color"]}" stroke="#444444" stroke-width="{style["weight"]}"'
    if style["shape"] in SHAPES:
        points = " ".join(f"{half + x * r:.2f},{half + y * r:.2f}" for x, y in SHAPES[style["shape"]])
        body = f'<polygon class="omik-{style["shape"]}" points="{points}" {paint}/>'
    else:
        body = f'<circle class="omik-{style["shape"]}" cx="{half}" cy="{half}" r="{r * 0.7:.2f}" {paint}/>'
    return f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" aria-hidden="true">{body}</svg>'


def legend_html(data: Dataset, lang: str = "en", measure: str = "region") -> str:
    """The map's legend (``_Legend``): the areas' colours (each region, or the
    measure's scale) and the symbol of each kind of office the map draws, every
    name escaped. ``ValueError`` for an unknown ``measure`` (``check_measure``)."""
    check_measure(measure)
    if measure == "region":
        title, items = t("map.legend_title", lang), legend_items(data, lang)
    elif measure == "field_presence":
        title, items = t("map.presence_legend_title", lang), presence_legend(lang)
    else:
        values = MEASURES[measure](data)
        maximum = int(values.max()) if len(values) else 0
        title = t("map.measure_legend", lang, measure=t(f"map.measure.{measure}", lang), maximum=maximum)
        items = [(colour, "") for colour in SEQUENTIAL]
    areas = "".join(f'<li><span class="omik-swatch" style="background:{colour}"></span>{escape(name)}</li>'
                    for colour, name in items)
    present = set(data["offices"]["kind"].map(symbol_of))
    symbols = "".join(f"<li>{symbol_svg(symbol)}{escape(t(f'map.symbol.{symbol}', lang))}</li>"
                      for symbol in reversed(SYMBOL_ORDER) if symbol in present)
    offices = f"<p>{escape(t('map.legend_offices_title', lang))}</p><ul>{symbols}</ul>" if symbols else ""
    return (f'<details class="omik-legend" open><summary>{escape(t("map.legend", lang))}</summary>'
            f"<p>{escape(title)}</p><ul>{areas}</ul>{offices}</details>")


def region_basis_note(data: Dataset, lang: str = "en") -> str:
    """How the municipality-to-region assignment was made, with the data's own counts."""
    basis = data["municipalities"]["region_basis"]
    return t("map.region_basis_note", lang, named=int((basis == "named").sum()), total=len(basis))
