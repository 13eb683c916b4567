"""Builds geo/municipalities.geojson from the shared boundary file.

Input: ../shared/geo-source/kosovo_municipalities.geojson (geoBoundaries XKX ADM2,
38 features, WGS84 lon/lat, CC BY-SA 2.0; see ../shared/geo-source/SOURCE.md).

The municipalities form a coverage (they tile Kosovo with shared edges), so they are
simplified together with shapely.coverage_simplify: simplifying each polygon on its
own would open slivers between neighbours. Properties are reduced to `code`; names
and regions live in data/municipalities.csv, the one place staff edit them.

It also writes geo/municipality_seats.csv (code, lat, lon, seat_source) from
../shared/geo-source/municipality_seats.csv (GeoNames town points, CC BY 4.0): the
map places an office that has a municipality but no coordinates at its seat.

Run: .venv/bin/python scripts/build_geo.py [--tolerance DEGREES]
"""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import geopandas as gpd
import shapely

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "geo-source" / "kosovo_municipalities.geojson"
TARGET = ROOT / "geo" / "municipalities.geojson"
SEATS_SOURCE = SOURCE.with_name("municipality_seats.csv")
SEATS_TARGET = ROOT / "geo" / "municipality_seats.csv"
SEAT_COLUMNS = ["code", "lat", "lon", "seat_source"]  # names live in data/municipalities.csv
DECIMALS = 4  # 1e-4 degrees is about 8-11 m in Kosovo: finer than any screen shows here


def build(tolerance: float) -> dict:
    gdf = gpd.read_file(SOURCE)
    assert gdf.crs is None or gdf.crs.to_epsg() == 4326, gdf.crs
    simplified = shapely.coverage_simplify(gdf.geometry.values, tolerance)
    simplified = shapely.set_precision(simplified, 10 ** -DECIMALS)
    out = gpd.GeoDataFrame({"code": gdf["code"]}, geometry=simplified, crs="EPSG:4326")
    assert out.geometry.is_valid.all() and len(out) == 38
    return json.loads(out.sort_values("code").to_json(drop_id=True, to_wgs84=True))


def build_seats(codes: list[str]) -> list[dict]:
    with SEATS_SOURCE.open(encoding="utf-8", newline="") as handle:
        rows = [{c: row[c] for c in SEAT_COLUMNS} for row in csv.DictReader(handle)]
    assert sorted(r["code"] for r in rows) == sorted(codes), "a seat for every boundary, and only those"
    return sorted(rows, key=lambda r: r["code"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=0.0025, help="degrees (default 0.0025, about 250 m)")
    args = parser.parse_args()
    geojson = build(args.tolerance)
    TARGET.parent.mkdir(exist_ok=True)
    text = json.dumps(geojson, separators=(",", ":"))
    TARGET.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(text):,} bytes, {len(geojson['features'])} features")
    seats = build_seats([f["properties"]["code"] for f in geojson["features"]])
    with SEATS_TARGET.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, SEAT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(seats)
    print(f"wrote {SEATS_TARGET.relative_to(ROOT)}: {len(seats)} seats")


if __name__ == "__main__":
    main()
