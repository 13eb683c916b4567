import streamlit as st

from dashboard import charts, ui
from dashboard.cache import figures_table
from dashboard.i18n import t
from dashboard.kpis import staff_kpi

page = ui.page_start("staffing.title", "staffing.intro", embed_view="staffing_over_time")
data, lang = page.data, page.lang
ui.freshness_line(["staffing"], lang)

ui.kpi_cards([staff_kpi(data, lang)], lang, per_row=1)
ui.chart_block(charts.staffing_split_chart(data, lang), lang)
ui.chart_block(charts.staffing_chart(data, lang), lang)

ui.collapsed_table("staffing_all_figures", figures_table("staffing", lang), t("staffing.all_title", lang), lang,
                   note=t("staffing.measures_note", lang))
st.info(t("staffing.no_regions", lang), icon=":material/info:")
page.finish()
