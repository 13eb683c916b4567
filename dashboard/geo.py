"""Kosovo's municipal boundaries (``geo/municipalities.geojson``).

Coordinates are WGS84 longitude/latitude in decimal degrees (EPSG:4326) throughout.
"""
from __future__ import annotations

import json
from functools import lru_cache

import shapely
from shapely.geometry import shape

from .paths import MUNICIPALITIES_GEOJSON

# The shipped boundaries are simplified (about 250 m) and come from a 2017 OSM
# snapshot, so a point on the border may fall just outside; allow about 1 km.
OUTLINE_TOLERANCE_DEG = 0.01


@lru_cache(maxsize=1)
def municipality_geojson() -> dict:
    """The 38 municipalities as a GeoJSON FeatureCollection; each feature's only
    property is ``code`` (the key of ``data/municipalities.csv``)."""
    return json.loads(MUNICIPALITIES_GEOJSON.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def kosovo_outline() -> shapely.Geometry:
    """Kosovo's outline (union of the municipalities), widened by
    ``OUTLINE_TOLERANCE_DEG`` degrees, prepared for fast point tests."""
    union = shapely.union_all([shape(f["geometry"]) for f in municipality_geojson()["features"]])
    outline = union.buffer(OUTLINE_TOLERANCE_DEG)
    shapely.prepare(outline)
    return outline


def contains_point(lat: float, lon: float) -> bool:
    """Whether the point (degrees, WGS84) lies inside Kosovo, within the tolerance."""
    return kosovo_outline().contains(shapely.Point(lon, lat))


def municipality_codes() -> list[str]:
    """The codes of the municipalities the boundary file draws."""
    return [f["properties"]["code"] for f in municipality_geojson()["features"]]
