"""Where an office stands on the map, and placing one by a click.

An office row has coordinates, or only its municipality: then the map draws it at the
municipality's seat (``geo/municipality_seats.csv``) and says the location is
approximate. Placing by a click turns a point into an edit of the offices table,
which is then checked and saved like any other edit.
"""
from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import shapely
from shapely.geometry import shape

from .geo import OUTLINE_TOLERANCE_DEG, municipality_geojson
from .paths import GEO_DIR
from .reading import FileRows

SEATS_CSV = GEO_DIR / "municipality_seats.csv"
# A click carries the map's full float precision; 5 decimals is about 1 m, finer than
# any office position the sources give.
DECIMALS = 5


@dataclass(frozen=True)
class Location:
    """Where the map draws an office; ``approximate`` when it is its municipality's seat."""

    lat: float
    lon: float
    approximate: bool


@lru_cache(maxsize=1)
def municipality_seats() -> dict[str, tuple[float, float]]:
    """``{municipality code: (lat, lon)}`` of each municipality's seat, WGS84 degrees."""
    with SEATS_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(handle)}


def _number(value: Any) -> float | None:
    """A coordinate cell as a float: ``None`` when empty (``""``, ``None``, NaN, pandas' NA)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def office_location(row: Mapping) -> Location | None:
    """Where the map draws an office row: its own ``lat``/``lon`` when it has both,
    else its municipality's seat (approximate); ``None`` when it has neither (an
    unknown municipality code, which the validator reports)."""
    lat, lon = _number(row.get("lat")), _number(row.get("lon"))
    if lat is not None and lon is not None:
        return Location(lat, lon, False)
    seat = municipality_seats().get(str(row.get("municipality_code")))
    return Location(*seat, True) if seat else None


@lru_cache(maxsize=1)
def _municipality_shapes() -> list[tuple[str, shapely.Geometry]]:
    shapes = [(f["properties"]["code"], shape(f["geometry"])) for f in municipality_geojson()["features"]]
    for _, geometry in shapes:
        shapely.prepare(geometry)
    return shapes


def municipality_at(lat: float, lon: float) -> str | None:
    """The code of the municipality the point (WGS84 degrees) lies in; for a point
    just outside the simplified boundaries (within the validator's tolerance,
    ``geo.OUTLINE_TOLERANCE_DEG``), the nearest one; ``None`` beyond that."""
    point = shapely.Point(lon, lat)
    for code, geometry in _municipality_shapes():
        if geometry.contains(point):
            return code
    distance, code = min((geometry.distance(point), code) for code, geometry in _municipality_shapes())
    return code if distance <= OUTLINE_TOLERANCE_DEG else None


def coordinate_text(value: float) -> str:
    """A coordinate as the table stores it: at most ``DECIMALS`` decimals, no trailing zeros."""
    return f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")


def placed_table(table: FileRows, office_id: str, lat: float, lon: float,
                 values: Mapping[str, str] | None = None, new: bool = False) -> FileRows:
    """The offices table ``table`` with office ``office_id`` at the point (lat, lon)
    and the other cells in ``values`` (e.g. ``municipality_code``,
    ``location_precision``) set. With ``new``, a row is appended (a new field team:
    ``values`` then carries its names, kind, sources and dates), even when the id is
    taken: the validator then names the duplicate, instead of a new team silently
    overwriting an office.

    Only the named cells change, so the review shows exactly what the click did.
    Nothing else is checked here: the result goes through the validator like any edit.
    """
    cells = {**(values or {}), "lat": coordinate_text(lat), "lon": coordinate_text(lon)}
    unknown = set(cells) - set(table.header)
    if unknown:
        raise ValueError(f"placed_table: no column {', '.join(sorted(unknown))} in {table.filename}")
    id_i = table.header.index("id")
    rows = [list(row) + [""] * (len(table.header) - len(row)) for row in table.rows]
    target: list[str] | None = None if new else next((row for row in rows if row[id_i] == office_id), None)
    numbers = list(table.row_numbers)
    if new:
        target = [""] * len(table.header)
        target[id_i] = office_id
        rows.append(target)
        numbers.append((numbers[-1] if numbers else 1) + 1)
    elif target is None:
        raise ValueError(f"placed_table: no office {office_id!r} in {table.filename}")
    for column, value in cells.items():
        target[table.header.index(column)] = value
    return replace(table, rows=rows, row_numbers=numbers)


class BadPoint(ValueError):
    """A clicked point that is not a position: ``axis`` (``"lat"`` or ``"lng"``, or
    ``"point"`` for the whole) and the ``value`` the map sent, for the page to say so."""

    def __init__(self, axis: str, value: object):
        super().__init__(f"the clicked point's {axis} is not a finite number: {value!r}")
        self.axis, self.value = axis, value


def clicked_point(clicked: object) -> tuple[float, float]:
    """The ``(lat, lon)`` of a click on the placing map (``{"lat": ..., "lng": ...}``,
    as ``st_folium`` returns it), both finite numbers; ``BadPoint`` naming the first
    part that is not (missing, ``None``, text, a boolean, NaN or infinite), so the
    page refuses it in words instead of failing on it further on."""
    if not isinstance(clicked, Mapping):
        raise BadPoint("point", clicked)
    values = []
    for axis in ("lat", "lng"):
        value = clicked.get(axis)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise BadPoint(axis, value)
        values.append(float(value))
    return values[0], values[1]
