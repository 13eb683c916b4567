import streamlit as st

from dashboard import ui
from dashboard.cache import rendered_presence_map
from dashboard.i18n import t
from dashboard.kpis import headline, overview_kpis
from dashboard.maps import region_basis_note

# No intro paragraph: the headline, built from the figures, is the page's lead.
page = ui.page_start("overview.title", embed_view="map")
data, lang = page.data, page.lang
ui.freshness_line(["staffing", "budget", "indicators", "offices", "regions", "municipalities"], lang)

lead = headline(data, lang)
if lead:
    with st.container(key="headline"):
        st.markdown(ui.md_escape(lead))
ui.kpi_strip(overview_kpis(data, lang), lang)

st.header(t("overview.map", lang))
ui.static_map(rendered_presence_map(lang), lang)
st.caption(region_basis_note(data, lang))
st.caption(t("map.attribution", lang))

st.header(t("overview.mandate_title", lang))
ui.mandate(lang)

page.finish()
