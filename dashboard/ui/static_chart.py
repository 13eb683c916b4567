"""A chart drawn on the server (``static_charts``) on a page: no chart or table
script for the browser to fetch."""
from __future__ import annotations

import base64
import html

import pandas as pd
import streamlit as st

from ..formatting import figures_as_text
from ..i18n import DEFAULT_LANG, t
from ..static_charts import StaticChart
from .figures import chart_block, csv_download, lazy_expander
from .text import md_escape

# The phone's picture below this width of the window (px), the desktop's above it:
# the desktop's legend, two columns wide, would shrink to unreadable text on a phone.
_PHONE_WIDTH = 640
_STYLE = (".omik-chart-narrow{display:none}"
          f"@media (max-width:{_PHONE_WIDTH}px){{.omik-chart-wide{{display:none}}.omik-chart-narrow{{display:block}}}}")


def static_chart_block(chart: StaticChart, lang: str = DEFAULT_LANG) -> None:
    """``ui.chart_block`` for a chart drawn as SVG: its title (h2), the picture (one
    for desktops, one for phones, with every figure in its text alternative), a
    "view data" table in Markdown and a CSV of exactly what is plotted, and the
    caption. With too few figures for a chart, ``chart_block``'s figures and reason."""
    spec = chart.spec
    if not chart.wide:
        chart_block(spec, lang)
        return
    st.header(md_escape(spec.title))  # an indicator's label, from the data
    st.html(f'<div class="omik-static-chart"><style>{_STYLE}</style>'
            f'{image(chart.wide, chart.text, "omik-chart-wide")}{image(chart.narrow, chart.text, "omik-chart-narrow")}'
            "</div>")

    def fill() -> None:
        # Markdown, not st.table: no Arrow table script for the page to fetch.
        st.markdown(markdown_table(spec.data, lang))
        csv_download(spec.key, spec.data, lang)

    lazy_expander(t("chart.view_data", lang), f"view_{spec.key}", fill)
    st.caption(md_escape(spec.caption))


def image(svg: str, text: str, css_class: str) -> str:
    """An ``<img>`` of the SVG document ``svg`` whose text alternative is ``text``.

    An image, not the SVG itself in the page: st.html keeps no SVG element, and a
    picture loaded as an image can neither run script nor fetch anything."""
    source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img class="{css_class}" alt="{html.escape(text)}" src="data:image/svg+xml;base64,{source}" '
            'style="max-width:100%;height:auto">')


def markdown_table(frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> str:
    """``frame`` as a Markdown table that shows every cell exactly as written
    (escaped), its numbers as the language writes them."""
    shown = figures_as_text(frame, lang)
    rows = [[md_escape(name) for name in shown.columns], ["---"] * len(shown.columns)]
    rows += [[md_escape("" if pd.isna(value) else value) for value in row] for row in shown.itertuples(index=False)]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in rows)
