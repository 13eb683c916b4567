import streamlit as st

from dashboard import charts, ui
from dashboard.i18n import t
from dashboard.kpis import indicator_kpis
from dashboard.cache import figures_table

page = ui.page_start("reports.title", "reports.intro", embed_view="police_officers_trained")
data, lang = page.data, page.lang
indicators = data["indicators"]
groups = list(dict.fromkeys(indicators["group"]))

group = ui.url_choice(t("reports.group", lang), "group", ["all", *groups], "all",
                      lambda g: t("reports.all_groups", lang) if g == "all" else t(f"group.{g}", lang), lang)
chosen = None if group == "all" else group

st.subheader(t("reports.cumulative", lang))
cumulative = indicator_kpis(data, chosen, lang, period="1999/2024")
if cumulative:
    ui.kpi_cards(cumulative, lang)
else:
    st.info(t("reports.no_cumulative", lang), icon=":material/info:")

for indicator in ("police_officers_trained", "hate_incidents_reported"):
    spec = charts.indicator_chart(data, indicator, lang)
    if chosen is None or indicators.loc[indicators["indicator"] == indicator, "group"].eq(chosen).any():
        ui.chart_block(spec, lang)

st.subheader(t("reports.all_title", lang))
st.caption(t("reports.snapshots_note", lang))
ui.table_block("indicators", figures_table("indicators", lang, chosen), lang)
page.finish()
