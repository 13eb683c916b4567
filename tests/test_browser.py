"""What only a real browser shows: maps drawing offline, clicks, shared links,
escaping, accessibility and the phone layout.

Runs the app with `streamlit run` and drives Debian's Chromium with Playwright.
Every request to a host other than the app's own is aborted and recorded, so a
CDN dependency fails the test instead of passing on a networked machine. Waits are
on conditions (an element, a script state), never on fixed sleeps.
"""
import csv
import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from conftest import PageLog
from dashboard.embeds import CHART_VIEWS
from dashboard.formatting import web_url
from dashboard.loading import load_dataset
from dashboard.paths import ROOT
from dashboard.presence_over_time import offices_in
from hostile import PAYLOADS, SOURCE_URL
from support.browser import MAP_FRAME, READY_SELECTOR, AppServer, app_with_one_editor

pytestmark = pytest.mark.browser

PAGES = ["", "map", "staffing", "budget", "reports", "elections", "history", "sources"]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# Streamlit's frontend first looks for its server under the page's own path
# (/map/_stcore/health), then at the root: two expected 404s on every page but the first.
STREAMLIT_PROBES = ("/_stcore/health", "/_stcore/host-config")


def open_page(page, base_url: str, path: str = "", heading: bool = True) -> None:
    page.route("**/*", lambda route: route.continue_()
               if route.request.url.startswith(base_url) or route.request.url.startswith(("data:", "blob:"))
               else route.abort())
    page.goto(f"{base_url}/{path}")
    page.wait_for_selector(READY_SELECTOR, timeout=60_000)
    if heading:  # (an embedded view has none)
        page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)


def wait_for_map(page, paths: int) -> None:
    page.wait_for_function(
        """([sel, n]) => { const f = document.querySelector(sel);
                           return f && f.contentDocument &&
                                  f.contentDocument.querySelectorAll('path.leaflet-interactive').length >= n; }""",
        arg=[MAP_FRAME, paths], timeout=60_000)


def map_in_view(page):
    """The map's frame, scrolled into view first: a click that scrolls the page lands
    off target."""
    page.locator(MAP_FRAME).scroll_into_view_if_needed()
    return page.frame_locator(MAP_FRAME)


def unexpected_console_errors(page) -> list[str]:
    return [e for e in page.log.console_errors if "404" not in e] + \
           [u for u in page.log.failed_requests if not u.endswith(STREAMLIT_PROBES)]


@pytest.fixture(scope="module")
def hostile_data_server(tmp_path_factory):
    """The app on a copy of the package with Markdown, HTML and link payloads in every
    free-text field (tests/hostile.py; test-only)."""
    from hostile import make_hostile_package

    server = AppServer(ROOT / "app.py",
                       env={"OMIK_DATA_DIR": str(make_hostile_package(tmp_path_factory.mktemp("md") / "data"))})
    yield server
    server.stop()


@pytest.fixture
def any_page(browser, request):
    """A page on the server the test is parametrized with (``server``)."""
    server = request.getfixturevalue(request.param)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.log = PageLog(pg, server.url)
    pg.server = server
    yield pg
    context.close()


@pytest.mark.parametrize("any_page", ["app_server", "hostile_data_server"], indirect=True)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_offline_without_errors(any_page, path):
    page = any_page
    open_page(page, page.server.url, path)
    if path in ("", "map"):
        wait_for_map(page, 44)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.log.external_requests == []
    assert page.log.page_errors == []
    assert unexpected_console_errors(page) == []
    # The app's icon, by its address in static/ (app.py)
    icon = page.wait_for_function("""() => [...document.querySelectorAll('link[rel~="icon"]')]
        .map(l => l.href).find(h => h.endsWith('/icon.png'))""").json_value()
    assert page.request.get(icon).ok, icon


# Address-bar payloads for every parameter a page reads (and one none reads).
HOSTILE_QUERY = urlencode({
    "region": "[Session expired, sign in again](https://evil.example/login)",
    "municipality": "![x](https://evil.example/pixel.png)", "office": "<img src=https://evil.example/i.png>",
    "measure": "https://evil.example/bare", "group": "www.evil.example", "theme": "admin@evil.example",
    "lang": ":red[x] :material/warning: $x^2$", "year": "![y](HTTPS://EVIL.EXAMPLE/Y.PNG)",
})
# Anything in a page or its frames that points at the payloads' host (a heading's own
# anchor, "#...-evil-example", is a link within the page; and the Sources page links
# each source to its web address, which hostile.py makes one on that host, on purpose).
EVIL_REFERENCES = f"""() => document.querySelectorAll(
    'a[href*="evil" i]:not([href^="#"]):not([href="{SOURCE_URL}"]), [src*="evil" i], link[href*="evil" i]').length"""


