"""Every page in Albanian and Serbian, with no English interface words left.

Each page is run under AppTest in ``sq`` and ``sr``; every text it sends to the
browser (headings, Markdown, captions, labels, options, table cells, chart titles,
axis titles and the charts' data) is collected and searched for the English
catalogue's texts that the language translates differently. What the data itself
holds (source titles, notes in the sources' words, proper names: every text cell
of the package and its descriptor) is removed first: it is content, in the language
it was published in.

The browser's side (the inner pages at 1440 and 390 px: every figure card's label
whole, and screenshots kept) is at the end.
"""
from __future__ import annotations

import csv
import html
import json
import re
from functools import cache
from urllib.parse import urlsplit

import pyarrow as pa
import pytest
from google.protobuf.message import Message

from conftest import run_page
from dashboard.formatting import web_url
from dashboard.i18n import catalogue
from dashboard.paths import DATA_DIR, ROOT

# Every page, and the embed page's map and one chart (its other views are charts
# built by the same code, checked in tests/test_charts.py).
PAGES = [("overview", {}), ("map", {"region": "prizren"}), ("staffing", {}), ("budget", {}), ("reports", {}),
         ("elections", {}), ("history", {}), ("sources", {}), ("data", {}),
         ("embed", {"embed": "true", "view": "map"}), ("embed", {"embed": "true", "view": "staffing_over_time"})]
# Proto fields that are not text a reader sees.
_NOT_TEXT = {"id", "form_id", "key", "url", "icon", "type", "format", "theme", "selection_mode", "vega_lite_theme",
             "css_class", "component_name", "js_content", "js_source_path", "css_content", "css_source_path"}
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~:$=&^'\"])")


@cache
def data_texts() -> tuple[str, ...]:
    """Every text of the data package, longest first."""
    texts: set[str] = set()
    for path in DATA_DIR.glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                texts.update(cell.strip() for cell in row)

    def walk(value):
        if isinstance(value, str):
            texts.add(value.strip())
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8")))
    # A link to a web address of the data is shown as its host (ui.text.html_link).
    texts.update([host for t in texts if (url := web_url(t)) and (host := urlsplit(url).hostname)])
    return tuple(sorted((t for t in texts if len(t) >= 3 and not t.isdigit()), key=len, reverse=True))


@cache
def data_texts_in_text() -> tuple[str, ...]:
    """``data_texts`` but the data's names the team translates (indicators,
    elections, units): in a heading, label, caption or chart those must not show in
    English. (A table of the data as stored shows them as they are: its cells that
    are exactly a text of the data are data.)"""
    translated = set(translated_names().values())
    return tuple(t for t in data_texts() if t not in translated)


TRANSLATED = ("indicator.", "election.", "unit.", "table_name.")


def translated_names() -> dict[str, str]:
    """The catalogue's English for the data's names it translates, by key."""
    return {k: v for k, v in catalogue("en").items() if k.startswith(TRANSLATED)}


def english_interface_words(lang: str) -> list[str]:
    """The English catalogue's texts (the parts around placeholders) that ``lang``
    writes differently: none of them should appear on a page in ``lang``. A part
    that ``lang``'s catalogue itself uses somewhere ("OSCE", "PDF", "CSV") is not
    English-only, and is left out."""
    english, other = catalogue("en"), catalogue(lang)
    theirs = "\n".join(other.values())
    words = set()
    for key, text in english.items():
        for part in re.split(r"\{\w+\}", text):
            part = part.strip(" .:;,()\"'–·/-?!%\n")
            if len(part) < 4 or not re.search(r"[A-Za-z]{3}", part) or part in other.get(key, ""):
                continue
            if re.search(rf"(?<!\w){re.escape(part)}(?!\w)", theirs):
                continue
            words.add(part)
    return sorted(words, key=len, reverse=True)


def _spec_texts(value, out: list[str], key: str | None = None) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _spec_texts(v, out, k)
    elif isinstance(value, list):
        for item in value:
            _spec_texts(item, out, key)
    elif isinstance(value, str) and key in ("title", "text"):
        out.append(value)


def _is_data(cell: str) -> bool:
    """A table cell that is exactly a text of the data is the data (the Sources page's
    tables, a chart's "View data"), shown as stored."""
    return _ESCAPED.sub(r"\1", cell).replace("\u2060", "").strip() in _data_text_set()


@cache
def _data_text_set() -> frozenset[str]:
    return frozenset(data_texts())


def _arrow_texts(blob: bytes, out: list[str]) -> None:
    try:
        table = pa.ipc.open_stream(blob).read_all()
    except (pa.ArrowInvalid, OSError):
        return
    out.extend(str(name) for name in table.column_names)
    for column in table.columns:
        out.extend(v for v in column.to_pylist() if isinstance(v, str) and not _is_data(v))


