"""What only a real browser shows: the map actually drawing, offline.

Runs the app with `streamlit run` and drives Debian's Chromium with Playwright.
Every request to a host other than the app's own is aborted and recorded, so a
CDN dependency fails the test instead of passing on a networked machine.
"""
import pytest

pytestmark = pytest.mark.browser

MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def open_offline(page, url):
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(url) or route.request.url.startswith(("data:", "blob:")) else route.abort())
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]')


def test_overview_map_draws_every_municipality_and_office_offline(page, app_server):
    open_offline(page, app_server.url)
    frame = page.frame_locator(MAP_FRAME)
    # 38 municipality polygons + 6 office circles, all SVG paths drawn by Leaflet
    page.wait_for_function(
        """(sel) => { const f = document.querySelector(sel);
                      return f && f.contentDocument &&
                             f.contentDocument.querySelectorAll('path.leaflet-interactive').length >= 44; }""",
        arg=MAP_FRAME, timeout=60_000)
    assert frame.locator("path.leaflet-interactive").count() == 38 + 6
    assert frame.locator(".leaflet-tooltip").filter(has_text="Prizren").count() == 1
    assert "geoBoundaries" in frame.locator(".leaflet-control-attribution").inner_text()
    box = page.locator(MAP_FRAME).bounding_box()
    assert box["height"] >= 400
    assert page.log.external_requests == []
    assert page.log.page_errors == []
    assert page.log.console_errors == []


def test_clicking_the_headquarters_opens_its_bilingual_popup(page, app_server):
    open_offline(page, app_server.url)
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-tooltip").filter(has_text="Pejë/Peć").wait_for(timeout=60_000)
    # The headquarters is drawn last, on top of the Prishtinë/Priština centre.
    frame.locator("path.leaflet-interactive").last.click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "Headquarters, Prishtinë/Priština" in text
    assert "Selia qendrore, Prishtinë / Sedište, Priština" in text
    assert "Abdyl Frashëri 37" in text
