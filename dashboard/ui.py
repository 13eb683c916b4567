"""Streamlit building blocks shared by pages, so no page repeats another's layout code."""
from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from .cache import dataset
from .i18n import DEFAULT_LANG, t
from .kpis import Kpi
from .loading import Dataset
from .maps import escape, legend_items
from .offline_assets import local_leaflet_installed


def page_start(title_key: str, intro_key: str | None = None) -> tuple[Dataset, str]:
    """The top every page shares: title, intro, and a notice if the data files have
    problems. Returns the dataset and the interface language."""
    lang = DEFAULT_LANG
    data = dataset()
    st.title(t(title_key, lang))
    if intro_key:
        st.write(t(intro_key, lang))
    data_problems_notice(data, lang)
    return data, lang


def data_problems_notice(data: Dataset, lang: str = "en") -> None:
    """A warning above the page when the data files did not validate."""
    errors = [p for p in data.problems if p.severity == "error"]
    if errors:
        st.warning(t("data.problems", lang, count=len(errors)), icon=":material/warning:")


def kpi_cards(kpis: list[Kpi], lang: str = "en", per_row: int = 3) -> None:
    """Headline figures as cards, each with its source and as-of date beneath.
    Columns wrap to one per line on a phone (Streamlit stacks them)."""
    for start in range(0, len(kpis), per_row):
        for column, kpi in zip(st.columns(per_row), kpis[start:start + per_row]):
            with column.container(border=True):
                st.metric(kpi.label(lang), kpi.display_value(lang))
                if kpi.detail:
                    st.markdown(kpi.detail)
                st.caption(kpi.caption(lang))


def static_map(m, key: str, lang: str = "en", height: int = 480) -> None:
    """A map that never reruns the page on pan, zoom or click (``returned_objects=[]``)."""
    if not local_leaflet_installed():
        st.warning(t("map.assets_missing", lang))
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[])


def region_legend(data: Dataset, lang: str = "en") -> None:
    """The map's legend, in Streamlit rather than on the map: readable by screen
    readers, and it needs no extra JavaScript (branca legends pull d3 from a CDN)."""
    swatches = " ".join(
        f'<span style="white-space:nowrap"><span aria-hidden="true" style="display:inline-block;'
        f'width:0.9em;height:0.9em;background:{colour};border:1px solid #444;vertical-align:middle">'
        f"</span> {escape(name)}</span>"
        for colour, name in legend_items(data, lang)
    )
    st.markdown(f"**{escape(t('map.legend_title', lang))}**: {swatches}", unsafe_allow_html=True)
    st.caption(t("map.legend_offices", lang))
