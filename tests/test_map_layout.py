"""The maps' layout and legibility in a real browser, on a 1280 px laptop screen and a
390 px phone (the design review of issue #23):

- every map (Overview, Presence, Embed) is fitted to Kosovo: its outline's box lies
  wholly inside the map and fills most of it; the legend is inside the map's frame,
  with the offices' shapes; the scale is in kilometres only;
- offices are told apart by shape (star, square, circle, triangle), drawn as such;
- the Presence map comes first, with the details beside it on a laptop and right
  below it on a phone, where a cue under the map says so;
- every town label lies inside the map, clear of the other labels and of the
  markers; the headquarters and the Prishtinë/Priština regional centre, which share
  a point, both show and both take a click.

Each screen's view is kept as a screenshot in test-results/ (git-ignored; CI keeps them
as artifacts), its path printed (``pytest -s`` shows it)."""
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import PageLog
from dashboard.i18n import place_name, t
from dashboard.loading import load_dataset
from dashboard.maps import kosovo_bounds
from dashboard.paths import ROOT
from support.browser import MAP_FRAME
from test_browser import open_page, wait_for_map

pytestmark = pytest.mark.browser

SCREENS = {
    "laptop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
RESULTS = ROOT / "test-results"
MAPS = {"overview": "", "presence": "map", "embed": "embed?embed=true&view=map"}

# In a map's frame: the Leaflet map (folium names it map_<id>).
LEAFLET_MAP = "window[Object.keys(window).find(k => /^map_/.test(k) && window[k] instanceof L.Map)]"
# Kosovo's outline box in the map's pixels, the legend's and the scale's boxes, and the
# map's own, once the map has been laid out.
VIEW = "(bounds) => { const m = " + LEAFLET_MAP + """;
    if (!m || !m.getSize().x) return null;
    const rect = e => { if (!e) return null; const r = e.getBoundingClientRect();
                        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    const sw = m.latLngToContainerPoint(bounds[0]), ne = m.latLngToContainerPoint(bounds[1]);
    return {size: m.getSize(), outline: {left: sw.x, right: ne.x, top: ne.y, bottom: sw.y},
            map: rect(m.getContainer()), legend: rect(document.querySelector('.omik-legend')),
            legend_shapes: [...document.querySelectorAll('.omik-legend svg [class^="omik-"]')]
                .map(e => e.getAttribute('class').slice('omik-'.length)),
            scale: [...document.querySelectorAll('.leaflet-control-scale-line')].map(e => e.innerText.trim())};
}"""
# The offices' markers: their shape (the class the map gives them) and how many corners
# their outline has (a circle's is drawn with arcs).
SHAPES = """() => [...document.querySelectorAll('path.omik-office')].map(p => {
    const d = p.getAttribute('d');
    return {shape: [...p.classList].find(c => c !== 'omik-office' && c.startsWith('omik-')).slice('omik-'.length),
            corners: /a/i.test(d) ? 'arc' : (d.match(/[ML]/g) || []).length};
})"""
CORNERS = {"star": 10, "square": 4, "triangle": 3, "circle": "arc"}

# The frame, the main area's content box (inside its padding) and the viewport.
LAYOUT = """(sel) => {
    const frame = document.querySelector(sel).getBoundingClientRect();
    const main = document.querySelector('[data-testid="stMainBlockContainer"]');
    const box = main.getBoundingClientRect(), style = getComputedStyle(main);
    return {frame: {left: frame.left, right: frame.right, top: frame.top, bottom: frame.bottom,
                    width: frame.width, height: frame.height},
            main: {left: box.left + parseFloat(style.paddingLeft), right: box.right - parseFloat(style.paddingRight)},
            viewport: {width: innerWidth, height: innerHeight}};
}"""

# In the map's frame: the office markers and what is wrong with the town labels.
MARKERS_AND_LABELS = """
const rect = e => { const r = e.getBoundingClientRect();
                    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
const markers = () => [...document.querySelectorAll('path.omik-office')]
    .map(p => ({el: p, rect: rect(p), label: p.getAttribute('aria-describedby')}));
const labels = () => [...document.querySelectorAll('.leaflet-tooltip-pane .leaflet-tooltip')]
    .filter(e => getComputedStyle(e).visibility !== 'hidden')  // a town out of view
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


def open_screen(browser, app_server, screen: str, path: str):
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    page.log = PageLog(page, app_server.url)
    page.screen = screen
    open_page(page, app_server.url, path, heading=not path.startswith("embed"))
    wait_for_map(page, 38)
    page.locator(MAP_FRAME).evaluate("f => f.scrollIntoView({block: 'end'})")
    return context, page


def map_frame(page):
    return page.locator(MAP_FRAME).element_handle().content_frame()


def settled_view(page) -> dict:
    """The map's view once it has stopped changing (it is fitted again as its frame
    takes its final size)."""
    return map_frame(page).wait_for_function(
        f"""(bounds) => {{ const now = JSON.stringify(({VIEW})(bounds));
                         const still = now !== 'null' && now === window.lastView;
                         window.lastView = now;
                         return still && JSON.parse(now); }}""",
        arg=kosovo_bounds(), polling=250, timeout=30_000).json_value()


def keep_screenshot(page, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    shot = RESULTS / f"map-{name}-{page.screen}.png"
    page.screenshot(path=str(shot))
    print(f"\nscreenshot: {shot}")


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("name", list(MAPS))
def test_every_map_is_fitted_to_kosovo_with_its_legend_and_a_km_scale_inside(browser, app_server, name, screen):
    context, page = open_screen(browser, app_server, screen, MAPS[name])
    view = settled_view(page)
    keep_screenshot(page, f"fit-{name}")
    size, outline = view["size"], view["outline"]
    # the whole outline in view: the embed cut off the south of Kosovo on a laptop
    assert outline["left"] >= -1 and outline["top"] >= -1, view
    assert outline["right"] <= size["x"] + 1 and outline["bottom"] <= size["y"] + 1, view
    # and filling the map: it filled about 40 % of the Overview's and the embed's
    width, height = (outline["right"] - outline["left"]) / size["x"], (outline["bottom"] - outline["top"]) / size["y"]
    assert max(width, height) >= 0.8 and width * height >= 0.45, (width, height, view)
    # the legend inside the map's frame, with the symbols of the offices drawn
    legend, box = view["legend"], view["map"]
    assert legend is not None, "no legend in the map"
    assert box["left"] <= legend["left"] and legend["right"] <= box["right"], view
    assert box["top"] <= legend["top"] and legend["bottom"] <= box["bottom"], view
    drawn = {shape["shape"] for shape in map_frame(page).evaluate(SHAPES)}
    assert drawn and drawn <= set(view["legend_shapes"]), view
    # kilometres only, no miles or feet
    assert len(view["scale"]) == 1 and view["scale"][0].endswith(("km", " m")), view["scale"]
    assert page.log.page_errors == []
    context.close()


def test_offices_are_told_apart_by_shape(browser, app_server):
    shapes = []
    for path in ("map", "map?year=2000"):  # now: headquarters and centres; 2000: field offices and others
        context, page = open_screen(browser, app_server, "laptop", path)
        map_frame(page).wait_for_function("() => document.querySelectorAll('path.omik-office').length > 0",
                                          timeout=30_000)
        shapes += map_frame(page).evaluate(SHAPES)
        context.close()
    assert {s["shape"] for s in shapes} == set(CORNERS)
    for shape in shapes:
        assert shape["corners"] == CORNERS[shape["shape"]], shape


@pytest.fixture(params=list(SCREENS))
def screen(request, browser, app_server):
    """The Presence map's page open on the screen named by the parameter, with the map
    drawn and scrolled so that it lies wholly in view."""
    context, page = open_screen(browser, app_server, request.param, "map")
    wait_for_map(page, 44)
    yield page
    context.close()


def test_the_map_comes_first_with_details_beside_it_or_below_it_on_a_phone(screen):
    layout = screen.evaluate(LAYOUT, MAP_FRAME)
    frame, main, viewport = layout["frame"], layout["main"], layout["viewport"]
    hint = screen.get_by_text(t("detail.hint", "en")).bounding_box()
    region = screen.get_by_text(t("presence.region", "en"), exact=True).first.bounding_box()
    cue = screen.get_by_text(t("presence.details_below", "en"))
    assert abs(frame["left"] - main["left"]) <= 1, layout
    assert frame["top"] <= region["y"], layout  # the map before the choices
    if screen.screen == "laptop":
        # beside: the details to the right of the map, level with it; the map about the screen's height
        assert hint["x"] >= frame["right"] and hint["y"] < frame["bottom"], (hint, layout)
        assert frame["height"] >= 0.8 * viewport["height"] and frame["width"] >= 0.5 * (main["right"] - main["left"])
        assert not cue.is_visible()
    else:
        # below: the whole width, the cue right under the map, then the details
        assert abs(frame["right"] - main["right"]) <= 1, layout
        assert frame["height"] >= frame["width"], layout  # Kosovo is a little taller than wide
        assert cue.is_visible()
        cue_box = cue.bounding_box()
        assert frame["bottom"] <= cue_box["y"] < frame["bottom"] + 40, (cue_box, layout)
        assert cue_box["y"] < hint["y"] < region["y"], (cue_box, hint, region)


def test_every_town_label_is_inside_the_map_and_clear_of_labels_and_markers(screen):
    frame = map_frame(screen)
    try:  # the labels are placed again after the frame's last resize: wait until they settle
        frame.wait_for_function(f"() => ({LABEL_PROBLEMS})().problems.length === 0", timeout=10_000)
    except PlaywrightTimeout:
        pass  # the assertion below names what is wrong
    found = frame.evaluate(LABEL_PROBLEMS)
    keep_screenshot(screen, "layout")
    regions = load_dataset()["regions"]
    assert sorted(found["labels"]) == sorted(place_name(row, "en") for _, row in regions.iterrows())
    assert found["problems"] == []
    assert screen.log.page_errors == []  # the label script ran without an error


@pytest.mark.parametrize("screen_name", list(SCREENS))
def test_a_region_names_its_municipalities_inside_the_map(browser, app_server, screen_name):
    context, page = open_screen(browser, app_server, screen_name, "map?region=prizren")
    frame = map_frame(page)
    frame.wait_for_selector(".omik-municipality-name", timeout=30_000)
    try:
        frame.wait_for_function(f"() => ({LABEL_PROBLEMS})().problems.length === 0", timeout=10_000)
    except PlaywrightTimeout:
        pass
    found = frame.evaluate(LABEL_PROBLEMS)
    keep_screenshot(page, "region")
    data = load_dataset()
    municipalities = data["municipalities"]
    names = {place_name(row, "en") for _, row in municipalities[municipalities["region_id"] == "prizren"].iterrows()}
    assert len(names & set(found["labels"])) >= len(names) - 1  # every one but the centre's town, named by its label
    assert found["problems"] == []
    context.close()


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
        # no focus box drawn round what was clicked
        outline = frame.evaluate("() => { const a = document.activeElement;"
                                 " return a && a.tagName === 'path' ? getComputedStyle(a).outlineStyle : 'none'; }")
        assert outline == "none"