_MD_ROW = re.compile(r"^\|(.*)\|$")
_MD_CELL = re.compile(r"(?<!\\)\|")


def _markdown_table_texts(text: str, out: list[str]) -> bool:
    """A Markdown table (a chart's "View data" drawn without a table script) read as
    ``_arrow_texts`` reads a table: its headers, and its cells but those that are
    exactly a text of the data. False when ``text`` is not a table."""
    lines = text.strip().split("\n")
    if len(lines) < 2 or not all(_MD_ROW.match(line) for line in lines):
        return False
    for n, line in enumerate(lines):
        if n == 1:  # the | --- | rule
            continue
        cells = [c.strip() for c in _MD_CELL.split(_MD_ROW.match(line).group(1))]
        out.extend(c for c in cells if n == 0 or not _is_data(c))
    return True


def _proto_texts(message: Message, out: list[str]) -> None:
    for field, value in message.ListFields():
        if field.name in _NOT_TEXT:
            continue
        values = [value] if isinstance(value, (str, bytes, Message, int, float, bool)) else list(value)
        for item in values:
            if isinstance(item, Message):
                _proto_texts(item, out)
            elif isinstance(item, str) and field.name == "spec":
                _spec_texts(json.loads(item), out)
            elif isinstance(item, str):
                if not _markdown_table_texts(item, out):
                    out.append(item)
            elif isinstance(item, bytes):
                _arrow_texts(item, out)


_TAG = re.compile(r"<[^>]*>")
_CODE = re.compile(r"<(script|style)\b.*?</\1>", re.DOTALL | re.IGNORECASE)
_SHOWN_ATTRIBUTE = re.compile(r'\b(?:title|aria-label|alt|placeholder|data-[\w-]+)="([^"]*)"')


def _shown(text: str) -> list[str]:
    """What a reader sees of ``text``: HTML's text and its shown attributes (a
    title, a label, the messages a script shows), not its tags."""
    if not _TAG.search(text):
        return [text]
    text = _CODE.sub(" ", text)
    return [html.unescape(v) for v in (*_SHOWN_ATTRIBUTE.findall(text), _TAG.sub(" ", text))]


def page_texts(at) -> list[str]:
    """Every text of every element AppTest received, unescaped."""
    out: list[str] = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            _proto_texts(proto, out)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    # Styles and scripts the app adds are not read; nor is the language switcher,
    # which names each language in itself.
    texts = [_ESCAPED.sub(r"\1", shown).replace("\u2060", "")
             for t in out if not t.lstrip().startswith(("<style", "<script")) for shown in _shown(t)]
    return [t for t in texts if t not in ("English", "Shqip", "Srpski")]


def without_data(text: str) -> str:
    for data_text in data_texts_in_text():
        if data_text in text:
            text = text.replace(data_text, " ")
    return text


def english_left(texts: list[str], lang: str) -> list[tuple[str, str]]:
    """(English word, the text it is in) for each English interface text found."""
    words = english_interface_words(lang)
    found = []
    for text in dict.fromkeys(texts):
        rest = without_data(text)
        for word in words:
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", rest):
                found.append((word, text[:160]))
                rest = rest.replace(word, " ")
    return found


@pytest.mark.parametrize("lang", ["sq", "sr"])
@pytest.mark.parametrize("page, params", PAGES, ids=[f"{p}-{v.get('view', '')}".strip("-") for p, v in PAGES])
def test_no_english_interface_text_on_any_page(page, params, lang):
    at = run_page(page, lang=lang, **params, opened=True)  # with what its expanders hold
    texts = page_texts(at)
    assert len(texts) > 5  # the collector sees the page
    assert english_left(texts, lang) == []
    # A Serbian date keeps one full stop where a sentence or list goes on.
    assert not [t for t in texts if re.search(r"\d\.\.(?!\.)|\d\.;", t)]


def test_the_check_finds_english_where_it_is_left():
    """The check is not vacuous: an English interface text in a Serbian page is found,
    and a source's English title is not."""
    title = next(t for t in data_texts() if t.startswith("OSCE Mission in Kosovo"))
    texts = [f"Izvori: {title}, stanje: 2019", "Staff employed over time", "Prikaži podatke"]
    assert english_left(texts, "sr") == [("Staff employed over time", "Staff employed over time")]
    assert "View data" in english_interface_words("sq")
    # a Markdown table's cells are read too, but those that are exactly data
    cells: list[str] = []
    assert _markdown_table_texts(f"| Vlera | Izvor |\n| --- | --- |\n| View data | {title} |", cells)
    assert cells == ["Vlera", "Izvor", "View data"]


