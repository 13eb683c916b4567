import streamlit as st

from dashboard import ui
from dashboard.cache import app_store
from dashboard.export import package_zip
from dashboard.freshness import resource_title
from dashboard.i18n import t
from dashboard.paths import app_data_dir
from dashboard.provenance import sources_listing
from dashboard.schema import resources

page = ui.page_start("sources.title", "sources.intro")
data, lang = page.data, page.lang

# First what every page's freshness chip links to: the tables, and how current each is.
st.header(t("sources.tables", lang))
st.write(t("sources.tables_intro", lang))
ui.freshness_table(lang)
st.caption(t("freshness.intro", lang))
st.download_button(t("sources.download_zip", lang), lambda: package_zip(app_store().package_files()),
                   file_name="omik_data_package.zip", mime="application/zip", icon=":material/folder_zip:",
                   key="download_zip", on_click="ignore")  # zipped when clicked, not on every run
st.caption(t("sources.zip_raw", lang))
for res in resources(app_data_dir()):
    ui.collapsed_table(res.name, data[res.name], resource_title(res.name, res.title, lang), lang, counting="rows")

st.header(t("sources.documents", lang))
sources = data["sources"]
if sources.empty:
    st.info(t("sources.empty", lang))
else:
    # A list, not st.dataframe: the data grid's script is 1 MB, fetched before the
    # page is ready; HTML, not Markdown, whose renderer's cost grows with the text
    # (ui.text). Only web addresses are links.
    st.html(ui.sources_list(sources_listing(data), lang))

st.header(t("sources.geography", lang))
st.write(t("map.attribution", lang))
st.caption(t("sources.geography_licence", lang))

st.header(t("sources.embed_title", lang))
st.write(t("sources.embed_text", lang))
st.page_link("pages/embed.py", label=t("sources.embed_gallery", lang), icon=":material/code:",
             query_params={"lang": lang} if lang != "en" else None)

st.header(t("sources.package", lang))
st.write(t("sources.package_text", lang))

page.finish()
