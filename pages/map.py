import streamlit as st

from dashboard import ui
from dashboard.cache import rendered_presence_map
from dashboard.charts import offices_over_time_chart
from dashboard.details import detail_for
from dashboard.i18n import place_name, t
from dashboard.maps import available_measures, region_basis_note
from dashboard.presence_over_time import NOW, field_presence, map_note, year_options, year_view

page = ui.page_start("presence.title", "presence.intro", embed_view="map")
data, lang = page.data, page.lang
ui.freshness_line(["offices", "field_presence", "regions", "municipalities"], lang)
regions = data["regions"].set_index("id")
municipalities = data["municipalities"].sort_values("name_en").set_index("code")
offices = data["offices"].set_index("id")
measures = available_measures(data)


def clear_selection() -> None:
    st.session_state["municipality"] = ""
    st.session_state["office"] = ""


# The map is the page's subject and comes first at every width: the details and the
# choices beside it on a wide screen, right below it on a phone (Streamlit stacks
# columns under 640 px), where a cue under the map says so.
map_column, side = st.columns([3, 2], gap="medium")
details = side.container()
with side:
    region = ui.url_choice(t("presence.region", lang), "region", ["all", *regions.index], "all",
                           lambda r: t("presence.all_regions", lang) if r == "all"
                           else place_name(regions.loc[r], lang),
                           lang, on_change=clear_selection)
    chosen_region = None if region == "all" else region
    # Pills, even when they wrap: the page loads their script anyway (the region's
    # and language's), where a select box's is 140 KB more before the page is ready.
    year = ui.url_choice(t("presence.year", lang), "year", year_options(data), NOW,
                         lambda y: t("presence.year_now", lang) if y == NOW else y, lang)
    measure = ui.url_choice(t("presence.measure", lang), "measure", measures, "region",
                            lambda m: t(f"map.measure.{m}", lang), lang)
    # The keyboard's way to what a click on the map selects. In a popover, so its select
    # boxes' script loads only when someone opens it, not with every map page.
    notices = st.container()
    with st.popover(t("presence.choose", lang), icon=":material/search:", width="stretch"):
        municipality = ui.url_choice(t("presence.municipality", lang), "municipality",
                                     ["", *municipalities.index], "",
                                     lambda c: t("presence.none", lang) if not c
                                     else place_name(municipalities.loc[c], lang),
                                     lang, widget=st.selectbox, notices=notices)
        office = ui.url_choice(t("presence.office", lang), "office", ["", *offices.index], "",
                               lambda o: t("presence.none", lang) if not o else place_name(offices.loc[o], lang),
                               lang, widget=st.selectbox, notices=notices)
    if measure == "region" and len(measures) == 1:
        st.caption(t("presence.no_measures", lang))
    if measure == "field_presence" and not field_presence(data, year):
        st.caption(t("presence.none_in_year", lang, year=year))
    if year != NOW:
        view = year_view(data, year, lang)
        with st.container(border=True, key="year_view"):
            st.markdown(f"**{ui.md_escape(t('year.title', lang, year=year))}**")
            for line in view.counts + view.named + view.presence:
                st.markdown(f"- {ui.md_escape(line.text)}")
                if line.note:
                    st.caption(ui.md_escape(line.note))
            st.caption(ui.md_escape(map_note(view, lang)))

if office:
    selection = ("office", office)
elif municipality:
    selection = ("municipality", municipality)
elif chosen_region:
    selection = ("region", chosen_region)
else:
    selection = None

with map_column:
    ui.clickable_map(rendered_presence_map(lang, chosen_region, measure, layer_control=True,
                                           year=None if year == NOW else year),
                     key="presence_map", lang=lang,
                     targets={"municipality": ("municipality", municipalities.index),
                              "office": ("office", offices.index)})
    ui.below_cue(t("presence.details_below", lang))
with details:
    ui.detail_panel(detail_for(data, *selection, lang) if selection else None, lang)

ui.chart_block(offices_over_time_chart(data, lang), lang)
st.caption(region_basis_note(data, lang))
st.caption(t("map.attribution", lang))
page.finish(briefing_region=chosen_region)
