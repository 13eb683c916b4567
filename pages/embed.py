import streamlit as st

from dashboard import ui
from dashboard.cache import rendered_presence_map
from dashboard.embeds import VIEWS, chart_for
from dashboard.i18n import t
from dashboard.maps import available_measures
from dashboard.presence_over_time import NOW, year_options

data, lang = ui.embed_start()
view = ui.url_value("view", VIEWS, lang) or "map"
region = ui.url_value("region", list(data["regions"]["id"]), lang)

if view == "map":
    measure = ui.url_value("measure", available_measures(data), lang) or "region"
    year = ui.url_value("year", year_options(data), lang)
    ui.static_map(rendered_presence_map(lang, region, measure, year=None if year in (None, NOW) else year), lang,
                  height=520)
    ui.map_legend(data, lang, measure)
    st.caption(t("map.attribution", lang))
elif view == "briefing":
    st.write(t("embed.briefing", lang))
    ui.briefing_button(data, lang, region)
else:
    ui.chart_block(chart_for(view, data, lang), lang, level=3)  # a block within a section of the host's page
st.caption(t("embed.credit", lang))
