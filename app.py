"""Entry point: page config and navigation only. Pages live in pages/, logic in dashboard/."""
import streamlit as st

from dashboard import ui
from dashboard.i18n import t

# The icon by its address (static/, served at /app/static/): given as a file, it was
# read, hashed and registered on every run.
st.set_page_config(page_title=t("app.title", ui.current_lang()), page_icon="/app/static/icon.png", layout="wide")
# Embedded on another site (/embed?embed=true&view=...): one view, no navigation.
# st.context.is_embedded can still be unknown on a session's first run, so the
# embed page's own `view` parameter counts too.
embedded = bool(st.context.is_embedded) or "view" in st.query_params
lang = ui.current_lang() if embedded else ui.language_switcher()

# Embedded: no menu. The other pages stay in the list (hidden): a navigation of the
# embed page alone would make it the default page, served at "" and not at /embed,
# so the browser's request for "embed" would get "Page not found".
st.navigation(ui.navigation_pages(lang), position="hidden" if embedded else "sidebar").run()
