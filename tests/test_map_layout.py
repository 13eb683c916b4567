"""The Presence map's layout in a real browser, on a 1280 px laptop screen and a 390 px
phone: the map takes the main area's whole width and about the screen's height, with
the details below it; every town label lies inside the map, clear of the other labels
and of the offices' markers; and the headquarters and the Prishtinë/Priština regional
centre, which share a point, both show and both take a click.

Each screen's view of the map is kept as a screenshot in test-results/ (git-ignored),
its path printed (``pytest -s`` shows it)."""
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import PageLog
from dashboard.i18n import place_name, t
from dashboard.loading import load_dataset
from dashboard.paths import ROOT
from support.browser import MAP_FRAME
from test_browser import open_page, wait_for_map

pytestmark = pytest.mark.browser

SCREENS = {
    "laptop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
RESULTS = ROOT / "test-results"

# The frame, the main area's content box (inside its padding) and the viewport.
LAYOUT = """(sel) => {
    const frame = document.querySelector(sel).getBoundingClientRect();
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const box = main.getBoundingClientRect(), style = getComputedStyle(main);
    return {frame: {left: frame.left, right: frame.right, top: frame.top, bottom: frame.bottom, height: frame.height},
            main: {left: box.left + parseFloat(style.paddingLeft), right: box.right - parseFloat(style.paddingRight)},
            viewport: {width: innerWidth, height: innerHeight}};
}"""

# In the map's frame: the office markers (circles: their SVG paths draw arcs, the
# municipalities' polygons only lines) and what is wrong with the town labels.
MARKERS_AND_LABELS = """
const rect = e => { const r = e.getBoundingClientRect();
                    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const markers = () => [...document.querySelectorAll('path.leaflet-interactive')]
    .filter(p => /a/.test(p.getAttribute('d')))
    .map(p => ({el: p, rect: rect(p), label: p.getAttribute('aria-describedby')}));
const labels = () => [...document.querySelectorAll('.leaflet-tooltip-pane .leaflet-tooltip')]
    .map(e => ({id: e.id, text: e.innerText.trim(), rect: rect(e)}));
"""
LABEL_PROBLEMS = "() => {" + MARKERS_AND_LABELS + """
    const map = rect(document.querySelector('.leaflet-container'));
    const problems = [];
    const all = labels(), circles = markers();
    all.forEach((label, i) => {
        const r = label.rect;
        if (r.left < map.left || r.top < map.top || r.right > map.right || r.bottom > map.bottom)
            problems.push(`${label.text} crosses the map's edge`);
        all.slice(i + 1).forEach(other => {
            if (meets(r, other.rect)) problems.push(`${label.text} overlaps ${other.text}`);
        });
        circles.forEach(m => {
            if (meets(r, m.rect)) problems.push(`${label.text} covers a marker`);
        });
    });
    return {labels: all.map(l => l.text), problems};
}"""
# The two offices at the Prishtinë/Priština point: the headquarters (drawn last) and
# the regional centre whose label reads the town's name; their centres, within the frame.
PRISHTINA_MARKERS = "(town) => {" + MARKERS_AND_LABELS + """
    const circles = markers();
    const centre = r => ({x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2});
    const townLabel = labels().find(l => l.text === town);
    const hq = circles[circles.length - 1], centreOffice = circles.find(m => townLabel && m.label === townLabel.id);
    const onTop = m => { const c = centre(m.rect); return document.elementFromPoint(c.x, c.y) === m.el; };
    return {hq: centre(hq.rect), centre: centreOffice ? centre(centreOffice.rect) : null,
            apart: centreOffice ? !meets(hq.rect, centreOffice.rect) : false,
            on_top: centreOffice ? [onTop(hq), onTop(centreOffice)] : []};
}"""


@pytest.fixture(params=list(SCREENS))
def screen(request, browser, app_server):
    """The Presence map's page open on the screen named by the parameter, with the map
    drawn and scrolled so that it lies wholly in view."""
    context = browser.new_context(**SCREENS[request.param])
    page = context.new_page()
    page.log = PageLog(page, app_server.url)
    page.screen = request.param
    open_page(page, app_server.url, "map")
    wait_for_map(page, 44)
    page.locator(MAP_FRAME).evaluate("f => f.scrollIntoView({block: 'end'})")
    yield page
    context.close()


def map_frame(page):
    return page.locator(MAP_FRAME).element_handle().content_frame()


def test_the_map_takes_the_main_area_and_the_screen_with_details_below(screen):
    layout = screen.evaluate(LAYOUT, MAP_FRAME)
    frame, main, viewport = layout["frame"], layout["main"], layout["viewport"]
    assert abs(frame["left"] - main["left"]) <= 1 and abs(frame["right"] - main["right"]) <= 1, layout
    assert 0 <= frame["top"] and frame["bottom"] <= viewport["height"] + 1, layout  # wholly in view once scrolled
    if screen.screen == "laptop":
        assert frame["height"] >= 0.8 * viewport["height"], layout
    else:  # a phone: Kosovo is a little taller than wide, and so is its map
        assert frame["height"] >= frame["right"] - frame["left"], layout
    # what a click selects is described under the map (its hint until something is)
    assert screen.get_by_text(t("detail.hint", "en")).bounding_box()["y"] >= frame["bottom"]


def test_every_town_label_is_inside_the_map_and_clear_of_labels_and_markers(screen):
    frame = map_frame(screen)
    try:  # the labels are placed again after the frame's last resize: wait until they settle
        frame.wait_for_function(f"() => ({LABEL_PROBLEMS})().problems.length === 0", timeout=10_000)
    except PlaywrightTimeout:
        pass  # the assertion below names what is wrong
    found = frame.evaluate(LABEL_PROBLEMS)
    RESULTS.mkdir(exist_ok=True)
    shot = RESULTS / f"map-layout-{screen.screen}.png"
    screen.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")
    regions = load_dataset()["regions"]
    assert sorted(found["labels"]) == sorted(place_name(row, "en") for _, row in regions.iterrows())
    assert found["problems"] == []
    assert screen.log.page_errors == []  # the label script ran without an error


def test_the_headquarters_and_the_prishtina_centre_both_show_and_take_a_click(screen):
    town = place_name(load_dataset()["regions"].set_index("id").loc["prishtina"], "en")
    frame = map_frame(screen)
    for office, name in (("hq", "Headquarters, Prishtinë/Priština"),
                         ("rc-prishtina", "Regional Centre Prishtinë/Priština")):
        # Where the two markers are once the map is still (a popup opened by the click
        # before may have panned it into view)
        markers = frame.wait_for_function(f"""(town) => {{
            const now = JSON.stringify(({PRISHTINA_MARKERS})(town));
            const still = now === window.lastMarkers;
            window.lastMarkers = now;
            return still && JSON.parse(now); }}""", arg=town, polling=100, timeout=10_000).json_value()
        assert markers["centre"] is not None, f"no marker labelled {town}"
        assert markers["apart"] and markers["on_top"] == [True, True], markers
        origin = screen.locator(MAP_FRAME).bounding_box()
        point = markers["hq" if office == "hq" else "centre"]
        x, y = origin["x"] + point["x"], origin["y"] + point["y"]
        if screen.screen == "phone":
            screen.touchscreen.tap(x, y)
        else:
            screen.mouse.click(x, y)
        screen.get_by_role("heading", name=name).wait_for(timeout=30_000)
        assert f"office={office}" in screen.url
