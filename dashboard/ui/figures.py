"""Figures on a page: headline cards, charts and tables, each with its sources and
a CSV of exactly what it shows."""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

import pandas as pd
import streamlit as st

from ..cache import dataset, per_version
from ..charts import ChartSpec
from ..display_tables import milestones_by_year, plotted_table
from ..export import csv_for_excel
from ..i18n import DEFAULT_LANG, t
from ..kpis import Kpi, kpi_sources
from ..loading import Dataset
from .static_chart import picture
from .text import html_list, html_text, markdown_table, md_escape, shown_table, t_md


def kpi_cards(kpis: list[Kpi], lang: str = DEFAULT_LANG, per_row: int = 3, first: int | None = None) -> None:
    """Headline figures as cards, each with its source and as-of date beneath.
    Columns wrap to one per line on a phone (Streamlit stacks them). The detail and
    caption are plain lines of catalogue text and data, escaped whole.

    ``first``: how many cards the page shows as its summary; the others wait in a
    closed expander (a card is a third of a phone's screen)."""
    if first is not None and first < 1:
        raise ValueError(f"first must be at least 1 (or None for every card), not {first!r}")
    shown, rest = (kpis, []) if first is None else (kpis[:first], kpis[first:])
    _cards(shown, lang, per_row)
    if rest:
        lazy_expander(t("kpi.more", lang, count=len(rest)), "kpi_more", partial(_cards, rest, lang, per_row))


def _cards(kpis: list[Kpi], lang: str, per_row: int) -> None:
    for start in range(0, len(kpis), per_row):
        for column, kpi in zip(st.columns(per_row), kpis[start:start + per_row]):
            with column.container(border=True):
                st.metric(kpi.label(lang, md_escape), kpi.display_value(lang))
                if kpi.detail:
                    st.markdown(md_escape(kpi.detail))
                st.caption(md_escape(kpi.caption(lang)))


def kpi_strip(kpis: list[Kpi], lang: str = DEFAULT_LANG) -> None:
    """Headline figures as one even strip (``kpi_strip_html``), and every source once
    in a footnote under it (a disclosure neither prints nor shows to everyone).
    Six figures fit one row at desktop width and wrap two by two on a phone
    (``page.css``)."""
    st.html(kpi_strip_html(kpis, lang))
    footnote = kpi_sources(kpis, lang)
    if footnote:
        st.caption(md_escape(t("kpi.sources", lang, sources=footnote)))


def kpi_strip_html(kpis: list[Kpi], lang: str = DEFAULT_LANG) -> str:
    """The strip as one HTML list: each figure's label, value and year, and its
    detail and source behind a "Source" disclosure (a ``details`` element: it
    opens by touch and by keyboard, where a tooltip needs a pointer).
    One element, where metric cards were nineteen for the browser to draw before
    the map below them, and a script of their own. Every text is escaped
    (``html_text``): a label or source title may come from the data."""
    def card(kpi: Kpi) -> str:
        label = html_text(kpi.label(lang))
        about = "".join(f"<p>{html_text(part)}</p>" for part in (kpi.detail, kpi.caption(lang)) if part)
        return ('<li class="omik-kpi">'
                f'<span class="omik-kpi-label">{label}</span>'
                f'<span class="omik-kpi-value">{html_text(kpi.display_value(lang))}</span>'
                f'<span class="omik-kpi-years">{html_text(kpi.years() or t("kpi.no_figure", lang))}</span>'
                f'<details class="omik-kpi-about"><summary>{html_text(t("table.source", lang))}</summary>'
                f'{about}</details></li>')

    return f'<ul class="omik-kpis">{"".join(card(kpi) for kpi in kpis)}</ul>'


# Heading levels a block's title can take: 2 directly under the page's title (h1),
# 3 inside a section (h2). A skipped level (h1 to h3) misleads screen readers,
# which list a page by its headings (axe: heading-order).
_HEADINGS = {2: st.header, 3: st.subheader}


def chart_block(spec: ChartSpec, lang: str = DEFAULT_LANG, level: int = 2) -> None:
    """A chart with its title (a heading of ``level``: 2 or 3), caption (sources and
    dates), a "view data" table of what is plotted as people read it
    (``display_tables.plotted_table``) and a CSV of exactly what is plotted (the data
    package's columns and codes); or, with too few figures for a trend, the figures
    themselves and the reason there is no chart.

    A chart that gives its figures in words (``spec.in_words``: each is written on
    it) is a picture drawn on the server, a desktop's and a phone's, those words its
    text alternative, and its table Markdown: the page fetches no chart or table
    script. Any other is drawn in the browser, its figures in tooltips."""
    if level not in _HEADINGS:
        raise ValueError(f"level must be one of {sorted(_HEADINGS)}, not {level!r}")
    _HEADINGS[level](md_escape(spec.title))  # an indicator's label, from the data
    if spec.chart is None:
        # Too few figures for a trend: the figures themselves, where the chart would
        # be (not an empty slot over a notice), and why there is no chart.
        st.caption(md_escape(spec.reason))
        _plotted_block(spec, lang)
        st.caption(md_escape(spec.caption))
        return
    if spec.in_words:
        st.html(picture(spec, lang))
        fill = partial(_plotted_block, spec, lang, markdown=True)
    else:
        # What st.altair_chart(spec.chart) would send, converted once per ChartSpec.
        st.vega_lite_chart(spec.vega_lite, width="stretch")
        fill = partial(_plotted_block, spec, lang)
    lazy_expander(t("chart.view_data", lang), f"view_{spec.key}", fill)
    st.caption(md_escape(spec.caption))


