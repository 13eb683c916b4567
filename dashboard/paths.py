"""Where the project's files live. Everything is relative to the repository root."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"  # the embedded package, the default everywhere
GEO_DIR = ROOT / "geo"
STATIC_DIR = ROOT / "static"
DESCRIPTOR_NAME = "datapackage.json"
MUNICIPALITIES_GEOJSON = GEO_DIR / "municipalities.geojson"


def app_data_dir() -> Path:
    """The package the app shows: ``$OMIK_DATA_DIR`` when set (a deployment's own
    data folder, or a test fixture), else the embedded ``data/``. Read on every
    call so a test can point a running app elsewhere."""
    return Path(os.environ.get("OMIK_DATA_DIR") or DATA_DIR)
