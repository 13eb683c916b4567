import streamlit as st

from dashboard import ui
from dashboard.cache import rendered_presence_map
from dashboard.i18n import t
from dashboard.kpis import overview_kpis
from dashboard.maps import region_basis_note

page = ui.page_start("overview.title", "overview.intro", embed_view="map")
data, lang = page.data, page.lang
ui.freshness_line(["staffing", "budget", "indicators", "offices", "regions", "municipalities"], lang)

st.header(t("overview.kpis", lang))
ui.kpi_cards(overview_kpis(data, lang), lang)

st.header(t("overview.map", lang))
ui.static_map(rendered_presence_map(lang), lang)
ui.map_legend(data, lang)
st.caption(region_basis_note(data, lang))
st.caption(t("map.attribution", lang))

st.header(t("overview.mandate_title", lang))
st.write(t("overview.mandate", lang))
departments, principles = st.columns(2)
with departments:
    st.markdown(f"**{t('overview.departments_title', lang)}**")
    st.markdown("\n".join(f"- {t(f'overview.department.{i}', lang)}" for i in range(1, 4)))
with principles:
    st.markdown(f"**{t('overview.principles_title', lang)}**")
    st.markdown("\n".join(f"- {t(f'overview.principle.{i}', lang)}" for i in range(1, 5)))
st.caption(t("overview.mandate_source", lang))

page.finish()
