import streamlit as st

from dashboard import charts, ui
from dashboard.cache import figures_table
from dashboard.i18n import t
from dashboard.kpis import budget_kpi

page = ui.page_start("budget.title", "budget.intro", embed_view="budget_over_time")
data, lang = page.data, page.lang
ui.freshness_line(["budget"], lang)

ui.kpi_cards([budget_kpi(data, lang)], lang, per_row=1)
trend = charts.budget_chart(data, lang)
if trend.chart is not None:
    ui.chart_block(trend, lang)
    ui.collapsed_table("budget_all_figures", figures_table("budget", lang), t("budget.all_title", lang), lang)
else:
    # A handful of figures in different currencies and for different things: the
    # table itself, titled for what it is, rather than an empty chart over a notice.
    st.header(t("budget.figures_title", lang))
    st.caption(t("budget.no_trend_note", lang))
    ui.table_block("budget_all_figures", figures_table("budget", lang), lang)
page.finish()
