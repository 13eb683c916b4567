"""Figures on a page: headline cards, charts and tables, each with its sources and
a CSV of exactly what it shows."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from ..charts import ChartSpec
from ..export import csv_for_excel
from ..i18n import DEFAULT_LANG, t
from ..kpis import Kpi
from .text import md_escape, shown_table


def kpi_cards(kpis: list[Kpi], lang: str = DEFAULT_LANG, per_row: int = 3) -> None:
    """Headline figures as cards, each with its source and as-of date beneath.
    Columns wrap to one per line on a phone (Streamlit stacks them). The detail and
    caption are plain lines of catalogue text and data, escaped whole."""
    for start in range(0, len(kpis), per_row):
        for column, kpi in zip(st.columns(per_row), kpis[start:start + per_row]):
            with column.container(border=True):
                st.metric(kpi.label(lang, md_escape), kpi.display_value(lang))
                if kpi.detail:
                    st.markdown(md_escape(kpi.detail))
                st.caption(md_escape(kpi.caption(lang)))


def chart_block(spec: ChartSpec, lang: str = DEFAULT_LANG) -> None:
    """A chart with its title, caption (sources and dates), a "view data" table and
    a CSV of exactly what is plotted; or, with too few figures for a trend, the
    figures themselves and the reason there is no chart."""
    st.subheader(md_escape(spec.title))  # an indicator's label, from the data
    if spec.chart is not None:
        # What st.altair_chart(spec.chart) would send, converted once per ChartSpec.
        st.vega_lite_chart(spec.vega_lite, width="stretch")
    else:
        st.info(spec.reason, icon=":material/info:")
    with st.expander(t("chart.view_data", lang), expanded=spec.chart is None):
        st.table(shown_table(spec.data, lang), hide_index=True)
        csv_download(spec.key, spec.data, lang)
    st.caption(md_escape(spec.caption))


def table_block(key: str, frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> None:
    """A table with a CSV download of exactly what it shows (the CSV has the values
    as they are; the screen has them escaped for Markdown, and its numbers written
    as the language writes them)."""
    if frame.empty:
        st.info(t("table.empty", lang), icon=":material/info:")
        return
    # st.table: plain HTML, so it prints, reads aloud and loads no grid component.
    st.table(shown_table(frame, lang), hide_index=True)
    csv_download(key, frame, lang)


def csv_download(key: str, frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> None:
    """A CSV of ``frame`` that opens safely in Excel, written only when clicked (a
    page has many, and most are never downloaded)."""
    st.download_button(t("chart.download_csv", lang), partial(csv_for_excel, frame), file_name=f"omik_{key}.csv",
                       mime="text/csv", key=f"download_{key}", icon=":material/download:", on_click="ignore")
