import streamlit as st

from dashboard import ui
from dashboard.cache import dataset
from dashboard.i18n import t
from dashboard.kpis import overview_kpis
from dashboard.maps import presence_map

lang = "en"
data = dataset()

st.title(t("overview.title", lang))
st.write(t("overview.intro", lang))
ui.data_problems_notice(data, lang)

st.subheader(t("overview.kpis", lang))
ui.kpi_cards(overview_kpis(data, lang), lang)

st.subheader(t("overview.map", lang))
ui.static_map(presence_map(data, lang), key="overview_map", lang=lang)
ui.region_legend(data, lang)
st.caption(t("map.region_basis_note", lang))
st.caption(t("map.attribution", lang))
