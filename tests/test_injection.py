"""Text from the data files or the address bar is shown as text, never as Markdown
or HTML: no links, images, emphasis or directives that the data did not ask for
(and could not have: the data has no Markdown fields).

Every page (and every embed view) runs under AppTest on a copy of the package with
payloads in every free-text field (tests/hostile.py), and every string of every
element that Streamlit renders as Markdown is checked; the long lists the app
builds as HTML (ui.text) are parsed, and hold nothing but their own markup. The
browser side (no request leaves the app, no link in the DOM) is in test_browser.py.
"""
import html
import re
from urllib.parse import urlsplit

import pandas as pd
import pytest
from streamlit.testing.v1.element_tree import Block

from conftest import run_page
from dashboard.embeds import VIEWS
from dashboard.formatting import web_url
from dashboard.i18n import t
from dashboard.ui.text import (
    WORD_JOINER,
    html_link,
    html_text,
    md_escape,
    md_frame,
    record_list,
    shorten,
    sources_list,
    t_md,
)
from dashboard.validation import validate_package
from hostile import JAVASCRIPT_URL, PAYLOADS, SOURCE_URL, make_hostile_package
from support.html_lists import ListReader, app_lists, is_app_list, read_list
from support.kpi_strip import START, StripReader, strip_of

# Payloads that mean something in Markdown ('" onmouseover=...' only means something in HTML).
MARKDOWN_PAYLOADS = [p for p in PAYLOADS if not p.startswith('"')]
# What Streamlit still turns into links, emoji or logos in the text left after parsing
# (backslash escapes gone): GFM autolinks and shortcodes.
TEXT_PATTERNS = re.compile(r"(?i)(?:https?://|www\.)evil|\w@evil|:(?:smile|streamlit):")
# Elements whose text is not Markdown: plain text (code, charts, st.dataframe), and HTML (legend, map frames), checked
# for raw markup instead.
PLAIN = {"code", "vega_lite_chart", "dataframe"}
HTML = {"html", "iframe", "bidi_component"}
HTML_PAYLOADS = ["<img src=https://evil.example", "<script>alert(1)", '" onmouseover="alert(1)', "<https://evil"]


def unescaped(text: str) -> list[str]:
    """The payloads ``text`` (Markdown) would render as something other than text."""
    left_after_parsing = re.sub(r"\\(.)", r"\1", text)
    return [p for p in MARKDOWN_PAYLOADS if p in text] + TEXT_PATTERNS.findall(left_after_parsing)


def _strings(message) -> list[str]:
    out = []
    for field, value in message.ListFields():
        if field.name == "icon":  # ours (":material/link:"), never from the data
            continue
        values = value if field.is_repeated else [value]
        for v in values:
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, bytes):
                out.append(v.decode("utf-8", "replace"))
            elif hasattr(v, "ListFields"):
                out += _strings(v)
    return out


