"""An office that moved, in human terms: how far, which way, and whether it changed
municipality ("moved 6 km south-west, still in Prizren"); the map that shows it; and
how exact a newly placed point probably is.

Coordinates come in and go out as WGS84 latitude/longitude in decimal degrees
(EPSG:4326). Distances and directions are worked out in UTM zone 34N (EPSG:32634,
metres), the zone Kosovo lies in: over a few kilometres its grid north is within
a degree of true north, far finer than the eight compass points said. Municipalities
are the boundaries of ``geo/municipalities.geojson`` (``places.municipality_at``).
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import folium
import geopandas as gpd
from shapely.geometry import Point

from .diffing import TableDiff
from .i18n import DEFAULT_LANG, t
from .loading import Dataset
from .places import municipality_at, municipality_seats, office_location

METRIC_CRS = "EPSG:32634"  # UTM zone 34N, metres
DIRECTIONS = ("n", "ne", "e", "se", "s", "sw", "w", "nw")
# A point this close to its municipality's seat (metres) is taken for the town centre.
TOWN_CENTRE_M = 500


@dataclass(frozen=True)
class Move:
    """From ``before`` to ``after`` (``(lat, lon)``, degrees): ``metres`` apart,
    ``bearing`` in degrees clockwise from north, ``direction`` one of ``DIRECTIONS``;
    ``from_code``/``to_code`` the municipalities (``None`` outside every one)."""

    before: tuple[float, float]
    after: tuple[float, float]
    metres: float
    bearing: float
    direction: str
    from_code: str | None
    to_code: str | None


def _metric(points: Sequence[tuple[float, float]]) -> gpd.GeoSeries:
    return gpd.GeoSeries([Point(lon, lat) for lat, lon in points], crs="EPSG:4326").to_crs(METRIC_CRS)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two points (``(lat, lon)``, degrees), measured in UTM 34N."""
    first, second = _metric([a, b])
    return float(first.distance(second))


def office_move(before: tuple[float, float], after: tuple[float, float]) -> Move:
    """How an office moved from ``before`` to ``after`` (``(lat, lon)``, degrees)."""
    first, second = _metric([before, after])
    dx, dy = second.x - first.x, second.y - first.y
    bearing = math.degrees(math.atan2(dx, dy)) % 360
    return Move(before, after, math.hypot(dx, dy), bearing, DIRECTIONS[round(bearing / 45) % 8],
                municipality_at(*before), municipality_at(*after))


def distance_text(metres: float, lang: str = DEFAULT_LANG) -> str:
    """``350 m`` below a kilometre, else kilometres to one decimal (``6.2 km``,
    with the language's decimal mark)."""
    from .formatting import format_number

    if metres < 1000:
        return f"{round(metres)} m"
    kilometres = round(metres / 1000, 1)
    return f"{format_number(kilometres, lang) if kilometres.is_integer() else _decimal(kilometres, lang)} km"


def _decimal(value: float, lang: str) -> str:
    from babel.numbers import format_decimal

    from .formatting import babel_locale

    return format_decimal(value, format="#,##0.0", locale=babel_locale(lang))


def move_text(move: Move, names: Mapping[str, str], lang: str = DEFAULT_LANG) -> str:
    """"moved 6.2 km south-west, still in Prizren" or "..., from Prizren to
    Suharekë/Suva Reka"; ``names`` maps municipality codes to names."""
    def name(code):
        return names.get(code, code) if code else t("edit.move.outside", lang)

    params = {"distance": distance_text(move.metres, lang), "direction": t(f"edit.direction.{move.direction}", lang)}
    if move.from_code == move.to_code:
        return t("edit.move.within", lang, municipality=name(move.to_code), **params)
    return t("edit.move.between", lang, before=name(move.from_code), after=name(move.to_code), **params)


def moved_offices(diff: TableDiff, old_rows: Sequence[Mapping[str, str]]) -> list[tuple[str, Move]]:
    """``(office id, Move)`` of every office whose coordinates changed (an office
    that had none moves from its municipality's seat, where the map drew it)."""
    if diff.key_columns != ["id"]:
        return []
    before = {row.get("id"): row for row in old_rows}
    changed: dict[str, dict[str, str]] = {}
    for (office,), column, _old, new in diff.changed:
        if column in ("lat", "lon", "municipality_code"):
            changed.setdefault(office, {})[column] = new
    moves = []
    for office, cells in changed.items():
        if "lat" not in cells and "lon" not in cells:
            continue
        old = before.get(office, {})
        start, end = office_location(old), office_location({**old, **cells})
        if start and end:
            moves.append((office, office_move((start.lat, start.lon), (end.lat, end.lon))))
    return moves


def default_precision(lat: float, lon: float, municipality_code: str | None) -> str:
    """How exact a clicked point probably is: ``town_centre`` within
    ``TOWN_CENTRE_M`` metres of its municipality's seat, else ``building``."""
    seat = municipality_seats().get(municipality_code or "")
    if seat is not None and distance_m((lat, lon), seat) <= TOWN_CENTRE_M:
        return "town_centre"
    return "building"


def move_map(move: Move, label: str, lang: str = DEFAULT_LANG, data: Dataset | None = None) -> folium.Map:
    """A small map of a move: the old place (hollow grey), the new one (filled) and
    a line between them, zoomed to both, over the municipalities of ``data`` (named
    on hover), so that an editor sees where the office stands. ``label`` (the
    office's name) is escaped."""
    from .maps import add_municipalities, base_map, escape

    south, north = sorted((move.before[0], move.after[0]))
    west, east = sorted((move.before[1], move.after[1]))
    pad = 0.01  # degrees, about 1 km: the points stay clear of the edge
    m = base_map([[south - pad, west - pad], [north + pad, east + pad]], lang, max_zoom=14)
    if data is not None:
        add_municipalities(m, data, lang, selectable=False)
    folium.PolyLine([move.before, move.after], color="#555555", weight=2, dash_array="6 4").add_to(m)
    folium.CircleMarker(move.before, radius=7, color="#555555", weight=3, fill=True, fill_color="#FFFFFF",
                        fill_opacity=1, tooltip=escape(t("edit.move.before", lang, office=label))).add_to(m)
    folium.CircleMarker(move.after, radius=8, color="#000000", weight=3, fill=True, fill_color="#1c6e8c",
                        fill_opacity=1, tooltip=escape(t("edit.move.after", lang, office=label))).add_to(m)
    return m
