"""Text from the data or the address bar, made safe for Streamlit's Markdown, and
the long lists of a page as escaped HTML.

Streamlit renders Markdown almost everywhere (st.markdown, captions, notices,
headings, st.table cells, and the labels of metrics, expanders, tabs, buttons and
pills). Text that comes from the data files or the URL is never Markdown: it goes
through ``md_escape`` (or ``t_md`` for catalogue text with such placeholders), and
the building blocks of this package do that themselves so that no page can forget.

A long list (the sources, the tables' status, the History timeline) is HTML built
here, every text in it escaped (``html_text``), and shown with ``st.html``: the
browser's Markdown renderer spends main-thread time in proportion to the text's
length (on the Sources page, most of the time before it was ready), where st.html
only sanitises the HTML and sets it.
"""
from __future__ import annotations

import functools
import html
import re
from collections.abc import Iterable, Sequence
from urllib.parse import quote, urlsplit

import pandas as pd

from ..formatting import figures_as_text, format_exact, web_url
from ..i18n import DEFAULT_LANG, isolate, t, t_with
from ..loading import per_frame

WORD_JOINER = "\u2060"  # invisible, and no line break where it stands
_SPACES = re.compile(r"[ \t\r\n\f\v\x85\u2028\u2029]+")
_MD_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=])")
# Streamlit rewrites the parsed text, where backslash escapes are already gone:
# GFM autolinks (https://..., www.x, name@host), emoji and :streamlit: shortcodes,
# and arrows (->, >=). A word joiner inside each pattern keeps it from matching.
_TEXT_PATTERNS = [
    (re.compile(r"(\\:)(?=\S)"), "\\1" + WORD_JOINER),  # ":smile:", "https://", "mailto:"
    (re.compile(r"@"), WORD_JOINER + "@"),
    (re.compile(r"(?i)(www)(?=\\\.)"), "\\1" + WORD_JOINER),
    (re.compile(r"(\\[<\-~>])(?=\\[<\->=])"), "\\1" + WORD_JOINER),  # "->", "<=", "--", "~="
]


def md_escape(text: object) -> str:
    """``text`` as Markdown that Streamlit shows exactly as written, on one line: no
    links, images, HTML, emphasis, headings, lists, LaTeX, Streamlit directives
    (``:red[...]``, ``:material/...:``), emoji shortcodes or autolinks. Runs of
    spaces and line breaks become one space, with none at either end (as the browser
    would show them anyway): a line break could start a heading or a list. Text
    with bidirectional controls or right-to-left letters is isolated
    (``i18n.isolate``): it cannot reorder the sentence it stands in."""
    text = _MD_SYNTAX.sub(r"\\\1", _one_line(text))
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def html_text(text: object) -> str:
    """``text`` as HTML that shows it exactly as written, on one line: every ``<``,
    ``&`` and quote escaped (it may stand in an attribute), spaces and line breaks
    as ``md_escape`` has them, and bidirectional text isolated likewise."""
    return html.escape(_one_line(text), quote=True)


def _one_line(text: object) -> str:
    return isolate(_SPACES.sub(" ", str(text)).strip(" "))


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters with "…": an echo of what a link asked
    for, not a place to paste a paragraph."""
    return text if len(text) <= limit else text[:limit] + "…"


def t_md(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """A catalogue text (ours: it may be Markdown) with placeholders filled from the
    data or the address bar, each escaped with ``md_escape``."""
    return t_with(md_escape, key, lang, **params)


def md_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for ``st.table``, which renders every cell and header as
    Markdown: each text cell and column name escaped, numbers left as numbers."""
    out = frame.rename(columns=lambda c: md_escape(c) if isinstance(c, str) else c)
    for i, dtype in enumerate(out.dtypes):
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            column = out.iloc[:, i]  # (Series.map would turn a missing None into NaN)
            out.isetitem(i, pd.Series([md_escape(v) if isinstance(v, str) else v for v in column],
                                      index=column.index, dtype=dtype))
    return out


def shown_table(frame: pd.DataFrame, lang: str = DEFAULT_LANG):
    """``frame`` as a table reads on screen: its numbers written as the language
    writes them (``formatting.figures_as_text``), its text escaped (``md_frame``),
    as the Arrow table ``st.table`` would convert that to (the same bytes reach the
    browser). Once per frame and language (``loading.per_frame``): a shared table
    is formatted, escaped (a Python call per cell) and converted once per data
    version."""
    return _shown_table_in(lang)(frame)


