"""Where the project's files live. Everything is relative to the repository root."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# OMIK_DATA_DIR points the app at another copy of the package (a deployment's own
# data folder, or a test fixture); by default the embedded data/ is used.
DATA_DIR = Path(os.environ.get("OMIK_DATA_DIR") or ROOT / "data")
GEO_DIR = ROOT / "geo"
STATIC_DIR = ROOT / "static"
DESCRIPTOR_NAME = "datapackage.json"
MUNICIPALITIES_GEOJSON = GEO_DIR / "municipalities.geojson"
