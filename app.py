"""Entry point: page config and navigation only. Pages live in pages/, logic in dashboard/."""
import streamlit as st

from dashboard import ui
from dashboard.i18n import t

st.set_page_config(page_title=t("app.title", ui.current_lang()), page_icon="assets/icon.png", layout="wide")
# Embedded on another site (/embed?embed=true&view=...): one view, no navigation.
# st.context.is_embedded can still be unknown on a session's first run, so the
# embed page's own `view` parameter counts too.
embedded = bool(st.context.is_embedded) or "view" in st.query_params
lang = ui.current_lang() if embedded else ui.language_switcher()

embed = st.Page("pages/embed.py", title=t("nav.embed", lang), icon=":material/code:", url_path="embed")
pages = [
    st.Page("pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:", default=True),
    st.Page("pages/map.py", title=t("nav.presence", lang), icon=":material/map:", url_path="map"),
    st.Page("pages/staffing.py", title=t("nav.staffing", lang), icon=":material/groups:", url_path="staffing"),
    st.Page("pages/budget.py", title=t("nav.budget", lang), icon=":material/euro:", url_path="budget"),
    st.Page("pages/reports.py", title=t("nav.reports", lang), icon=":material/gavel:", url_path="reports"),
    st.Page("pages/elections.py", title=t("nav.elections", lang), icon=":material/how_to_vote:", url_path="elections"),
    st.Page("pages/history.py", title=t("nav.history", lang), icon=":material/history:", url_path="history"),
    st.Page("pages/data.py", title=t("nav.data", lang), icon=":material/edit:", url_path="data"),
    st.Page("pages/sources.py", title=t("nav.sources", lang), icon=":material/menu_book:", url_path="sources"),
    embed,
]
# Embedded: no menu. The other pages stay in the list (hidden): a navigation of the
# embed page alone would make it the default page, served at "" and not at /embed,
# so the browser's request for "embed" would get "Page not found".
st.navigation(pages, position="hidden" if embedded else "sidebar").run()