@pytest.mark.parametrize("path", [f"{p}?{HOSTILE_QUERY}" for p in PAGES]
                         + [f"embed?embed=true&view={v}&{HOSTILE_QUERY}" for v in ("map", *CHART_VIEWS)]
                         + [f"embed?embed=true&{HOSTILE_QUERY}&view=![v](https://evil.example/v.png)"])
def test_hostile_data_and_links_make_no_request_and_no_link(browser, hostile_data_server, path):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.log = PageLog(page, hostile_data_server.url)
    open_page(page, hostile_data_server.url, path, heading=not path.startswith("embed"))
    if path.startswith(("?", "map?", "embed?embed=true&view=map")) or "view=!" in path:
        wait_for_map(page, 44)
    page.locator('[data-testid="stMarkdown"]').first.wait_for(state="attached", timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert [frame.evaluate(EVIL_REFERENCES) for frame in page.frames] == [0] * len(page.frames)
    assert page.log.external_requests == []
    assert page.log.page_errors == []
    context.close()


# The links in the app's HTML lists, as the browser has them after st.html's sanitising.
LIST_LINKS = """() => [...document.querySelectorAll('.omik-list a')]
    .map(a => [a.getAttribute('href'), a.getAttribute('target'), a.getAttribute('rel') || ''])"""


@pytest.mark.parametrize("path, lists", [("sources", 2), ("history", 1)])
def test_the_long_lists_show_the_data_as_text_and_link_web_addresses_only(browser, hostile_data_server, path, lists):
    """The Sources page's lists and History's timeline are HTML built on the server
    (ui.text): the browser shows the payloads in them as text, and keeps the links
    to the sources' web addresses, each opening a tab that cannot reach this one."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.log = PageLog(page, hostile_data_server.url)
    open_page(page, hostile_data_server.url, path)
    shown = page.locator('[data-testid="stHtml"]:has(ul.omik-list)')
    shown.first.wait_for(timeout=30_000)
    assert shown.count() == lists
    text = "\n".join(shown.all_inner_texts())
    assert [p for p in PAYLOADS if p.startswith("<") and p in text] != []  # markup, shown as its text
    assert page.locator(".omik-list :is(img, script, iframe, [onmouseover])").count() == 0
    links = page.evaluate(LIST_LINKS)
    assert all(href == web_url(href) and target == "_blank" and "noopener" in rel.split()
               for href, target, rel in links)
    assert (SOURCE_URL in [href for href, _, _ in links]) == (path == "sources")
    assert page.log.external_requests == [] and page.log.page_errors == []
    context.close()


def test_overview_map_draws_every_municipality_and_office(page, app_server):
    offices_now = len(offices_in(load_dataset(), None))  # today's structure; older offices only in their years
    open_page(page, app_server.url)
    wait_for_map(page, 38 + offices_now)
    frame = page.frame_locator(MAP_FRAME)
    assert frame.locator("path.leaflet-interactive").count() == 38 + offices_now
    assert frame.locator(".leaflet-tooltip").filter(has_text="Prizren").count() == 1
    assert "geoBoundaries" in frame.locator(".leaflet-control-attribution").inner_text()
    assert page.locator(MAP_FRAME).bounding_box()["height"] >= 400


def test_clicking_the_headquarters_opens_its_bilingual_popup(page, app_server):
    open_page(page, app_server.url)
    wait_for_map(page, 44)
    frame = page.frame_locator(MAP_FRAME)
    # The headquarters is the one star; a click event on the shape itself, since the
    # town labels placed beside the markers may cover its centre at this width
    # (tests/test_map_layout.py clicks it as a person does, where it is free).
    frame.locator("path.omik-star").dispatch_event("click")
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "Headquarters, Prishtinë/Priština" in text
    assert "Selia qendrore, Prishtinë / Sedište, Priština" in text
    assert "Abdyl Frashëri 37" in text


def test_clicking_a_municipality_shows_its_details_below_the_map(page, app_server):
    open_page(page, app_server.url, "map")
    wait_for_map(page, 44)
    frame = map_in_view(page)
    # the map is fitted again when its frame changes size: wait until it is still
    page.locator(MAP_FRAME).element_handle().content_frame().wait_for_function(
        """() => { const r = document.querySelector('path.leaflet-interactive').getBoundingClientRect();
                   const now = [r.left, r.top, r.width].join(); const still = now === window.lastBox;
                   window.lastBox = now; return still; }""", polling=250, timeout=30_000)
    # Municipalities are drawn first, in code order; find Prizren's polygon by its tooltip.
    polygons = frame.locator("path.leaflet-interactive")
    frame.locator(".leaflet-tooltip").first.wait_for(state="attached")
    target = None
    for i in range(38):
        polygons.nth(i).hover(force=True)
        tooltip = frame.locator(".leaflet-tooltip").filter(has_text="Dragash/Dragaš (Prizren)")
        if tooltip.count():
            target = polygons.nth(i)
            break
    assert target is not None
    target.click(force=True)
    page.get_by_role("heading", name="Dragash/Dragaš").wait_for(timeout=30_000)
    assert "municipality=dragash" in page.url
    assert "Region assignment" in page.locator('[data-testid="stMain"]').inner_text()


def test_clicking_an_office_shows_its_details_and_keeps_the_map_as_it_was(page, app_server):
    open_page(page, app_server.url, "map")
    wait_for_map(page, 44)
    frame = map_in_view(page)
    # The headquarters is the one star; a click event on the shape itself, since the
    # town labels placed beside the markers may cover its centre at this width
    # (tests/test_map_layout.py clicks it as a person does, where it is free).
    frame.locator("path.omik-star").dispatch_event("click")
    page.get_by_role("heading", name="Headquarters, Prishtinë/Priština").wait_for(timeout=30_000)
    assert "office=hq" in page.url
    # the rerun that showed the details did not reload the map (which would close the popup)
    assert frame.locator(".leaflet-popup-content").is_visible()


def test_a_shared_link_restores_the_view(page, app_server):
    open_page(page, app_server.url, "map?region=prizren")
    page.get_by_role("heading", name="Region Prizren").wait_for(timeout=30_000)
    wait_for_map(page, 44)
    region = page.get_by_role("radiogroup", name="Region")
    assert region.get_by_role("radio", checked=True).inner_text() == "Prizren"
    # the share control offers the same address back
    page.get_by_role("button", name="Embed and more").click()
    shown = page.locator('[data-testid="stCode"]').first.inner_text()
    assert shown.endswith("/map?region=prizren")
    page.goto(shown)
    page.get_by_role("heading", name="Region Prizren").wait_for(timeout=30_000)


def test_unknown_link_parameters_fall_back_with_a_notice(page, app_server):
    open_page(page, app_server.url, "map?region=atlantis&office=atlantis")
    wait_for_map(page, 44)
    # the notices outlive a rerun (here a click on a municipality), or they flash by unread
    map_in_view(page).locator("path.leaflet-interactive").first.click(force=True)
    page.wait_for_url(re.compile(r"municipality="), timeout=30_000)
    page.wait_for_selector(READY_SELECTOR, timeout=60_000)
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text('The link\'s "region" value "atlantis" is not known here').is_visible()
    assert main.get_by_text('The link\'s "office" value "atlantis" is not known here').is_visible()
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The app on a copy of the data whose office names are script payloads (test-only)."""
    data = tmp_path_factory.mktemp("hostile") / "data"
    shutil.copytree(ROOT / "data", data)
    path = data / "offices.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("Headquarters, Prishtinë/Priština", '"<script>window.pwned=1</script>"')
    text = text.replace("Selia qendrore, Prishtinë", '"<img src=x onerror=window.pwned=2>"')
    path.write_text(text, encoding="utf-8")
    server = AppServer(ROOT / "app.py", env={"OMIK_DATA_DIR": str(data)})
    yield server
    server.stop()


@pytest.mark.parametrize("path", ["", "map"])  # the static map and the clickable one
def test_markup_in_names_shows_as_text(browser, hostile_server, path):
    context = browser.new_context()
    page = context.new_page()
    page.log = PageLog(page, hostile_server.url)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_page(page, hostile_server.url, path)
    wait_for_map(page, 44)
    frame = map_in_view(page)
    frame.locator("path.leaflet-interactive").last.click(force=True)
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    assert "<script>window.pwned=1</script>" in popup.inner_text()
    assert "<img src=x onerror=window.pwned=2>" in popup.inner_text()
    assert popup.locator("script, img").count() == 0
    frame_window = page.locator(MAP_FRAME).element_handle().content_frame()
    assert frame_window.evaluate("window.pwned === undefined")
    assert page.evaluate("window.pwned === undefined")
    assert dialogs == []
    context.close()


# Every page a reader can open (the Data page shows its sign-in form) in each
# language, and each view another site can embed (one block of a page: in English).
AUDITED = [pytest.param(path, lang, id=f"{path or 'overview'}-{lang}")
           for path in [*PAGES, "data"] for lang in ("en", "sq", "sr")] + \
          [pytest.param(f"embed?embed=true&view={v}", "en", id=f"embed-{v}-en")
           for v in ("map", "briefing", *CHART_VIEWS)] + \
          [pytest.param("map?office=hq", "en", id="map-with-a-selection-en")]  # the detail panel's headings
WIDTHS = {1280: {"viewport": {"width": 1280, "height": 900}},
          390: {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}}
# Drawn: every chart that is shown (not in a closed tab) has its canvas or SVG, and
# every chart drawn on the server its picture loaded.
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .every(c => c.offsetParent === null || c.querySelector('canvas, svg'))
    && [...document.querySelectorAll('.omik-static-chart img')].every(i => i.complete)"""
SIDEWAYS_SCROLL = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    return [document.documentElement.scrollWidth - window.innerWidth, main ? main.scrollWidth - main.clientWidth : 0];
}"""
MAIN_HEIGHT = """() => document.querySelector('[data-testid="stMain"]').scrollHeight"""
# Done when: nothing serious or critical, and headings that go down one level at a
# time (a moderate rule, kept because screen-reader users browse by heading). axe
# judges colour contrast only on screen: the test makes the screen as tall as the
# page first, and what still lies below it (a map as tall as the screen grows with
# it) is scrolled to and checked too.
AXE_FAILS = """async () => {
    const main = document.querySelector('[data-testid="stMain"]');
    const runs = [await axe.run(document, {resultTypes: ['violations']})];
    if (main.scrollHeight > main.clientHeight) {
        main.scrollTop = main.scrollHeight;
        runs.push(await axe.run(document, {runOnly: ['color-contrast'], resultTypes: ['violations']}));
    }
    return runs.flatMap(r => r.violations)
        .filter(v => ['serious', 'critical'].includes(v.impact) || v.id === 'heading-order')
        .map(v => ({id: v.id, impact: v.impact,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.html.slice(0, 120))}));
}"""


def axe_failures(page) -> str:
    """axe's serious and critical findings on ``page`` as it is now ("[]" when none),
    as JSON to read in a failed assertion."""
    page.add_script_tag(path=str(AXE))
    return json.dumps(page.evaluate(AXE_FAILS), indent=1, ensure_ascii=False)


@pytest.fixture(scope="module", params=list(WIDTHS), ids=lambda w: f"{w}px")
def width_context(browser, request):
    """One browser context per screen width, shared by the pages audited at it."""
    context = browser.new_context(**WIDTHS[request.param])
    context.width = request.param
    yield context
    context.close()


@pytest.mark.parametrize("path, lang", AUDITED)
def test_no_serious_accessibility_violations(width_context, app_server, path, lang):
    """axe on each page and view, at desktop and phone width, in each language; at
    phone width the page also has no sideways scroll (a table may scroll inside its
    own region, which must then take keyboard focus: axe checks that).

    Offline use is test_every_page_loads_offline_without_errors's concern: requests
    are not routed through the test here (a third of each page's load time)."""
    page = width_context.new_page()
    try:
        page.log = PageLog(page, app_server.url)
        page.goto(f"{app_server.url}/{path}{'&' if '?' in path else '?'}lang={lang}")
        page.wait_for_selector(READY_SELECTOR, timeout=60_000)
        if not path.startswith("embed"):  # (an embedded view has no title)
            page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)
        page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
        if width_context.width == 390:
            assert page.evaluate(SIDEWAYS_SCROLL) == [0, 0]
        page.set_viewport_size({"width": width_context.width, "height": page.evaluate(MAIN_HEIGHT)})
        page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
        failing = axe_failures(page)
        assert failing == "[]", failing
        assert page.log.page_errors == []
    finally:
        page.close()


