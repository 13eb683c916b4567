import streamlit as st

from dashboard import charts, ui
from dashboard.i18n import t
from dashboard.kpis import staff_kpi
from dashboard.cache import figures_table

page = ui.page_start("staffing.title", "staffing.intro", embed_view="staffing_over_time")
data, lang = page.data, page.lang
ui.freshness_line(["staffing"], lang)

ui.kpi_cards([staff_kpi(data, lang)], lang, per_row=1)
ui.chart_block(charts.staffing_split_chart(data, lang), lang)
ui.chart_block(charts.staffing_chart(data, lang), lang)

st.subheader(t("staffing.all_title", lang))
st.caption(t("staffing.measures_note", lang))
ui.table_block("staffing_all_figures", figures_table("staffing", lang), lang)
st.info(t("staffing.no_regions", lang), icon=":material/info:")
page.finish()
