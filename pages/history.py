import datetime as dt

import streamlit as st

from dashboard import charts, ui
from dashboard.i18n import t

page = ui.page_start("history.title", "history.intro", embed_view="milestones_per_year")
data, lang = page.data, page.lang
ui.freshness_line(["milestones", "heads_of_mission"], lang)
milestones = data["milestones"]
themes = sorted(dict.fromkeys(milestones["theme"]))

chosen = ui.url_choices(t("history.themes", lang), "theme", themes, lambda th: t(f"theme.{th}", lang), lang)

ui.chart_block(charts.themes_milestones_chart(data, tuple(sorted(chosen)), lang), lang)
# The two charts first, the long timeline (some sixty milestones) last.
ui.chart_block(charts.heads_of_mission_chart(data, dt.date.today().year, lang), lang)

st.header(t("history.timeline", lang))
ui.milestones_timeline(tuple(sorted(chosen)), lang)
page.finish()
