"""Streamlit's page as serve.py serves it at each page's address (dashboard.page_shell):
the app's own address written in before Streamlit's scripts read it, so a browser
that opens a page by its link asks the right address first. serve.py's answers are
checked in test_cold_start, and a real browser's requests through the proxy in
test_topology."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit import file_util

from dashboard.page_shell import BASE_URL_SCRIPT, MODULE_SCRIPT, with_base_url

INDEX = Path(file_util.get_static_dir()) / "index.html"


def test_the_base_address_is_set_before_any_of_streamlits_scripts_runs():
    # Streamlit's own index.html, as installed: an upgrade that changes it is caught here
    page = with_base_url(INDEX.read_text(encoding="utf-8"))
    assert page.count(BASE_URL_SCRIPT) == 1
    assert page.index(BASE_URL_SCRIPT) < page.index(MODULE_SCRIPT)
    assert page.replace(BASE_URL_SCRIPT + "\n    ", "") == INDEX.read_text(encoding="utf-8")


def test_a_page_without_streamlits_script_is_refused_not_served_without_the_address():
    with pytest.raises(ValueError, match="no module script"):
        with_base_url("<html><head><script src='app.js'></script></head></html>")