def _plotted_block(spec: ChartSpec, lang: str, markdown: bool = False) -> None:
    # What the chart plots as people read it (``plotted_table``: the language's
    # headings, names and numbers), and its CSV as the data package has it: codes and
    # plain numbers, for a spreadsheet. Markdown, not st.table, where the page has
    # no Arrow table script to fetch.
    if spec.data.empty:
        st.info(t("table.empty", lang), icon=":material/info:")
        return
    shown = plotted_table(spec.data, dataset(), lang)
    if markdown:
        st.markdown(markdown_table(shown, lang))
    else:
        _table(shown, lang)
    csv_download(spec.key, spec.data, lang)


def lazy_expander(label: str, key: str, fill: Callable[[], None], *, expanded: bool = False,
                  icon: str | None = None) -> None:
    """An expander (``label``, Markdown) that is filled (``fill()``) only while open.

    Streamlit sends a closed expander's content all the same, and the browser loads
    the code of every element in it: the tables and CSV buttons under every chart
    were most of the elements and bytes a first visit received, and made the page
    fetch the table's code (1 MB). Opening it reruns the page, which fills it;
    ``key`` (unique on the page) holds whether it is open, as ``open_<key>`` in the
    session's state. Printing leaves expanders out (``page.css``)."""
    box = st.expander(label, expanded=expanded, key=f"open_{key}", icon=icon, on_change="rerun")
    if box.open:
        with box:
            fill()


def table_block(key: str, frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> None:
    """A table with a CSV download of exactly what it shows (the CSV has the values
    as they are; the screen has them escaped for Markdown, and its numbers written
    as the language writes them)."""
    if frame.empty:
        st.info(t("table.empty", lang), icon=":material/info:")
        return
    _table(frame, lang)
    csv_download(key, frame, lang)


# Wider than any screen: Streamlit draws a table given a width in pixels at most as
# wide as its column, and makes the region in which it scrolls sideways (a table
# too wide for a phone) take keyboard focus, with a role and a name, so that it can
# be scrolled without a mouse (axe: scrollable-region-focusable). At the default
# width that region cannot take focus.
_SCROLLS_BY_KEYBOARD = 10_000


def _table(frame: pd.DataFrame, lang: str) -> None:
    # st.table: plain HTML, so it prints, reads aloud and loads no grid component.
    st.table(shown_table(frame, lang), hide_index=True, width=_SCROLLS_BY_KEYBOARD)


def collapsed_table(key: str, frame: pd.DataFrame, title: str, lang: str = DEFAULT_LANG, *, counting: str = "figures",
                    note: str | None = None, expanded: bool = False) -> None:
    """A full table (``table_block``) in an expander, closed unless ``expanded``: a
    long page reads summary first, and its full tables open on request. The label is
    ``title`` (escaped) with the number of rows, counted as ``counting``
    ("figures" or "rows"); ``note`` (catalogue text) says how to read the table."""
    if counting not in ("figures", "rows"):
        raise ValueError(f"counting must be 'figures' or 'rows', not {counting!r}")

    def fill() -> None:
        if note:
            st.caption(note)
        table_block(key, frame, lang)

    lazy_expander(t_md(f"table.count.{counting}", lang, title=title, count=len(frame)), key, fill, expanded=expanded,
                  icon=":material/table:")


def csv_download(key: str, frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> None:
    """A CSV of ``frame`` that opens safely in Excel, written only when clicked (a
    page has many, and most are never downloaded)."""
    st.download_button(t("chart.download_csv", lang), partial(csv_for_excel, frame), file_name=f"omik_{key}.csv",
                       mime="text/csv", key=f"download_{key}", icon=":material/download:", on_click="ignore")


def milestones_timeline(themes: tuple[str, ...], lang: str = DEFAULT_LANG) -> None:
    """The History timeline (of ``themes`` only, when given) as one HTML element: a
    year in bold, then a list of its milestones. One element, not one a year (some
    sixty for the browser to lay out), and HTML, not Markdown, whose renderer's cost
    grows with the text (``ui.text``). Built once per data version, themes and
    language; an honest notice when nothing is listed."""
    def build(_store: object, data: Dataset) -> str:
        milestones = data["milestones"]
        shown = milestones[milestones["theme"].isin(themes)] if themes else milestones
        # A year is not a heading: the page's outline would gain a heading a year.
        return "".join(f'<p class="omik-year"><strong>{year}</strong></p>'
                       + html_list(f"<li>{html_text(item)}</li>" for item in items)
                       for year, items in milestones_by_year(shown, lang))

    timeline = per_version("milestones_timeline", build, themes, lang)
    if timeline:
        st.html(f'<div class="omik-timeline">{timeline}</div>')
    else:
        st.info(t("history.no_milestones", lang), icon=":material/info:")


def mandate_html(lang: str = DEFAULT_LANG) -> str:
    """The Overview's mandate under its heading, as one HTML element, not Markdown
    (``ui.text``): the mandate, the three departments and the four guiding
    principles side by side where there is room, and their source."""
    def titled_list(title_key: str, item_key: str, count: int) -> str:
        items = html_list(f"<li>{html_text(t(f'{item_key}.{i}', lang))}</li>" for i in range(1, count + 1))
        return f"<div><p><strong>{html_text(t(title_key, lang))}</strong></p>{items}</div>"

    return (f'<div class="omik-mandate"><p>{html_text(t("overview.mandate", lang))}</p>'
            f'<div class="omik-columns">{titled_list("overview.departments_title", "overview.department", 3)}'
            f'{titled_list("overview.principles_title", "overview.principle", 4)}</div>'
            f'<p class="omik-note">{html_text(t("overview.mandate_source", lang))}</p></div>')


def mandate(lang: str = DEFAULT_LANG) -> None:
    """``mandate_html`` on the page."""
    st.html(mandate_html(lang))
