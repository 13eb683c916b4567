"""A second baseline for bench/page_ready.py: the same empty page as empty_app.py,
at an address other than the root (/other). Any such page pays what the empty app
does not: Streamlit's frontend first looks for its server under the page's own
path (/other/_stcore/health, a 404) and tries the root 100 ms later."""
import streamlit as st


def root() -> None:
    st.title("Empty")


def other() -> None:
    st.title("Empty")


st.navigation([st.Page(root, default=True), st.Page(other, url_path="other")], position="hidden").run()
