"""Text from the data or the address bar, made safe for Streamlit's Markdown.

Streamlit renders Markdown almost everywhere (st.markdown, captions, notices,
headings, st.table cells, and the labels of metrics, expanders, tabs, buttons and
pills). Text that comes from the data files or the URL is never Markdown: it goes
through ``md_escape`` (or ``t_md`` for catalogue text with such placeholders), and
the building blocks of this package do that themselves so that no page can forget.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping
from urllib.parse import quote, urlsplit

import pandas as pd

from ..formatting import figures_as_text, web_url
from ..i18n import DEFAULT_LANG, isolate, t_with
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
    text = _MD_SYNTAX.sub(r"\\\1", isolate(_SPACES.sub(" ", str(text)).strip(" ")))
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


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


def md_link(url: str) -> str:
    """A Markdown link to the web address ``url`` (``formatting.web_url`` checked it),
    shown as its host ("www.osce.org"). The address is percent-encoded except for
    the characters an address needs, so that none of it (a ``)``, ``|`` or ``<``)
    can end the link, split a table's cell or become Markdown."""
    target = quote(url, safe=":/?#@!&'*+,;=%-._~")
    return f"[{md_escape(urlsplit(url).hostname or url)}](<{target}>)"


def markdown_table(frame: pd.DataFrame, lang: str = DEFAULT_LANG, *, headers: Mapping[str, str] | None = None,
                   links: Collection[str] = ()) -> str:
    """``frame`` as a Markdown table that shows every cell exactly as written
    (escaped), its numbers as the language writes them: plain text, so the page
    loads no table script. ``headers`` renames columns on screen; the columns in
    ``links`` hold web addresses, shown as links (``md_link``); anything else in
    them is shown as text."""
    shown = figures_as_text(frame, lang)
    names = [md_escape((headers or {}).get(name, name)) for name in shown.columns]
    rows = [names, ["---"] * len(names)]
    for row in shown.itertuples(index=False):
        rows.append(["" if pd.isna(value) else md_link(value) if name in links and web_url(value)
                     else md_escape(value) for name, value in zip(shown.columns, row)])
    return "\n".join("| " + " | ".join(cells) + " |" for cells in rows)
