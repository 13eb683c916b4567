import streamlit as st

from dashboard import ui
from dashboard.elections import sections, summary
from dashboard.i18n import t

page = ui.page_start("elections.title", "elections.intro")
data, lang = page.data, page.lang
ui.freshness_line(["elections", "indicators"], lang)

parts = sections(data, lang)
cards = summary(data, lang)  # counts what the sections below list: one source of truth
if cards:
    st.header(t("elections.summary", lang))
    ui.kpi_cards(cards, lang)

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
