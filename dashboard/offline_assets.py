"""Serving Leaflet from the app itself, so maps draw with no internet.

folium points every map at CDNs (Leaflet, jQuery, Bootstrap, Font Awesome). Offline,
the first script fails and the map's frame stays empty, silently.
``scripts/setup`` installs Leaflet from the npm registry into ``static/leaflet`` and
Streamlit serves that folder at ``/app/static/`` (``server.enableStaticServing``).
"""
from __future__ import annotations

import folium
from branca.element import MacroElement
from jinja2 import Template

from .paths import STATIC_DIR

LEAFLET_URL = "/app/static/leaflet"
LOCAL_FILES = [STATIC_DIR / "leaflet" / "leaflet.js", STATIC_DIR / "leaflet" / "leaflet.css"]


def local_leaflet_installed() -> bool:
    """Whether ``scripts/setup`` has put Leaflet where the app serves it."""
    return all(path.is_file() for path in LOCAL_FILES)


class _LocalIconPath(MacroElement):
    # Leaflet guesses its marker-image folder from the CSS URL and races the
    # stylesheet; set it outright or default markers 404.
    _template = Template(
        "{% macro script(this, kwargs) %}"
        "L.Icon.Default.imagePath = '" + LEAFLET_URL + "/images/';"
        "{% endmacro %}"
    )


def use_local_assets(m: folium.Map) -> folium.Map:
    """Point ``m`` at the app's own copy of Leaflet and drop the CDN extras
    (jQuery, Bootstrap, Font Awesome, awesome-markers) that our maps do not use:
    popups are bound without jQuery (``maps._Popup``).

    Call it before adding layers. Leaves the CDN links in place when the local copy
    is missing (a set-up step skipped); the page warns about that.
    """
    if local_leaflet_installed():
        m.default_js = [("leaflet", f"{LEAFLET_URL}/leaflet.js")]
        m.default_css = [("leaflet_css", f"{LEAFLET_URL}/leaflet.css")]
        m.add_child(_LocalIconPath())
    return m

