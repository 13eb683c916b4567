"""Where the project's files live. Everything is relative to the repository root."""
from __future__ import annotations

import os
import stat
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


def inside(folder: Path, relative: object) -> Path | None:
    """``folder / relative`` when that names something inside ``folder`` once every
    link is followed; ``None`` for a path that leads out of it (absolute, ``..``, a
    symbolic link out), an address (``https://...``) or a name that is not text.
    A data package's paths come from its ``datapackage.json``: read as they were,
    ``"/proc/self/environ"`` printed the environment."""
    if not isinstance(relative, str) or not relative.strip() or "\x00" in relative or "://" in relative:
        return None
    if "\\" in relative or Path(relative).is_absolute():
        return None
    if "/" not in relative and relative not in (".", ".."):  # a name in the folder: inside unless a link
        try:
            if not stat.S_ISLNK(os.lstat(os.path.join(folder, relative)).st_mode):
                return Path(folder) / relative
        except OSError:
            return Path(folder) / relative  # nothing there yet, so nothing to follow
    base = os.path.realpath(folder)
    target = os.path.realpath(os.path.join(base, relative))
    return Path(folder) / relative if os.path.commonpath([base, target]) == base and target != base else None