def test_the_lists_drawn_as_html_are_read_as_a_reader_sees_them():
    """The Sources page's lists (and History's timeline) are HTML (ui.text): the check
    reads their text, a link as its host, not their tags or entities."""
    at = run_page("sources", lang="sr")
    rows = catalogue("sr")["sources.col.rows"]
    [listing] = [text for text in page_texts(at) if f"{rows}: " in text]
    assert "<" not in listing and "**" not in listing and "&#" not in listing
    assert " www.osce.org " in listing and "https://" not in listing
    assert english_left([listing], "sr") == []


# --- the pages in a browser, kept as screenshots ---------------------------------------

INNER_PAGES = ["staffing", "budget", "reports", "elections", "history", "map"]
SHOTS = ROOT / "test-results" / "charts"
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
    .every(c => c.offsetParent === null || c.querySelector('canvas, svg'))"""
# Streamlit draws a grey placeholder while an element's code loads (slowly on a busy machine).
ALL_DRAWN = "() => !document.querySelector('[data-testid=\"stSkeleton\"]')"
MAIN_HEIGHT = """() => document.querySelector('[data-testid="stMain"]').scrollHeight"""
# The map's frame holds its offices' markers.
MAP_DRAWN = """(sel) => { const f = document.querySelector(sel);
    return f && f.contentDocument && f.contentDocument.querySelector('path.omik-office'); }"""
# Each figure card's label and value (st.metric, and the Overview's strip: ui.figures.
# kpi_strip_html): how many there are, and the text of
# those cut short, i.e. holding a box whose content is wider or taller than the box
# (Streamlit's default: one line, cut with an ellipsis). The cards folded under "More
# figures" are filled when it opens (ui.figures.lazy_expander): the test opens it.
CLIPPED_FIGURES = """() => {
    const parts = [...document.querySelectorAll(
        '[data-testid="stMetric"] :is([data-testid="stMetricLabel"], [data-testid="stMetricValue"]),'
        + '.omik-kpi :is(.omik-kpi-label, .omik-kpi-value)')];
    const cut = e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1;
    return {count: parts.length,
            clipped: parts.filter(p => [p, ...p.querySelectorAll('*')].some(cut)).map(p => p.textContent.trim())};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1440, 390])
@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_inner_pages_show_every_figure_whole_and_are_kept_as_screenshots(browser, app_server, lang, width):
    """Every inner page (the chart pages and the Presence map) at desktop and phone
    width in each language, in one browser session: each figure card's label and
    value whole (wrapped, not cut with an ellipsis: Albanian and Serbian labels are
    longer), no chart wider than a phone's screen, and the page kept as a PNG under
    test-results/charts/ for review (full length; the map page as the screen shows it,
    its map being as tall as the screen)."""
    from support.browser import MAP_FRAME, READY_SELECTOR

    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        for path in INNER_PAGES:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{app_server.url}/{path}?lang={lang}")
            page.wait_for_selector(READY_SELECTOR, timeout=60_000)
            page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)
            page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
            page.wait_for_function(ALL_DRAWN, timeout=60_000)
            label = re.escape(catalogue(lang)["kpi.more"]).replace(re.escape("{count}"), r"\d+")
            more = page.locator('[data-testid="stExpander"]').filter(
                has=page.locator("summary", has_text=re.compile(label + "$")))
            for box in more.all():
                box.locator("summary").click()
                box.locator('[data-testid="stMetric"]').first.wait_for(timeout=60_000)
            page.wait_for_selector(READY_SELECTOR, timeout=60_000)
            figures = page.evaluate(CLIPPED_FIGURES)
            assert figures["clipped"] == [], (path, figures["clipped"])
            assert figures["count"] > 0 or path in ("history", "map"), path  # the check sees the cards
            target = SHOTS / f"{path}-{lang}-{width}.png"
            if path == "map":
                page.wait_for_function(MAP_DRAWN, arg=MAP_FRAME, timeout=60_000)
                page.screenshot(path=str(target))
                continue
            # As tall as the page, so the whole of it is drawn in one picture.
            page.set_viewport_size({"width": width, "height": page.evaluate(MAIN_HEIGHT)})
            page.wait_for_selector(READY_SELECTOR, timeout=60_000)
            page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
            page.wait_for_function(ALL_DRAWN, timeout=60_000)
            widest = page.evaluate("""() => Math.max(0, ...[...document.querySelectorAll(
                '[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg')]
                .map(e => e.getBoundingClientRect().right))""")
            assert widest <= width, (path, widest)
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 10_000
    finally:
        context.close()