@functools.cache  # one per interface language
def _shown_table_in(lang: str):
    from streamlit.dataframe_util import convert_pandas_df_to_arrow_table

    @per_frame
    def shown(frame: pd.DataFrame):
        return convert_pandas_df_to_arrow_table(md_frame(figures_as_text(frame, lang)))

    return shown


def html_link(url: str) -> str:
    """An HTML link to the web address ``url`` (``formatting.web_url`` checked it),
    opening in a new tab, shown as its host ("www.osce.org"). The address is
    percent-encoded except for the characters an address needs, then escaped, so
    that none of it (a quote or ``<``) can end the attribute or the link."""
    target = html.escape(quote(url, safe=":/?#@!&'*+,;=%-._~"), quote=True)
    return f'<a href="{target}" target="_blank">{html_text(urlsplit(url).hostname or url)}</a>'


def markdown_table(frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> str:
    """``frame`` as a Markdown table that shows every cell exactly as written
    (escaped), its numbers as the language writes them: plain text, so the page
    loads no table script."""
    shown = figures_as_text(frame, lang)
    rows = [[md_escape(name) for name in shown.columns], ["---"] * len(shown.columns)]
    rows += [[md_escape("" if pd.isna(value) else value) for value in row] for row in shown.itertuples(index=False)]
    return "\n".join("| " + " | ".join(cells) + " |" for cells in rows)


def _present(value: object) -> bool:
    return not pd.isna(value) and str(value).strip() != ""


def _list_item(title: object, head: list[str], lines: list[str]) -> str:
    # An item of an HTML list: the title in bold, ``head`` (HTML) after it, then a line each.
    head = [part for part in head if part]
    first = f"<strong>{html_text(title)}</strong>" + (f" · {' · '.join(head)}" if head else "")
    return "<li>" + "<br>".join(line for line in (first, *lines) if line) + "</li>"


def html_list(items: Iterable[str]) -> str:
    """``items`` (each an HTML ``<li>``) as the app's list (``omik-list`` in page.css)."""
    return f'<ul class="omik-list">{"".join(items)}</ul>'


def record_list(frame: pd.DataFrame, lang: str = DEFAULT_LANG, *, by: Sequence[str] = (),
                paragraphs: Sequence[str] = ()) -> str:
    """``frame`` as an HTML list (for ``st.html``), a row an item: its first column in
    bold, after it the columns ``by``, then each column of ``paragraphs`` on a line
    of its own, and the others as "column: value" on one line; empty values left
    out, everything escaped, numbers as the language writes them. For a table too
    wide for a phone: a list reads on any screen, and the page loads no table script."""
    shown = figures_as_text(frame, lang)
    title, rest = shown.columns[0], [c for c in shown.columns[1:] if c not in (*by, *paragraphs)]
    return html_list(
        _list_item(row[title], [html_text(row[c]) for c in by if _present(row[c])],
                   [*(html_text(row[c]) for c in paragraphs if _present(row[c])),
                    " · ".join(f"{html_text(c)}: {html_text(row[c])}" for c in rest if _present(row[c]))])
        for row in shown.to_dict("records"))


def sources_list(listing: pd.DataFrame, lang: str = DEFAULT_LANG) -> str:
    """The sources (``provenance.sources_listing``) as an HTML list (for ``st.html``),
    a source an item: its title, publisher and year, a link to its web address
    (``html_link``; none when it has none), how many rows cite it, its id and its
    note, all from the data and escaped. A list, not a table: the notes are
    paragraphs, and a seven-column table on a phone shows two columns of very tall rows."""
    rows, source_id = html.escape(t("sources.col.rows", lang)), html.escape(t("sources.col.id", lang))
    return html_list(
        _list_item(row.title, [", ".join(html_text(v) for v in (row.publisher, row.year) if _present(v))],
                   [html_link(row.url) if web_url(row.url) else "",
                    f"{rows}: {html_text(format_exact(row.rows, lang))} · {source_id}: {html_text(row.id)}",
                    html_text(row.note) if _present(row.note) else ""])
        for row in listing.itertuples(index=False))
