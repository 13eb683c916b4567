from dashboard import charts, ui
from dashboard.cache import figures_table
from dashboard.i18n import t
from dashboard.kpis import budget_kpi

page = ui.page_start("budget.title", "budget.intro", embed_view="budget_over_time")
data, lang = page.data, page.lang
ui.freshness_line(["budget"], lang)

ui.kpi_cards([budget_kpi(data, lang)], lang, per_row=1)
ui.chart_block(charts.budget_chart(data, lang), lang)

ui.collapsed_table("budget_all_figures", figures_table("budget", lang), t("budget.all_title", lang), lang)
page.finish()
