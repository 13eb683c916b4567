"""Builds geo/municipalities.geojson from the shared boundary file.

Input: ../shared/geo-source/kosovo_municipalities.geojson (geoBoundaries XKX ADM2,
38 features, WGS84 lon/lat, CC BY-SA 2.0; see ../shared/geo-source/SOURCE.md).

The municipalities form a coverage (they tile Kosovo with shared edges), so they are
simplified together with shapely.coverage_simplify: simplifying each polygon on its
own would open slivers between neighbours. Properties are reduced to `code`; names
and regions live in data/municipalities.csv, the one place staff edit them.

Run: .venv/bin/python scripts/build_geo.py [--tolerance DEGREES]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "geo-source" / "kosovo_municipalities.geojson"
TARGET = ROOT / "geo" / "municipalities.geojson"
DECIMALS = 4  # 1e-4 degrees is about 8-11 m in Kosovo: finer than any screen shows here


def build(tolerance: float) -> dict:
    gdf = gpd.read_file(SOURCE)
    assert gdf.crs is None or gdf.crs.to_epsg() == 4326, gdf.crs
    simplified = shapely.coverage_simplify(gdf.geometry.values, tolerance)
    simplified = shapely.set_precision(simplified, 10 ** -DECIMALS)
    out = gpd.GeoDataFrame({"code": gdf["code"]}, geometry=simplified, crs="EPSG:4326")
    assert out.geometry.is_valid.all() and len(out) == 38
    return json.loads(out.sort_values("code").to_json(drop_id=True, to_wgs84=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=0.0025, help="degrees (default 0.0025, about 250 m)")
    args = parser.parse_args()
    geojson = build(args.tolerance)
    TARGET.parent.mkdir(exist_ok=True)
    text = json.dumps(geojson, separators=(",", ":"))
    TARGET.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(text):,} bytes, {len(geojson['features'])} features")


if __name__ == "__main__":
    main()
