"""The OSCE Mission in Kosovo dashboard: everything but page layout.

Modules, by what they do:

The data package
- ``paths``: where data, geography and static assets live.
- ``schema``: the data package descriptor (``data/datapackage.json``).
- ``reading``: turning a CSV or XLSX file, as staff save it, into ``FileRows`` (text).
- ``validation``: checking those rows against the schema, in plain words.
- ``problems``: one problem found in a file, located as a person finds it in Excel.
- ``loading``: the one path from files to typed tables for the app (``Dataset``).
- ``freshness``: how current each table is, by its declared update rule.

Where the data is kept, and who may change it
- ``stores``: one storage interface (``Store``), two backends, chosen by configuration.
- ``storage``: the file backend: validated, atomic, versioned, audited, locked saves.
- ``postgres``: the PostgreSQL backend; ``migrations`` is its schema (Alembic).
- ``diffing``: what a new version of a table changes, row by row and cell by cell,
  and the same in human terms (column titles, counts in words, colours).
- ``editing``: the Update data page as plain data: the to-do table, the edit grid's
  columns from the schema, the grid's edits applied, the history in human terms.
- ``moves``: an office that moved, in words and on a small map; a clicked point's likely precision.
- ``auth``: who may change the data (OIDC or editors' bcrypt hashes), sign-in limits.
- ``settings``: the secrets file, read safely, and the database it names.
- ``cache``: Streamlit's caches around the store, keyed on its data version.

What pages show
- ``i18n``: every interface string (``t``), in one catalogue per language.
- ``formatting``: numbers and amounts as readers expect them.
- ``provenance``: as-of dates and sources, for display.
- ``kpis``: the headline figures and how each is chosen; the Overview's one-line
  headline built from them.
- ``display_tables``: figures as tables for people, each with hedge, date and source.
- ``charts``: Altair charts with the exact table each plots; ``monitoring``: the
  court-monitoring charts; ``elections``: the Elections page's groups and charts.
- ``static_charts``: charts drawn on the server as SVG, where no one interacts with them.
- ``geo``: municipality boundaries and the Kosovo outline.
- ``maps``: the folium maps (``map_labels.js`` places their town labels);
  ``offline_assets`` serves Leaflet from the app itself.
- ``places``: where an office stands on the map, and placing one by a click.
- ``details``: the map's detail panel for a region, municipality or office.
- ``presence_over_time``: the presence in a given year, as the sources tell it: the
  offices that stand and the municipalities where a source says a team works.
- ``state``: the view's state as URL query parameters (pure functions).
- ``embeds``: the views that can be embedded alone in another site's iframe, and the
  full view each links back to.
- ``export``: downloads safe to open in a spreadsheet, and the package as a zip.
- ``briefing``: the printable A4 PDF briefing.
- ``ui``: the package of Streamlit building blocks shared by pages (frame, text,
  URL state, sharing, figures, map widgets, sign-in, freshness);
  ``ui/map_frame.js`` is the clickable map's frame in the browser.
- ``page_shell``: Streamlit's HTML page naming the app's address, served by ``serve.py``
  at each page's address, so a shared link to a page connects at once.
- ``cli``: ``python -m dashboard ...``.
"""

__version__ = "0.1.0"
