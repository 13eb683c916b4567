"""What only a browser shows of the first screen, sharing, embeds and printing
(issue 24): the map above the fold on a desktop, Copy link by touch on a phone, an
embed's footer, printing without map controls; the Overview's figures whole; and
screenshots of Overview (and its print at desktop width), Sources, the Embed
gallery and an embedded chart at 1440 and 390 px in each language, and of "Copied"
on a phone, kept in test-results/first-screen/ (git-ignored) for review."""

import pytest

from conftest import PageLog
from dashboard.paths import ROOT
from support.browser import MAP_FRAME, READY_SELECTOR
from test_browser import CHARTS_DRAWN, axe_failures, open_page, wait_for_map
from test_languages import ALL_DRAWN, CLIPPED_FIGURES

pytestmark = pytest.mark.browser

RESULTS = ROOT / "test-results" / "first-screen"
SCREENS = {1440: {"viewport": {"width": 1440, "height": 900}},
           390: {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}}


@pytest.fixture
def phone(browser, app_server):
    """A touch phone that lets the page use the clipboard."""
    context = browser.new_context(**SCREENS[390], permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.log = PageLog(page, app_server.url)
    yield page
    context.close()


def test_copy_link_works_by_touch_and_says_copied(phone, app_server):
    open_page(phone, app_server.url, "staffing?lang=sq")
    button = phone.get_by_role("button", name="Kopjo lidhjen")
    button.tap()
    phone.locator(".omik-share [role=status]").filter(has_text="U kopjua").wait_for(timeout=10_000)
    assert phone.evaluate("() => navigator.clipboard.readText()") == phone.url
    assert "lang=sq" in phone.url
    RESULTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(RESULTS / "copied-390-sq.png"))
    assert phone.log.page_errors == []


def test_a_figures_source_opens_by_touch_and_by_keyboard(phone, app_server):
    """The Overview's figures keep their detail and source behind "Burimi" (Source): a
    tap opens it on a phone, where a tooltip needed a pointer, and so does the keyboard."""
    open_page(phone, app_server.url, "?lang=sq")
    staff, budget = phone.locator(".omik-kpi").nth(0), phone.locator(".omik-kpi").nth(1)
    source = staff.get_by_text("Burimi: OSCE Mission in Kosovo (fact sheet)", exact=False)
    assert not source.is_visible()
    staff.locator("summary", has_text="Burimi").tap()
    source.wait_for(state="visible", timeout=10_000)
    budget.locator("summary").focus()
    phone.keyboard.press("Enter")
    budget.get_by_text("ecoi.net", exact=False).wait_for(state="visible", timeout=10_000)
    assert phone.log.page_errors == []


# Each figure card's top and its value's top, in page pixels.
STRIP_TOPS = """() => [...document.querySelectorAll('.omik-kpi')].map(card => ({
    card: Math.round(card.getBoundingClientRect().top),
    value: Math.round(card.querySelector('.omik-kpi-value').getBoundingClientRect().top)}))"""


@pytest.mark.parametrize("width", list(SCREENS))
def test_the_figures_stand_level_whatever_their_labels_and_a_source_opened(browser, app_server, width):
    """On a row of figure cards the values stand level, though one label takes two
    lines (Albanian's "Raste gjyqësore të monitoruara"), and opening one card's
    source moves no value on its row (the rows below move down as one). Printed,
    every card shows its detail and source, and no toggle."""
    context = browser.new_context(**SCREENS[width])
    page = context.new_page()
    try:
        open_page(page, app_server.url, "?lang=sq")
        page.locator(".omik-kpi").first.wait_for(timeout=30_000)
        tops = page.evaluate(STRIP_TOPS)
        rows: dict[int, set[int]] = {}
        for top in tops:
            rows.setdefault(top["card"], set()).add(top["value"])
        assert len(tops) == 6 and all(len(values) == 1 for values in rows.values()), tops
        RESULTS.mkdir(parents=True, exist_ok=True)
        page.locator(".omik-kpi summary").first.click()
        page.locator(".omik-kpi details[open] p").first.wait_for(state="visible", timeout=10_000)
        page.screenshot(path=str(RESULTS / f"figures-source-open-{width}-sq.png"))
        first_row = [top for top in tops if top["card"] == tops[0]["card"]]
        assert page.evaluate(STRIP_TOPS)[:len(first_row)] == first_row
        # on paper, every card's detail and source, and no toggle
        page.emulate_media(media="print")
        last = page.locator(".omik-kpi").last
        last.get_by_text("Burimi: 25 Years Together", exact=False).wait_for(state="visible", timeout=10_000)
        assert not last.locator("summary").is_visible()
    finally:
        context.close()


