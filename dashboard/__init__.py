"""The OSCE Mission in Kosovo dashboard: everything but page layout.

Modules, by what they do:

- ``paths``: where data, geography and static assets live.
- ``i18n``: every interface string (``t``), in one catalogue per language.
- ``schema``: the data package descriptor (``data/datapackage.json``).
- ``reading``: turning a CSV or XLSX file, as staff save it, into rows of text.
- ``validation``: checking those rows against the schema, in plain words.
- ``loading``: the one path from files to typed tables for the app.
- ``provenance``: as-of dates and sources, for display.
- ``kpis``: the headline figures and how each is chosen.
- ``formatting``: numbers and amounts as readers expect them.
- ``geo``: municipality boundaries and the Kosovo outline.
- ``maps``: the folium maps; ``offline_assets`` serves Leaflet from the app itself;
  ``ui/map_frame.js`` is the clickable map's frame in the browser (see ``ui.clickable_map``).
- ``ui``: small Streamlit building blocks shared by pages.
- ``cli``: ``python -m dashboard ...``.
"""

__version__ = "0.1.0"
