import streamlit as st

from dashboard import charts, ui
from dashboard.i18n import t
from dashboard.kpis import budget_kpi
from dashboard.cache import figures_table

page = ui.page_start("budget.title", "budget.intro", embed_view="budget_over_time")
data, lang = page.data, page.lang
ui.freshness_line(["budget"], lang)

ui.kpi_cards([budget_kpi(data, lang)], lang, per_row=1)
ui.chart_block(charts.budget_chart(data, lang), lang)

st.subheader(t("budget.all_title", lang))
ui.table_block("budget_all_figures", figures_table("budget", lang), lang)
page.finish()
