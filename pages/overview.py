import streamlit as st

from dashboard import ui
from dashboard.i18n import t
from dashboard.kpis import overview_kpis
from dashboard.maps import presence_map

data, lang = ui.page_start("overview.title", "overview.intro")

st.subheader(t("overview.kpis", lang))
ui.kpi_cards(overview_kpis(data, lang), lang)

st.subheader(t("overview.map", lang))
ui.static_map(presence_map(data, lang), key="overview_map", lang=lang)
ui.region_legend(data, lang)
st.caption(t("map.region_basis_note", lang))
st.caption(t("map.attribution", lang))