def test_the_share_sheet_is_offered_only_where_the_device_has_one(phone, app_server):
    phone.add_init_script("navigator.share = async () => { window.sharedWith = true; };")
    open_page(phone, app_server.url, "")
    phone.get_by_role("button", name="Share…").tap()
    phone.wait_for_function("() => window.sharedWith === true", timeout=10_000)


def test_without_a_share_sheet_there_is_no_share_button(page, app_server):
    open_page(page, app_server.url, "")
    page.get_by_role("button", name="Copy link").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Share…").count() == 0


@pytest.mark.parametrize("view, title, back", [
    ("staffing_over_time", "Staff employed over time", "/staffing"),
    ("map&region=prizren", "The Mission's presence in Kosovo", "/map?region=prizren"),
])
def test_an_embed_has_its_title_sources_date_and_a_link_back(page, app_server, view, title, back):
    page.goto(f"{app_server.url}/embed?embed=true&view={view}")
    page.wait_for_selector(READY_SELECTOR, timeout=60_000)
    footer = page.locator(".omik-embed-footer")
    footer.wait_for(timeout=30_000)
    page.get_by_role("heading", name=title).wait_for(timeout=30_000)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Sources: " in text or "Offices and regions: " in text
    assert footer.inner_text().startswith("Figures ") and "OSCE Mission in Kosovo dashboard" in footer.inner_text()
    link = footer.get_by_role("link", name="Open the full view ›")
    assert link.get_attribute("href") == f"{app_server.url}{back}"
    assert link.get_attribute("target") == "_blank"
    RESULTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(RESULTS / f"embed-{view.split('&')[0]}-1280-en.png"), full_page=True)


def test_printing_hides_the_map_controls_and_the_share_buttons_and_fits_the_map(page, app_server):
    open_page(page, app_server.url, "")
    wait_for_map(page, 44)
    zoom = page.frame_locator(MAP_FRAME).locator(".leaflet-control-zoom")
    zoom.wait_for(state="visible", timeout=30_000)
    page.emulate_media(media="print")
    zoom.wait_for(state="hidden", timeout=10_000)
    page.get_by_role("button", name="Copy link").wait_for(state="hidden", timeout=10_000)
    frame = page.locator(MAP_FRAME).bounding_box()
    assert frame["x"] >= 0 and frame["x"] + frame["width"] <= page.viewport_size["width"]


def test_the_map_is_above_the_fold_on_a_desktop(browser, app_server):
    for lang in ("en", "sq", "sr"):
        context = browser.new_context(**SCREENS[1440])
        page = context.new_page()
        open_page(page, app_server.url, f"?lang={lang}")
        wait_for_map(page, 44)
        assert page.locator(MAP_FRAME).bounding_box()["y"] < 900 - 200, lang  # its top fifth at least
        context.close()


@pytest.mark.parametrize("width", list(SCREENS))
@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_screenshots_and_axe(browser, app_server, lang, width):
    """Each first screen as a reader sees it, kept for review, in one browser session
    per language and width: the Overview (its strip's labels and figures whole, not
    cut with an ellipsis; at desktop width also as it prints), Sources, the Embed
    gallery and an embedded chart with its footer; and axe clean on the gallery (the
    other pages are audited by test_browser)."""
    context = browser.new_context(**SCREENS[width])
    page = context.new_page()
    try:
        page.log = PageLog(page, app_server.url)
        RESULTS.mkdir(parents=True, exist_ok=True)
        for path, name in (("", "overview"), ("sources", "sources"), ("embed", "embed"),
                           ("embed?embed=true&view=staffing_over_time", "embedded-chart")):
            open_page(page, app_server.url, f"{path}{'&' if '?' in path else '?'}lang={lang}",
                      heading=name != "embedded-chart")  # (an embedded view has no title)
            if not path:
                wait_for_map(page, 44)
            if name == "embedded-chart":
                page.locator(".omik-embed-footer").wait_for(timeout=30_000)
            page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
            page.wait_for_function(ALL_DRAWN, timeout=60_000)
            if name == "embedded-chart":  # its footer in the picture (below the fold on a phone)
                page.locator(".omik-embed-footer").scroll_into_view_if_needed()
            page.screenshot(path=str(RESULTS / f"{name}-{width}-{lang}.png"))
            if name == "overview":
                figures = page.evaluate(CLIPPED_FIGURES)
                assert figures["count"] >= 6 and figures["clipped"] == [], figures
                if width == 1440:
                    page.emulate_media(media="print")
                    page.locator(".omik-share").first.wait_for(state="hidden", timeout=10_000)
                    page.screenshot(path=str(RESULTS / f"{name}-print-{lang}.png"), full_page=True)
                    page.emulate_media(media="screen")
            if name == "embed":
                failing = axe_failures(page)
                assert failing == "[]", failing
        assert page.log.page_errors == []
    finally:
        context.close()
