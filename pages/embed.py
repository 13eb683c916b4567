import streamlit as st

from dashboard import ui
from dashboard.cache import rendered_presence_map
from dashboard.embeds import VIEWS, chart_for, map_sources
from dashboard.i18n import t
from dashboard.maps import available_measures
from dashboard.presence_over_time import NOW, year_options

# The menu's "Embed" entry (no parameter but the language, not in another site's
# iframe): the gallery of what can be embedded. Anything else is one view, alone.
if not set(st.query_params) - {"lang"} and not st.context.is_embedded:
    page = ui.page_start("embed.gallery_title", "embed.gallery_intro")
    ui.embed_gallery(page.data, page.lang)
    page.finish(briefing=False)
    st.stop()  # (a page of its own: nothing below is for it)

data, lang = ui.embed_start()
view = ui.url_value("view", VIEWS, lang) or "map"
region = ui.url_value("region", list(data["regions"]["id"]), lang)

if view == "map":
    measure = ui.url_value("measure", available_measures(data), lang) or "region"
    year = ui.url_value("year", year_options(data), lang)
    st.subheader(t("embed.map_title", lang))
    ui.static_map(rendered_presence_map(lang, region, measure, year=None if year in (None, NOW) else year), lang,
                  height=520)
    named = map_sources(data)  # the three most cited, and how many more
    more = [t("embed.more_sources", lang, count=len(named) - 3)] if len(named) > 3 else []
    st.caption(ui.md_escape(t("embed.map_sources", lang, sources=" ".join(["; ".join(named[:3]), *more]))))
    st.caption(t("map.attribution", lang))
elif view == "briefing":
    st.subheader(t("embed.briefing_title", lang))
    st.write(t("embed.briefing", lang))
    ui.briefing_button(data, lang, region)
else:
    ui.chart_block(chart_for(view, data, lang), lang, level=3)  # a block within a section of the host's page
ui.embed_footer(view, lang)