def rendered_texts(at) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(markdown, html)``: every string of every element, as ``(element type, text)``,
    split into what Streamlit renders as Markdown and what it renders as HTML."""
    markdown, html = [], []

    def walk(node):
        if isinstance(node, Block):
            if getattr(node, "proto", None) is not None:  # expander, popover and tab labels
                markdown.extend((node.type, s) for s in _strings(node.proto))
            for child in node.children.values():
                walk(child)
        elif node.type == "table":  # st.table: cells and headers are Markdown
            frame = node.value
            markdown.extend(("table", str(s)) for s in [*frame.columns, *frame.to_numpy().ravel()])
        elif node.type == "selectbox":  # the label is Markdown, the options are plain text
            markdown.append((node.type, node.proto.label))
        elif node.type in HTML:
            html.extend((node.type, s) for s in _strings(node.proto))
        elif node.type in PLAIN:
            pass
        else:
            markdown.extend((node.type, s) for s in _strings(node.proto))

    walk(at._tree)
    return markdown, html


def assert_shown_as_text(at) -> None:
    markdown, html = rendered_texts(at)
    assert markdown  # (the walk found the page)
    bad = [(kind, text[:300], found) for kind, text in markdown if (found := unescaped(text))]
    assert bad == []
    raw_html = [(kind, p) for kind, text in html for p in HTML_PAYLOADS if p in text]
    assert raw_html == []
    # The app's HTML lists: nothing in them but their own tags and attributes, and
    # links to web addresses only.
    assert [ListReader(text).problems for _, text in html if is_app_list(text)] == [
        [] for _, text in html if is_app_list(text)]
    # The Overview's strip of figures: nothing in it but its own tags and classes.
    strips = [text for _, text in html if text.startswith(START)]
    assert [StripReader(text).problems for text in strips] == [[] for _ in strips]


# --- the rule ----------------------------------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS + ["line\n# heading", "text\n===", "1. item", "    code", "> quote",
                                                "x | y", "a\\[b\\](https://evil.example/esc)", "&amp; &lt;b&gt;"])
def test_md_escape_keeps_every_character_and_no_markdown(payload):
    escaped = md_escape(payload)
    assert unescaped(escaped) == []
    assert "\n" not in escaped and not escaped.startswith(" ")
    # what a reader sees: the text itself, on one line
    assert re.sub(r"\\(.)", r"\1", escaped).replace(WORD_JOINER, "") == " ".join(payload.split())


def test_md_escape_leaves_ordinary_text_alone():
    assert md_escape("Dragash/Dragaš 17\u00a0510 2016–2020") == "Dragash/Dragaš 17\u00a0510 2016–2020"
    assert md_escape("Source: booklet") == "Source\\: booklet"  # no joiner where nothing follows


@pytest.mark.parametrize("url, target", [
    ("https://www.osce.org/kosovo", "https://www.osce.org/kosovo"),
    ("https://evil.example/a)b|c<d>e[f]g`h$i\\j", "https://evil.example/a%29b%7Cc%3Cd%3Ee%5Bf%5Dg%60h%24i%5Cj"),
    ("https://evil.example/x](javascript:alert(1))", "https://evil.example/x%5D%28javascript:alert%281%29%29"),
    ('https://evil.example/a"onmouseover="alert(1)"&b\'c', "https://evil.example/a%22onmouseover=%22alert%281%29%22&b'c"),
])
def test_a_link_to_a_web_address_shows_its_host_and_cannot_end_early(url, target):
    link = html_link(url)
    [item] = read_list(f"<li>{link}</li>")  # nothing but the link: no attribute or tag of its own
    assert item.links == [target] and item.lines == [urlsplit(url).hostname]
    assert link == f'<a href="{html.escape(target)}" target="_blank">{item.lines[0]}</a>'


def test_html_text_shows_every_payload_as_text_on_one_line():
    for payload in [*PAYLOADS, "a\n<b>&amp;</b>\t'q'"]:
        [item] = read_list(f"<li>{html_text(payload)}</li>")
        assert item.lines == [" ".join(payload.split())] and item.links == []


def test_the_sources_list_links_web_addresses_only_and_keeps_each_item_whole():
    listing = pd.DataFrame({"id": ["a_b", "c"], "title": ["- x\n# y", "**z**"], "publisher": ["P", None],
                            "year": pd.array([2024, None], dtype="Int64"), "rows": [3, 0],
                            "url": ["https://evil.example/|x", "javascript:alert(1)"], "note": ["n\n- o", None]})
    first, second = read_list(sources_list(listing))
    assert first.links == ["https://evil.example/%7Cx"] and second.links == []
    assert first.title == "- x # y" and first.lines == ["- x # y · P, 2024", "evil.example",
                                                         "Rows citing it: 3 · Id: a_b", "n - o"]
    assert second.title == "**z**" and second.lines == ["**z**", "Rows citing it: 0 · Id: c"]


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_the_lists_show_every_payload_as_text(lang):
    n = len(PAYLOADS)
    listing = pd.DataFrame({"id": PAYLOADS, "title": PAYLOADS, "publisher": PAYLOADS[1:] + PAYLOADS[:1],
                            "year": pd.array([2024] * n, dtype="Int64"), "rows": range(n),
                            "url": [SOURCE_URL, JAVASCRIPT_URL] * (n // 2) + [SOURCE_URL] * (n % 2),
                            "note": PAYLOADS[2:] + PAYLOADS[:2]})
    items = read_list(sources_list(listing, lang))
    assert [i.title for i in items] == PAYLOADS
    source_id = t("sources.col.id", lang)
    assert all(item.lines[-1] == PAYLOADS[(k + 2) % n] and item.lines[-2].endswith(f"{source_id}: {PAYLOADS[k]}")
               for k, item in enumerate(items))
    assert {u for i in items for u in i.links} == {SOURCE_URL}
    frame = pd.DataFrame({PAYLOADS[0]: PAYLOADS, "status": PAYLOADS[3:] + PAYLOADS[:3], PAYLOADS[1]: PAYLOADS,
                          "figures": [1234.5] * n})
    items = read_list(record_list(frame, lang, by=["status"]))
    assert [i.title for i in items] == PAYLOADS and all(i.links == [] for i in items)
    assert items[0].lines == [f"{PAYLOADS[0]} · {PAYLOADS[3]}",
                              f"{PAYLOADS[1]}: {PAYLOADS[0]} · figures: {'1,234.5' if lang == 'en' else '1.234,5'}"]


def test_sources_links_each_sources_web_address(hostile_data):
    shown = [u for body in app_lists(run_page("sources")) for item in read_list(body) for u in item.links]
    assert SOURCE_URL in shown and all(web_url(u) == u for u in shown)


def test_the_table_on_screen_is_escaped_and_the_csv_keeps_the_values():
    import pandas as pd

    frame = pd.DataFrame({"[h](https://evil.example)": ["**x**", None], "n": [1, -2]})
    shown = md_frame(frame)
    assert list(shown.columns) == [md_escape("[h](https://evil.example)"), "n"]
    assert shown.iloc[0, 0] == "\\*\\*x\\*\\*" and pd.isna(shown.iloc[1, 0])
    assert shown["n"].tolist() == [1, -2]
    assert frame.iloc[0, 0] == "**x**"  # the original (and its CSV) untouched


@pytest.mark.parametrize("url, link", [
    ("https://www.osce.org/kosovo", "https://www.osce.org/kosovo"), ("HTTP://example.org/a", "HTTP://example.org/a"),
    (JAVASCRIPT_URL, None), ("JavaScript:alert(1)", None), ("data:text/html,<script>", None),
    ("https://", None), ("https://a b", None), ("//evil.example/x", None), ("https://[::1", None), (None, None),
])
def test_only_web_addresses_become_links(url, link):
    assert web_url(url) == link


# --- every page on hostile data --------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory):
    path = make_hostile_package(tmp_path_factory.mktemp("hostile") / "data")
    assert validate_package(path).valid  # the payloads are valid data, not a broken package
    return path


@pytest.fixture
def hostile_data(hostile_dir, monkeypatch):
    monkeypatch.setenv("OMIK_DATA_DIR", str(hostile_dir))
    return hostile_dir


VIEWS_TO_CHECK = [
    ("overview", {}), ("map", {}), ("map", {"region": "prizren"}), ("map", {"municipality": "prizren"}),
    ("map", {"office": "hq"}), ("map", {"office": "rc-peja", "measure": "region"}),
    ("staffing", {}), ("budget", {}), ("reports", {}), ("reports", {"group": "justice"}), ("history", {}),
    ("elections", {}), ("elections", {"lang": "sr"}),
    ("sources", {}), ("data", {}), ("overview", {"lang": "sq"}), ("reports", {"lang": "sr"}),
    *[("embed", {"view": v, "region": "peja"}) for v in VIEWS],
]


@pytest.mark.parametrize("page, params", VIEWS_TO_CHECK, ids=[f"{p}-{'-'.join(v.values())}" for p, v in VIEWS_TO_CHECK])
def test_text_from_the_data_is_shown_as_text(hostile_data, page, params):
    at = run_page(page, **params, opened=True)
    assert_shown_as_text(at)
    assert not at.warning  # valid data: no problem notice


def test_the_check_sees_the_payloads(hostile_data):
    """The data really reaches the page (else the test above could not fail)."""
    markdown, _ = rendered_texts(run_page("reports", opened=True))
    escaped = [md_escape(p) for p in MARKDOWN_PAYLOADS]
    assert sum(any(e in text for text in (s for _, s in markdown)) for e in escaped) >= 5


@pytest.mark.parametrize("page, lists", [("sources", 2), ("history", 1)])
def test_the_check_sees_the_html_lists_and_their_payloads(hostile_data, page, lists):
    """The pages' long lists are HTML, which the check above parses: it sees them,
    and the payloads in them, as text."""
    _, html_texts = rendered_texts(run_page(page, opened=True))
    bodies = [text for _, text in html_texts if is_app_list(text)]
    assert len(bodies) == lists
    shown = "\n".join(line for body in bodies for item in read_list(body) for line in item.lines)
    assert sum(p in shown for p in PAYLOADS) >= 5


def test_the_check_sees_the_figure_strip_and_its_payloads(hostile_data):
    """The Overview's figures are one HTML element, which the check above parses: the
    sources' hostile titles reach it, behind each figure's "Source", as text."""
    shown = "\n".join(line for figure in strip_of(run_page("overview")) for line in figure.about)
    assert sum(p in shown for p in PAYLOADS) >= 3


def test_sources_never_links_an_address_that_is_not_a_web_address(tmp_path, monkeypatch):
    data = make_hostile_package(tmp_path / "data", javascript_url=True)
    monkeypatch.setenv("OMIK_DATA_DIR", str(data))
    at = run_page("sources", opened=True)
    assert_shown_as_text(at)
    # The validator refuses the address, so the sources table is left out whole (its
    # notice names it); sources_list would show it as text, not a link, anyway.
    shown = [u for body in app_lists(at) for item in read_list(body) for u in item.links]
    assert JAVASCRIPT_URL not in shown and all(web_url(u) == u for u in shown)
    assert any(md_escape("sources.csv") in w.value for w in at.warning)
    assert web_url(JAVASCRIPT_URL) is None and web_url(SOURCE_URL) == SOURCE_URL


def test_the_zip_says_it_is_raw_data(hostile_data):
    at = run_page("sources", opened=True)
    assert t("sources.zip_raw", "en") in [c.value for c in at.caption]


# --- the address bar ---------------------------------------------------------------

URL_PAYLOADS = [
    "[Session expired, sign in again](https://evil.example/login)",
    "![x](https://evil.example/pixel.png)",
    ":red[alert] $x^2$ **bold** www.evil.example",
    "admin@evil.example <img src=https://evil.example/i.png>",
    "https://evil.example/" + "a" * 80,
]
# page -> the parameters it reads (and so echoes when unknown)
OWNED = {"map": ["region", "municipality", "office", "measure", "lang"], "reports": ["group"],
         "history": ["theme"], "embed": ["view", "region"]}


@pytest.mark.parametrize("payload", URL_PAYLOADS)
@pytest.mark.parametrize("page, param", [(p, k) for p, keys in OWNED.items() for k in keys])
def test_unknown_values_from_the_link_are_echoed_as_short_text(page, param, payload):
    at = run_page(page, **{param: payload}, opened=True)
    notice = t_md("state.ignored_param", "en", name=param, value=shorten(payload))
    assert notice in [c.value for c in at.caption]
    assert len(shorten(payload)) <= 41
    assert_shown_as_text(at)


PARAMS = ["region", "municipality", "office", "measure", "group", "theme", "lang", "view", "year"]


@pytest.mark.parametrize("page", ["overview", "map", "staffing", "budget", "reports", "elections", "history", "data",
                                  "sources", "embed"])
def test_no_page_renders_a_hostile_link_from_any_parameter(page):
    params = {key: URL_PAYLOADS[i % len(URL_PAYLOADS)] for i, key in enumerate(PARAMS)}
    # (the share link repeats the address in st.code, which is plain text)
    assert_shown_as_text(run_page(page, **params, opened=True))
