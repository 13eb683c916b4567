import streamlit as st

from dashboard import ui
from dashboard.elections import sections
from dashboard.i18n import t
from dashboard.kpis import indicator_kpis

page = ui.page_start("elections.title", "elections.intro")
data, lang = page.data, page.lang
ui.freshness_line(["elections", "indicators"], lang)

summary = indicator_kpis(data, "elections", lang)
if summary:
    st.header(t("elections.summary", lang))
    ui.kpi_cards(summary, lang)

parts = sections(data, lang)
if not parts:
    st.info(t("elections.empty", lang), icon=":material/info:")
for section in parts:
    st.header(section.title)  # catalogue text; the years are digits from dates
    for spec in section.charts:
        ui.chart_block(spec, lang, level=3)
    if section.statements:
        st.write(t("elections.not_facilitated_intro", lang))
        for statement in section.statements:
            with st.container(border=True):
                st.markdown(f"**{ui.md_escape(statement.title)}**")
                st.markdown(ui.md_escape(statement.note))
                st.caption(ui.md_escape(statement.caption))
    if not section.others.empty:
        ui.collapsed_table(f"elections_{section.key}_figures", section.others, t("elections.other_figures", lang), lang)
page.finish()