@pytest.fixture(scope="module")
def editing_server(tmp_path_factory):
    """The app on a copy of the data, with one editor (test-only credentials)."""
    server = app_with_one_editor(tmp_path_factory.mktemp("editing"), "ana", "editor", "a test password 123")
    yield server
    server.stop()


def signed_in_editor(browser, editing_server):
    """A new browser session on the Data page, signed in as the editor ana."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.log = PageLog(page, editing_server.url)
    open_page(page, editing_server.url, "data")
    page.get_by_label("Username").fill("ana")
    page.get_by_role("textbox", name="Password").fill("a test password 123")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as ana (editor).").wait_for(timeout=30_000)
    return context, page


def test_an_editor_uploads_checks_previews_and_saves(browser, editing_server, tmp_path):
    context, page = signed_in_editor(browser, editing_server)
    page.locator(".st-key-todo_row_sources").get_by_role("button", name="Update").click()

    # a bad file first: the problems are listed and nothing is saved
    sources = editing_server.data_dir / "sources.csv"
    before = sources.read_bytes()
    bad = tmp_path / "sources.csv"
    bad.write_bytes(before.replace(b"\nbooklet_25,", b"\nbooklet-25?,", 1))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    page.get_by_text("Not saved:").wait_for(timeout=30_000)
    assert "is not in the right form" in page.locator('[data-testid="stTable"]').first.inner_text()
    assert sources.read_bytes() == before

    # then a good one: preview, reason, save
    good = tmp_path / "upload" / "sources.csv"
    good.parent.mkdir()
    good.write_bytes(before.replace(b"Primary source for milestones", b"The primary source for milestones"))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(good))
    page.get_by_text("What will change: 1 cell").wait_for(timeout=30_000)
    review = page.locator('[data-testid="stTable"]', has_text="Before").inner_text()
    assert "booklet_25" in review and "Note" in review and "The primary source for milestones" in review
    page.get_by_label("Reason for this change").fill("wording")
    page.get_by_label("Reason for this change").press("Enter")  # Save is enabled once the reason is in
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("Sources updated (1 cell)").wait_for(timeout=30_000)
    assert b"The primary source for milestones" in sources.read_bytes()
    audit = (editing_server.data_dir / ".audit.jsonl").read_text(encoding="utf-8")
    assert '"user": "ana"' in audit and '"reason": "wording"' in audit
    assert page.log.page_errors == []
    context.close()


def open_folded(block) -> None:
    """Open the expander ``block`` (a ``stExpander``) as a reader does, by its
    summary. A click can miss while the page still lays out (a chart above drawn
    late moves the summary between Playwright's aim and its click; a clean-clone
    run lost one that way): the expander is clicked again until it says it is open."""
    details = block.locator("details")
    for _ in range(3):
        if details.get_attribute("open") is None:
            block.locator("summary").click()
        try:
            details.and_(block.page.locator("details[open]")).wait_for(timeout=5_000)
            return
        except PlaywrightTimeoutError:
            continue
    raise AssertionError("the expander did not open after three clicks")


def downloaded(page, button, tmp_path) -> tuple[str, bytes]:
    """Click ``button`` and return the file the browser saved: its name and bytes.
    Clicked once the page's run has finished: a button that a rerun (opening its
    expander) is still drawing could miss the click (a clean-clone run lost one)."""
    for attempt in range(3):
        button.wait_for(state="visible", timeout=60_000)
        page.wait_for_selector(READY_SELECTOR, timeout=60_000)
        try:
            with page.expect_download(timeout=30_000) as info:
                button.click()
            break
        except PlaywrightTimeoutError:
            # On a loaded machine a page still laying out its pictures lost a click
            # (a clean-clone run's Reports CSV never started): clicked again, as a
            # reader would.
            if attempt == 2:
                raise
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return info.value.suggested_filename, path.read_bytes()


def test_the_briefing_downloads_as_a_pdf(page, app_server, tmp_path):
    open_page(page, app_server.url, "map?region=peja")  # the page whose region the briefing covers
    name, pdf = downloaded(page, page.get_by_role("button", name="Download briefing (PDF)"), tmp_path)
    assert name == "omik_briefing_peja.pdf"
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    assert "Regional Centre Pejë/Peć" in "\n".join(p.extract_text() for p in PdfReader(tmp_path / name).pages)


def test_a_chart_downloads_exactly_what_it_plots_as_csv(page, app_server, tmp_path):
    open_page(page, app_server.url, "staffing")
    block = page.locator('[data-testid="stExpander"]').filter(has_text="View data").first
    open_folded(block)
    name, csv = downloaded(page, block.get_by_role("button", name="Download CSV"), tmp_path)
    assert name == "omik_staffing_latest_split.csv"
    text = csv.decode("utf-8")
    assert text.startswith("\ufeff") and "international" in text and "116" in text and "387" in text


def test_the_data_package_downloads_as_a_zip_of_its_files(page, app_server, tmp_path):
    open_page(page, app_server.url, "sources")
    name, data = downloaded(page, page.get_by_role("button", name="Download the whole data package (zip)"), tmp_path)
    assert name == "omik_data_package.zip"
    files = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert "datapackage.json" in files and "offices.csv" in files


def test_the_elections_page_draws_every_chart(page, app_server, tmp_path):
    open_page(page, app_server.url, "elections")
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    charts.nth(6).wait_for(state="attached", timeout=60_000)  # (the chart script loads after the page's text)
    # The CSV first, as the other chart-download test does: clicked while the page
    # still lays out the charts scrolled into view below, the download could be lost.
    block = page.locator('[data-testid="stExpander"]').filter(has_text="View data").nth(2)
    open_folded(block)
    name, content = downloaded(page, block.get_by_role("button", name="Download CSV"), tmp_path)
    assert name == "omik_elections_organised_kosovo_turnout.csv"
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [float(row["value"]) for row in rows] == [79, 63, 53.9, 53, 31]
    assert charts.count() == 7
    for i in range(7):
        chart = charts.nth(i)
        chart.scroll_into_view_if_needed()
        drawn = chart.locator("canvas, svg").first
        drawn.wait_for(timeout=60_000)
        box = drawn.bounding_box()
        assert box["width"] > 300 and box["height"] > 60
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text("Elections", exact=True).count() == 1
    assert page.log.page_errors == [] and unexpected_console_errors(page) == []


def test_embed_mode_shows_one_chart_without_navigation(page, app_server):
    # (a chart drawn in the browser: the staffing, budget and indicator views are pictures)
    open_page_embedded = f"{app_server.url}/embed?embed=true&view=milestones_per_year"
    page.goto(open_page_embedded)
    page.wait_for_selector(READY_SELECTOR, timeout=60_000)
    chart = page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')
    chart.first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.count() == 0 or not sidebar.is_visible()
    assert page.locator("h1").count() == 0
    assert page.locator('[data-testid="stVegaLiteChart"]').count() == 1
    # The page asked for is the page served (not a "Page not found" dialog over it).
    assert page.get_by_text("Page not found").count() == 0 and page.get_by_role("dialog").count() == 0


def test_printing_hides_the_sidebar_and_controls(page, app_server):
    open_page(page, app_server.url, "staffing")
    sidebar = page.locator('[data-testid="stSidebar"]')
    button = page.get_by_role("button", name="Download briefing (PDF)")
    sidebar.wait_for(state="visible", timeout=30_000)
    button.wait_for(state="visible", timeout=30_000)
    page.emulate_media(media="print")
    sidebar.wait_for(state="hidden", timeout=10_000)
    button.wait_for(state="hidden", timeout=10_000)
    width = page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')]"
                          ".map(e => e.getBoundingClientRect().width))")
    assert width <= 1280


def english_interface_strings(lang: str) -> list[str]:
    """English catalogue texts that the language translates differently and that no
    data file contains (so finding one on the page means untranslated interface)."""
    from dashboard.i18n import catalogue

    # The package's own text (tables and their descriptor's titles) is content, in English.
    data_text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "data").glob("*.csv")) \
        + (ROOT / "data" / "datapackage.json").read_text(encoding="utf-8")
    english, other = catalogue("en"), catalogue(lang)
    texts = []
    for key, text in english.items():
        fixed = re.split(r"\{\w+\}", text)  # the parts around placeholders
        for part in fixed:
            part = part.strip(" .:,()\"'")
            if len(part) >= 14 and part not in other[key] and part not in data_text:
                texts.append(part)
    return texts


@pytest.mark.parametrize("lang", ["sq", "sr"])
@pytest.mark.parametrize("path", ["", "map?region=prizren", "staffing", "reports", "elections", "history", "sources"])
def test_no_interface_text_is_left_in_english(page, app_server, path, lang):
    open_page(page, app_server.url, f"{path}{'&' if '?' in path else '?'}lang={lang}")
    text = page.locator("body").inner_text()
    leftovers = [s for s in english_interface_strings(lang) if s in text]
    assert leftovers == []


def test_a_deep_link_to_a_fresh_server_opens_the_page_with_navigation_and_language(browser):
    """The first request a new server gets is a shared link to a page other than the
    first (Streamlit's pages/ folder mode would run the page without app.py)."""
    server = AppServer(ROOT / "app.py")
    try:
        context = browser.new_context()
        page = context.new_page()
        page.log = PageLog(page, server.url)
        open_page(page, server.url, "staffing?lang=sr")
        page.get_by_role("heading", name="Osoblje", exact=True).wait_for(timeout=30_000)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Mapa prisustva").wait_for(timeout=30_000)
        assert sidebar.get_by_role("radio", checked=True).inner_text() == "Srpski"
        context.close()
    finally:
        server.stop()


def test_a_shared_year_link_restores_the_year_view(page, app_server):
    open_page(page, app_server.url, "map?year=2018")
    wait_for_map(page, 38 + 6)  # the offices the fact sheet dates 2016-2020
    # pills (their script is on the page already), scrolled so the chosen year shows
    year = page.locator(".st-key-year").get_by_role("radio", name="2018", exact=True)
    assert year.is_checked() and year.is_visible()
    main = page.locator('[data-testid="stMain"]')
    main.get_by_text("2018: what the sources say about the presence").wait_for(timeout=30_000)
    assert main.get_by_text("Field teams in municipalities: over 30").is_visible()
    page.get_by_role("button", name="Embed and more").click()
    shown = page.locator('[data-testid="stCode"]').first.inner_text()
    assert shown.endswith("/map?year=2018")
    # a year the sources date no office to (only a field-presence statement): the
    # municipalities and no office
    assert len(offices_in(load_dataset(), "2010")) == 0
    page.goto(shown.replace("year=2018", "year=2010"))
    page.wait_for_selector(READY_SELECTOR, timeout=60_000)
    main.get_by_text("2010: what the sources say about the presence").wait_for(timeout=30_000)
    wait_for_map(page, 38)
    assert page.frame_locator(MAP_FRAME).locator("path.leaflet-interactive").count() == 38
    assert main.get_by_text("so the map shows no offices for that year").is_visible()
    assert page.log.external_requests == [] and page.log.page_errors == []


# Streamlit's script files that the Presence map page must not need: the Vega-Lite
# renderer, the Arrow table and the select box (bench/page_ready.py: together some
# 2 MB and two waves of fetching before the page was ready).
HEAVY_SCRIPTS = ("embed", "ArrowVegaLiteChart", "arrowFormatUtils", "Selectbox")


def test_the_map_page_fetches_no_chart_renderer_table_or_select_box_script(page, app_server):
    import streamlit

    bundled = [f.name for f in (Path(streamlit.__file__).parent / "static" / "static" / "js").glob("*.js")]
    assert all(any(name.startswith(f"{s}.") for name in bundled) for s in HEAVY_SCRIPTS)  # (still their names)
    scripts = []
    page.on("request", lambda r: scripts.append(r.url.rsplit("/", 1)[-1]) if "/static/js/" in r.url else None)
    open_page(page, app_server.url, "map")
    wait_for_map(page, 38 + 6)
    chart = page.locator(".omik-static-chart img.omik-chart-wide")
    chart.scroll_into_view_if_needed()
    page.wait_for_function("(i) => i.complete && i.naturalWidth > 0", arg=chart.element_handle(), timeout=30_000)
    assert chart.get_attribute("alt").startswith("Chart: The Mission's offices over time")
    assert chart.is_visible() and not page.locator(".omik-static-chart img.omik-chart-narrow").is_visible()
    assert scripts and [s for s in scripts if s.split(".")[0] in HEAVY_SCRIPTS] == []
    assert page.log.external_requests == [] and page.log.page_errors == []


@pytest.mark.parametrize("path, pictures, key", [("budget", 1, "budget_over_time"),
                                                 ("reports", 3 + 2, "court_monitoring_departments")])
def test_the_budget_and_reports_pages_draw_their_charts_as_pictures_and_fetch_no_chart_script(
        page, app_server, tmp_path, path, pictures, key):
    scripts = []
    page.on("request", lambda r: scripts.append(r.url.rsplit("/", 1)[-1]) if "/static/js/" in r.url else None)
    open_page(page, app_server.url, path)
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    wide = page.locator(".omik-static-chart img.omik-chart-wide")
    # (the pictures can arrive after the charts' check passes: waited for, not counted at once)
    wide.nth(pictures - 1).wait_for(state="attached", timeout=60_000)
    assert wide.count() == pictures and page.locator(".omik-static-chart img.omik-chart-narrow").count() == pictures
    first = wide.first
    first.scroll_into_view_if_needed()
    page.wait_for_function("(i) => i.complete && i.naturalWidth > 300", arg=first.element_handle(), timeout=30_000)
    assert first.is_visible() and first.get_attribute("alt").startswith("Chart: ")
    # its figures a click away, as a Markdown table, and as a CSV of exactly what is drawn
    block = page.locator('[data-testid="stExpander"]').filter(has_text="View data").first
    open_folded(block)
    block.locator("table").wait_for(timeout=30_000)
    name, _ = downloaded(page, block.get_by_role("button", name="Download CSV"), tmp_path)
    assert name == f"omik_{key}.csv"
    assert scripts and [s for s in scripts if s.split(".")[0] in HEAVY_SCRIPTS] == []
    assert page.log.external_requests == [] and page.log.page_errors == []


# True once the page has run its script and nothing in it has changed for `ms`
# milliseconds: a page a person has had a moment to look at.
PAGE_QUIET = """(ms) => {
    if (!window.omikQuiet) {
        window.omikQuiet = {last: performance.now()};
        new MutationObserver(() => { window.omikQuiet.last = performance.now(); })
            .observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    }
    return !!document.querySelector(READY) && performance.now() - window.omikQuiet.last >= ms;
}""".replace("READY", repr(READY_SELECTOR))
# The placing map's view: Kosovo's outline box in the map's pixels, and a point in it.
PLACING_VIEW = """([bounds, point]) => {
    const m = window.map;
    if (!m || !m.getSize().x) return null;
    const sw = m.latLngToContainerPoint(bounds[0]), ne = m.latLngToContainerPoint(bounds[1]);
    const at = m.latLngToContainerPoint(point);
    return {size: m.getSize(), zoom: m.getZoom(), centre: m.getCenter(),
            box: {left: sw.x, right: ne.x, top: ne.y, bottom: sw.y}, point: {x: at.x, y: at.y}};
}"""


def test_an_editor_places_an_office_by_clicking_the_map(browser, editing_server):
    from dashboard.geo import contains_point
    from dashboard.maps import kosovo_bounds
    from dashboard.places import municipality_seats

    context, page = signed_in_editor(browser, editing_server)
    page.locator(".st-key-todo_row_offices").get_by_role("button", name="Update").click()
    page.get_by_role("tab", name="Place on the map").wait_for(timeout=30_000)
    # As a person does: the page settles and is looked at before the tab is opened.
    # Opened at once, the map drew; after a moment it opened on the whole world
    # (centre 0°, 0°, zoom 0), having been drawn in the hidden tab (issue #23).
    page.wait_for_function(PAGE_QUIET, arg=1500, polling=100, timeout=60_000)
    page.get_by_role("tab", name="Place on the map").click()
    page.get_by_label("Office", exact=True).click()
    page.get_by_role("option", name="Regional Centre Prizren (rc-prizren)").click()
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    # the boundaries and the offices, drawn by the app's own Leaflet
    frame.locator("path.leaflet-interactive").nth(38 + 6 - 1).wait_for(timeout=60_000)
    map_frame = page.locator('iframe[title="streamlit_folium.st_folium"]')
    map_frame.scroll_into_view_if_needed()
    seat = municipality_seats()["suhareke"]  # a town with no office: a click there falls on the map
    view = map_frame.element_handle().content_frame().wait_for_function(
        f"""(arg) => {{ const v = ({PLACING_VIEW})(arg);
                       return v && v.box.left >= 0 && v.box.right <= v.size.x && v.box.top >= 0
                              && v.box.bottom <= v.size.y && v; }}""",
        arg=[kosovo_bounds(), list(seat)], polling=200, timeout=30_000).json_value()
    # centred on Kosovo, the whole of it in view and filling most of the map's width or height
    assert contains_point(view["centre"]["lat"], view["centre"]["lng"]), view
    box, size = view["box"], view["size"]
    assert (box["right"] - box["left"]) >= 0.6 * size["x"] or (box["bottom"] - box["top"]) >= 0.6 * size["y"], view
    origin = map_frame.bounding_box()
    page.mouse.click(origin["x"] + view["point"]["x"], origin["y"] + view["point"]["y"])
    page.get_by_text("What will change").wait_for(timeout=30_000)
    chosen = re.search(r"Chosen point: (4\d\.\d+), (2\d\.\d+), in Suharek",
                       page.locator('[data-testid="stMain"]').inner_text())
    assert chosen and contains_point(float(chosen[1]), float(chosen[2]))
    frame.locator(".leaflet-tooltip", has_text="Regional Centre Prizren").wait_for(timeout=30_000)  # the chosen point
    assert page.log.external_requests == [] and page.log.page_errors == []
    context.close()
