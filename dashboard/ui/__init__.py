"""Streamlit building blocks shared by pages, so no page repeats another's layout.

- ``frame``: the frame of every page (language, data, title, notices, print styles).
- ``text``: text from the data or the address bar, escaped for Markdown (and for
  HTML, the long lists).
- ``url_state``: widgets whose values live in the address bar.
- ``sharing``: the link to a view (Copy, Share), its embed snippet and footer, the
  gallery of embeddable views, the briefing download.
- ``figures``: headline cards, charts and tables with their sources and CSVs.
- ``static_chart``: a chart drawn on the server as SVG, as pictures on a page.
- ``map_widgets``: the maps, their legend and the detail panel
  (``map_frame.js`` is the clickable map's frame in the browser).
- ``sign_in``: signing in to edit.
- ``freshness``: how current the data on a page is.

Pages use the names below (``ui.page_start``, ``ui.chart_block``...).
"""
from .figures import (
    chart_block,
    collapsed_table,
    csv_download,
    kpi_cards,
    kpi_strip,
    mandate,
    milestones_timeline,
    table_block,
)
from .frame import Page, current_lang, embed_start, language_switcher, navigation_pages, page_start
from .freshness import freshness_line, freshness_table
from .map_widgets import below_cue, clickable_map, detail_panel, static_map
from .sharing import briefing_button, embed_footer, embed_gallery, iframe_snippet, share_link
from .sign_in import signed_in_user
from .text import md_escape, md_frame, shorten, sources_list, t_md
from .url_state import url_choice, url_choices, url_value

__all__ = [
    "Page", "below_cue", "briefing_button", "chart_block", "clickable_map", "collapsed_table", "csv_download",
    "current_lang", "detail_panel", "embed_footer", "embed_gallery", "embed_start", "freshness_line", "freshness_table",
    "iframe_snippet", "kpi_cards", "kpi_strip", "language_switcher", "md_escape", "md_frame",
    "mandate", "milestones_timeline", "navigation_pages", "page_start", "share_link", "shorten", "sources_list",
    "signed_in_user", "static_map", "t_md", "table_block", "url_choice", "url_choices", "url_value",
]
