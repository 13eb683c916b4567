"""Entry point: page config and navigation only. Pages live in pages/, logic in dashboard/."""
import streamlit as st

from dashboard.i18n import t

st.set_page_config(page_title=t("app.title"), page_icon="assets/icon.png", layout="wide")

pages = [
    st.Page("pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:", default=True),
    st.Page("pages/sources.py", title=t("nav.sources"), icon=":material/menu_book:"),
]
st.navigation(pages).run()
