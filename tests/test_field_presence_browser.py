"""The field-presence measure in a real browser (issue 23), on a 1280 px laptop screen
and a 390 px phone: ``/map?measure=field_presence&year=2018`` draws each municipality
in the fill of what the sources say for 2018 (a team stated, inferred with a dashed
outline, or not known), wears the year as a badge, and a municipality's tooltip and
detail panel give the year and the source.

Each screen's view is kept as a screenshot in test-results/ (git-ignored)."""
import pytest

from conftest import PageLog
from dashboard.loading import load_dataset
from dashboard.paths import ROOT
from dashboard.presence_over_time import INFERRED_DASH, PRESENCE_COLOURS, field_presence, presence_status
from support.browser import MAP_FRAME
from test_browser import open_page, wait_for_map

pytestmark = pytest.mark.browser

SCREENS = {
    "laptop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
RESULTS = ROOT / "test-results"
YEAR = "2018"

# In the map's frame: each municipality's fill and dashes, by its code (from the
# GeoJSON layer's features), and where on screen a point inside it lies.
MUNICIPALITIES = """() => {
    const layer = Object.values(window).find(v => v instanceof L.GeoJSON);
    const map = Object.values(window).find(v => v instanceof L.Map);
    const found = {};
    layer.eachLayer(l => {
        const path = l.getElement(), point = map.latLngToContainerPoint(l.getCenter());
        found[l.feature.properties.code] = {fill: path.getAttribute('fill').toUpperCase(),
                                            dash: path.getAttribute('stroke-dasharray'), x: point.x, y: point.y};
    });
    return found;
}"""


@pytest.fixture(params=list(SCREENS))
def screen(request, browser, app_server):
    context = browser.new_context(**SCREENS[request.param])
    page = context.new_page()
    page.log = PageLog(page, app_server.url)
    page.screen = request.param
    open_page(page, app_server.url, f"map?measure=field_presence&year={YEAR}")
    wait_for_map(page, 38)
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    yield page
    context.close()


def frame_of(page):
    return page.locator(MAP_FRAME).element_handle().content_frame()


def test_the_measure_fills_each_municipality_by_what_the_sources_say_for_the_year(screen):
    drawn = frame_of(screen).evaluate(MUNICIPALITIES)
    data = load_dataset()
    known = field_presence(data, YEAR)
    assert sorted(drawn) == sorted(data["municipalities"]["code"])
    for code, shown in drawn.items():
        status = presence_status(known.get(code))
        assert shown["fill"] == PRESENCE_COLOURS[status], code
        assert (shown["dash"] == INFERRED_DASH) == (status == "inferred"), code
    statuses = {presence_status(known.get(code)) for code in drawn}
    assert statuses == {"stated", "inferred", "unknown"}  # 2018: three regions covered, two not known
    assert frame_of(screen).locator(".omik-year-badge").inner_text() == f"Year {YEAR}"
    assert screen.log.page_errors == []


def test_a_municipalitys_tooltip_and_details_give_the_year_and_the_source(screen):
    frame = frame_of(screen)
    where = frame.evaluate(MUNICIPALITIES)["dragash"]
    box = screen.locator(MAP_FRAME).bounding_box()
    x, y = box["x"] + where["x"], box["y"] + where["y"]
    screen.mouse.move(x, y)
    tooltip = frame.locator(".leaflet-tooltip", has_text="Dragash/Dragaš (Prizren)")
    tooltip.wait_for(timeout=10_000)
    text = tooltip.inner_text()
    assert "a Mission team works here (2018; Municipal Profile 2018, Prizren region: Dragash/Dragaš)" in text
    RESULTS.mkdir(exist_ok=True)
    shot = RESULTS / f"field-presence-{screen.screen}.png"
    screen.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    if screen.screen == "phone":
        screen.touchscreen.tap(x, y)
    else:
        screen.mouse.click(x, y)
    detail = screen.get_by_text("2018, stated: Municipal Profile 2018, Prizren region: Dragash/Dragaš")
    detail.wait_for(timeout=30_000)
    assert screen.get_by_role("heading", name="Dragash/Dragaš").is_visible()
