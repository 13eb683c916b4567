import streamlit as st

from dashboard import charts, monitoring, ui
from dashboard.cache import figures_table
from dashboard.i18n import t
from dashboard.kpis import CUMULATIVE_PERIOD, indicator_kpis

page = ui.page_start("reports.title", "reports.intro", embed_view=charts.CHARTED_INDICATORS[0])
data, lang = page.data, page.lang
ui.freshness_line(["indicators", "court_monitoring"], lang)
indicators = data["indicators"]
groups = list(dict.fromkeys(indicators["group"]))

group = ui.url_choice(t("reports.group", lang), "group", ["all", *groups], "all",
                      lambda g: t("reports.all_groups", lang) if g == "all" else t(f"group.{g}", lang), lang)
chosen = None if group == "all" else group

st.header(t("reports.cumulative", lang))
cumulative = indicator_kpis(data, chosen, lang, period=CUMULATIVE_PERIOD)
if cumulative:
    ui.kpi_cards(cumulative, lang, first=3)  # the summary; the others one click away
else:
    st.info(t("reports.no_cumulative", lang), icon=":material/info:")

if chosen in (None, "justice"):
    st.header(t("reports.court_title", lang))
    # Tabs: three charts in the height of one.
    for tab, build in zip(st.tabs([t("reports.tab.departments", lang), t("reports.tab.courts", lang),
                                   t("reports.tab.periods", lang)]),
                          (monitoring.department_chart, monitoring.court_chart, monitoring.period_chart)):
        with tab:
            ui.chart_block(build(data, lang), lang, level=3)

for indicator in charts.CHARTED_INDICATORS:
    if chosen is None or indicators.loc[indicators["indicator"] == indicator, "group"].eq(chosen).any():
        ui.chart_block(charts.indicator_chart(data, indicator, lang), lang)

st.header(t("reports.all_title", lang))
st.caption(t("reports.snapshots_note", lang))
if not groups:
    st.info(t("table.empty", lang), icon=":material/info:")
for name in [chosen] if chosen else groups:
    # One per field of work: the whole list is some sixty rows.
    ui.collapsed_table(f"indicators_{name}", figures_table("indicators", lang, name), t(f"group.{name}", lang), lang,
                       expanded=chosen is not None)
page.finish()
