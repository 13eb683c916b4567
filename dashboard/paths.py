"""Where the project's files live. Everything is relative to the repository root."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
GEO_DIR = ROOT / "geo"
STATIC_DIR = ROOT / "static"
DESCRIPTOR_NAME = "datapackage.json"
MUNICIPALITIES_GEOJSON = GEO_DIR / "municipalities.geojson"
