"""Charts: Altair specifications plus the exact table each one plots.

A chart is drawn only where it cannot mislead: a trend needs at least two figures
with a dated ``as_of`` (a year, month or day; an undated period such as the fact
sheet's ``2016/2020`` cannot be placed on a time axis). Otherwise the builder returns
no chart and a reason, and the page shows the figures plainly.

Every chart follows the same conventions (``finish`` applies them): a value axis from
0 to the data's rounded maximum (``nice_scale``; percentages 0 to 100) with at most
five gridlines, whole-year ticks, each written once (``year_ticks``), long labels
wrapped rather than cut (``wrap``), bars labelled with their figures instead of an
axis, axis text dark enough to read (4.5:1 and more), and numbers written as the
language writes them (the chart's own number locale, ``number_locale``).

A chart that gives its figures in words (``ChartSpec.in_words``: Staffing's, the
Budget's, the indicators' and court monitoring's) has every figure written on it, a
line chart's beside each point, and pages show it as a picture drawn on the server (``ChartSpec.svg``);
the others are drawn in the browser, their figures in tooltips.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import altair as alt
import pandas as pd
from babel import Locale

from .display_tables import unit_text
from .formatting import babel_locale, format_money, format_number, qualify
from .i18n import t
from .kpis import indicator_label, latest
from .loading import Dataset, per_dataset
from .provenance import as_of_bounds, format_as_of, source_ref

# Paul Tol's "muted" scheme: distinguishable with every common colour-vision deficiency.
PALETTE = ["#332288", "#CC6677", "#117733", "#DDCC77", "#88CCEE", "#882255", "#44AA99",
           "#999933", "#AA4499", "#DDDDDD"]
CATEGORY_COLOURS = {"international": "#332288", "local": "#CC6677", "total": "#117733"}
# The indicators charted over time (``indicator_chart``) on the Reports page, in the
# briefing and as embeddable views, in that order.
CHARTED_INDICATORS = ("police_officers_trained", "hate_incidents_reported")
# Axis and legend text: 9:1 on white (Streamlit's own grey, #808495, is 3.7:1).
AXIS_TEXT = "#444444"
GRID = "#DDDDDD"
# A stacked chart shows this many categories, the rest together as "Other": more
# colours than that cannot be told apart in a 12-pixel legend.
MOST_COLOURS = 4
OTHER_COLOUR = "#BBBBBB"
MOST_GRIDLINES = 5
# A line chart with its figures written over its points (``_line_chart``) has its
# value axis reach at least this many times its top figure: room for the label over it.
LABEL_ROOM = 1.15
# Characters per line of an axis label before it wraps (about 150 px at 12 px).
LABEL_WIDTH = 24
Drawn = alt.Chart | alt.LayerChart
_Drawn = TypeVar("_Drawn", alt.Chart, alt.LayerChart)


@dataclass(frozen=True)
class ChartSpec:
    """A chart ready for a page: ``chart`` is ``None`` when there is no honest trend,
    with ``reason`` saying why; ``data`` is exactly what is (or would be) plotted."""

    key: str
    title: str
    data: pd.DataFrame
    chart: Drawn | None
    reason: str | None
    caption: str
    # Each plotted figure in words ("Field offices, December 1999: 15"): given, the
    # chart is one to read, not to explore (every figure is written on it), and a page
    # shows it as a picture drawn on the server (``svg``) with these as its text
    # alternative; empty, it is drawn in the browser, its figures in tooltips.
    in_words: tuple[str, ...] = ()

    @cached_property
    def svg(self) -> tuple[str, str]:
        """The chart drawn on the server as SVG documents, a desktop's and a phone's
        (``static_charts.draw``), once per ChartSpec: with the builders memoised per
        data version, once per version, view and language. The first drawing in a
        process starts vl-convert's engine (``cache.warm_up`` does it on a server's start)."""
        if self.chart is None:
            raise ValueError(f"{self.key} has no chart to draw: {self.reason}")
        from .static_charts import draw  # (it imports this module, and vl-convert where it draws)

        return draw(self.chart)

    @cached_property
    def vega_lite(self) -> dict | None:
        """The chart as ``st.vega_lite_chart`` takes it: exactly what
        ``st.altair_chart`` would make of ``chart`` (its Vega-Lite specification,
        checked against the schema, with the data as Arrow), made once per ChartSpec.
        The builders below are memoised per data version (``per_dataset``), so with
        ``ui.chart_block`` a chart costs its ``to_dict`` once per version and view,
        not on every run (the staffing chart's took 18 ms)."""
        if self.chart is None:
            return None
        # Streamlit's own conversion, so the chart is drawn as st.altair_chart draws
        # it (tests/test_charts.py compares the two messages).
        from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

        return _convert_altair_to_vega_lite_spec(self.chart)


def is_dated(as_of: str) -> bool:
    """Whether ``as_of`` is a single point in time (not a ``start/end`` period)."""
    return "/" not in as_of


# --- the conventions every chart shares ------------------------------------------

def nice_scale(top: float, percent: bool = False) -> tuple[float, float]:
    """``(end, step)`` of a value axis from 0: the smallest round number at or above
    ``top`` that a step of 1, 2 or 5 times a power of ten reaches in at most
    ``MOST_GRIDLINES`` steps (504 → 600 by 200; 1,000 → 1,000 by 200; 36 → 40 by
    10). Percentages run 0 to 100 by 20, whatever the data. Counts step by whole
    numbers (3 → 3 by 1)."""
    if percent:
        return 100.0, 20.0
    if not top > 0:
        return 1.0, 1.0
    exponent = max(0, math.floor(math.log10(top)) - 1)
    while True:
        for multiple in (1, 2, 5):
            step = multiple * 10 ** exponent
            count = math.ceil(top / step - 1e-9)
            if count <= MOST_GRIDLINES:
                return float(count * step), float(step)
        exponent += 1


def value_ticks(end: float, step: float) -> list[float]:
    """0, step, ... end."""
    return [i * step for i in range(round(end / step) + 1)]


def year_ticks(first: int, last: int, most: int = 6) -> list[int]:
    """Whole years from ``first`` to ``last``, every 1, 2, 5, 10, ... years, at most
    ``most`` of them: each year written once (a time axis left to itself puts a
    tick at every few months and writes "2001 2001 2001")."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        ticks = [y for y in range(first, last + 1) if y % step == 0]
        if len(ticks) <= most:
            return ticks or [first]
    return [first, last]


def wrap(text: str, width: int = LABEL_WIDTH) -> str:
    """``text`` broken into lines of at most ``width`` characters at spaces (a
    single longer word stays whole), joined by newlines: an axis label with
    ``WRAPPED`` as its ``labelExpr`` shows every line instead of being cut."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)) or text


# An axis label's lines: Vega draws a label given as a list as one line each.
WRAPPED = "split(datum.label, '\\n')"


def number_locale(lang: str) -> dict[str, Any]:
    """The d3 number format of ``lang``, from Babel (the same symbols as the page's
    own figures): 1,000 in English, 1 000 in Albanian, 1.000 in Serbian, where a
    chart would otherwise write the English 1,000 (1.0 to a Serbian reader)."""
    symbols = Locale.parse(babel_locale(lang)).number_symbols["latn"]
    return {"decimal": symbols["decimal"], "thousands": symbols["group"], "grouping": [3],
            "currency": ["€", ""] if lang == "en" else ["", "\u00a0€"]}


def chart_config(lang: str) -> dict[str, Any]:
    """The configuration every chart gets, over Streamlit's theme: the language's
    numbers, readable axis and legend text, light gridlines, no cut labels."""
    text = {"labelColor": AXIS_TEXT, "titleColor": AXIS_TEXT, "labelFontSize": 12, "titleFontSize": 12}
    return {
        "locale": {"number": number_locale(lang)},
        "axis": {**text, "gridColor": GRID, "labelLimit": 0, "labelOverlap": True},
        "legend": {**text, "labelLimit": 0},
    }


def finish(chart: _Drawn, lang: str) -> _Drawn:
    """``chart`` with ``chart_config``."""
    return chart.configure(**chart_config(lang))


def value_axis(top: float, title: str, percent: bool = False) -> tuple[alt.Scale, alt.Axis]:
    """A value scale from 0 to ``nice_scale(top)`` and its axis, one gridline a step."""
    end, step = nice_scale(top, percent)
    return (alt.Scale(domain=[0, end], nice=False, zero=True),
            alt.Axis(title=title, values=value_ticks(end, step), format=",d", grid=True))


def year_bounds(dates: pd.Series, end_year: int | None = None) -> tuple[int, int]:
    """The first and last year of ``year_axis`` over ``dates``."""
    newest = dates.max()
    last = end_year if end_year is not None else (
        int(newest.year) if (newest.month, newest.day) == (1, 1) else int(newest.year) + 1)
    return int(dates.min().year), last


def year_axis(dates: pd.Series, title: str, end_year: int | None = None) -> tuple[alt.Scale, alt.Axis]:
    """A time scale over whole years, from 1 January of the first date's year to 1
    January after the last (or the last date itself when it is a 1 January, or
    ``end_year``), with ``year_ticks`` on it."""
    first, last = year_bounds(dates, end_year)
    ticks = year_ticks(first, last)
    return (alt.Scale(domain=[alt.DateTime(year=first), alt.DateTime(year=last)], nice=False),
            alt.Axis(title=title, values=[alt.DateTime(year=y) for y in ticks], format="%Y", grid=False))


def _ink(colour: str) -> str:
    """White or near-black, whichever reads better on ``colour`` (WCAG luminance)."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#FFFFFF" if 1.05 / (luminance + 0.05) >= 4.5 else "#222222"


def provenance_caption(rows: pd.DataFrame, data: Dataset, lang: str = "en") -> str:
    """``Sources: <title> (as of <date>); ...`` for the rows shown, each source once."""
    if rows.empty:
        return t("chart.no_rows", lang)
    parts = []
    for source_id, group in rows.groupby("source_id", sort=False):
        dates = ", ".join(dict.fromkeys(format_as_of(v, lang) for v in group["as_of"]))
        parts.append(t("chart.source_item", lang, source=source_ref(data["sources"], source_id).title, as_of=dates))
    return t("chart.sources", lang, items="; ".join(parts))


def _with_display(rows: pd.DataFrame, value_column: str, lang: str) -> pd.DataFrame:
    """Adds ``date`` (start of ``as_of``), ``as_of_text`` and ``figure`` (the value as
    the source hedges it: "over 450")."""
    out = rows.copy()
    if len(out):
        out["date"] = pd.to_datetime([as_of_bounds(v)[0] for v in out["as_of"]])
    else:
        out["date"] = pd.Series(dtype="datetime64[ns]")
    out["as_of_text"] = [format_as_of(v, lang) for v in out["as_of"]]
    out["figure"] = [qualify(format_number(v, lang), q, lang) for v, q in zip(out[value_column], out["qualifier"])]
    return out


def _line_chart(frame: pd.DataFrame, y: str, y_title: str, colour: str | None, colour_title: str | None,
                lang: str, colours: dict[str, str] | None = None, *, labelled: bool = False) -> Drawn:
    """Dashed lines through dated figures. ``labelled``: each point with its
    ``figure`` written above it, for a chart read without tooltips (a picture): the
    value axis leaves room above the top figure, and a label starts at its point in
    the first half of the time axis and ends at it in the second, so that none runs
    off the plot or over the value axis's numbers."""
    x_scale, x_axis = year_axis(frame["date"], t("chart.axis.as_of", lang))
    y_scale, y_axis = value_axis(float(frame[y].max()) * (LABEL_ROOM if labelled else 1), y_title)
    encoding: dict[str, Any] = {
        "x": alt.X("date:T", scale=x_scale, axis=x_axis),
        "y": alt.Y(f"{y}:Q", scale=y_scale, axis=y_axis),
        "tooltip": [alt.Tooltip("as_of_text:N", title=t("chart.axis.as_of", lang)),
                    alt.Tooltip("figure:N", title=y_title)],
    }
    if colour:
        domain = list(dict.fromkeys(frame[colour]))
        range_ = [(colours or {}).get(d, PALETTE[i % len(PALETTE)]) for i, d in enumerate(domain)]
        domain_text = [frame.loc[frame[colour] == d, f"{colour}_text"].iloc[0] for d in domain]
        encoding["color"] = alt.Color(f"{colour}_text:N", title=colour_title,
                                      scale=alt.Scale(domain=domain_text, range=range_),
                                      legend=alt.Legend(orient="bottom"))
        encoding["tooltip"].insert(0, alt.Tooltip(f"{colour}_text:N", title=colour_title))
    base = alt.Chart(frame).encode(**encoding)
    # Dashed: the line only joins figures that may be years apart; what lies between
    # them is not known.
    line = base.mark_line(strokeDash=[6, 4], point=alt.OverlayMarkDef(size=80, filled=True))
    if not labelled:
        return finish(line.properties(height=320), lang)
    start, end = (pd.Timestamp(year, 1, 1) for year in year_bounds(frame["date"]))
    early = frame["date"] < start + (end - start) / 2
    below = _labels_below(frame, colour, (end - start) / CLOSE)
    texts = alt.Chart(frame.assign(early=early, below=below)).encode(x=encoding["x"], y=encoding["y"],
                                                                    text="figure:N")
    # Each label twice: a white halo first, so that a line crossing it leaves it readable.
    labels = [texts.transform_filter(f"{'' if first else '!'}datum.early && {'' if under else '!'}datum.below")
              .mark_text(align="left" if first else "right", dx=6 if first else -6, dy=16 if under else -12, **ink)
              for first in (True, False) for under in (False, True)
              for ink in ({"color": "white", "stroke": "white", "strokeWidth": 4, "strokeJoin": "round"},
                          {"color": AXIS_TEXT})]
    return finish(alt.LayerChart(layer=[line, *labels]).properties(height=320), lang)


# Two points of a series nearer than this part of the time axis have their labels
# on either side of the line: above, they would run into each other.
CLOSE = 10


def _labels_below(frame: pd.DataFrame, colour: str | None, near: pd.Timedelta) -> list[bool]:
    """Whether each point's label goes below it (in ``frame``'s order): a point near
    the one before it in its series (``colour``'s) whose label went above."""
    below = [False] * len(frame)
    series, dates = list(frame[colour]) if colour else [0] * len(frame), list(frame["date"])
    last: dict[object, int] = {}  # each series' latest point so far, by position
    for i in sorted(range(len(frame)), key=dates.__getitem__):
        before = last.get(series[i])
        below[i] = before is not None and not below[before] and dates[i] - dates[before] < near
        last[series[i]] = i
    return below


def _in_words(frame: pd.DataFrame) -> tuple[str, ...]:
    """Each dated figure of ``frame`` (``_with_display``'s) in words: "2019: about 7,000"."""
    return tuple(f"{when}: {figure}" for when, figure in zip(frame["as_of_text"], frame["figure"]))


@per_dataset
def staffing_chart(data: Dataset, lang: str = "en") -> ChartSpec:
    """People employed (``measure == "staff"``) over time: international and local,
    and the totals of sources that give no split (504 in 2020), each as the source
    gives it. Never summed: a total is the source's own figure."""
    rows = data["staffing"]
    rows = rows[(rows["measure"] == "staff") & rows["as_of"].map(is_dated)
                & rows["category"].isin(["international", "local", "total"])]
    frame = _with_display(rows, "value", lang)
    frame["category_text"] = [t(f"staffing.category.{c}", lang) for c in frame["category"]]
    order = {"international": 0, "local": 1, "total": 2}
    frame = frame.assign(_order=frame["category"].map(order)).sort_values(["_order", "date"]).drop(columns="_order")
    plotted = frame[["as_of", "category", "value", "qualifier", "source_id"]]
    title = t("staffing.chart_title", lang)
    caption = f"{provenance_caption(frame, data, lang)} {t('staffing.not_comparable', lang)}"
    if frame["as_of"].nunique() < 2:
        return ChartSpec("staffing_over_time", title, plotted, None, t("chart.too_few_points", lang), caption)
    chart = _line_chart(frame, "value", t("staffing.axis.people", lang), "category",
                        t("staffing.axis.category", lang), lang, CATEGORY_COLOURS, labelled=True)
    in_words = tuple(f"{category}, {when}" for category, when in zip(frame["category_text"], _in_words(frame)))
    return ChartSpec("staffing_over_time", title, plotted, chart, None, f"{caption} {t('chart.dashed_note', lang)}",
                     in_words)


@per_dataset
def budget_chart(data: Dataset, lang: str = "en") -> ChartSpec:
    """The Mission's Unified Budget allocation in euros, by dated year."""
    rows = data["budget"]
    rows = rows[(rows["category"] == "unified_budget") & (rows["currency"] == "EUR") & rows["as_of"].map(is_dated)]
    frame = _with_display(rows, "amount", lang).sort_values("date")
    frame["figure"] = [qualify(format_money(a, c, lang), q, lang)
                       for a, c, q in zip(frame["amount"], frame["currency"], frame["qualifier"])]
    plotted = frame[["as_of", "amount", "currency", "qualifier", "source_id"]]
    title = t("budget.chart_title", lang)
    caption = provenance_caption(frame, data, lang)
    if frame["as_of"].nunique() < 2:
        return ChartSpec("budget_over_time", title, plotted, None, t("chart.too_few_points", lang), caption)
    chart = _line_chart(frame, "amount", t("budget.axis.eur", lang), None, None, lang, labelled=True)
    return ChartSpec("budget_over_time", title, plotted, chart, None, f"{caption} {t('chart.dashed_note', lang)}",
                     _in_words(frame))


@per_dataset
def indicator_chart(data: Dataset, indicator: str, lang: str = "en") -> ChartSpec:
    """One indicator over time, where it has at least two dated figures."""
    rows = data["indicators"]
    rows = rows[(rows["indicator"] == indicator) & rows["as_of"].map(is_dated)]
    frame = _with_display(rows, "value", lang).sort_values("date")
    label = indicator_label(frame.iloc[0], lang) if len(frame) else indicator
    unit = unit_text(frame["unit"].iloc[0], lang) if len(frame) else ""
    plotted = frame[["as_of", "period", "value", "unit", "qualifier", "source_id"]]
    caption = provenance_caption(frame, data, lang)
    if frame["as_of"].nunique() < 2:
        return ChartSpec(f"{indicator}_over_time", label, plotted, None, t("chart.too_few_points", lang), caption)
    chart = _line_chart(frame, "value", t("chart.axis.count", lang, unit=unit), None, None, lang, labelled=True)
    return ChartSpec(f"{indicator}_over_time", label, plotted, chart, None, f"{caption} {t('chart.dashed_note', lang)}",
                     _in_words(frame))


@per_dataset
def heads_of_mission_chart(data: Dataset, current_year: int, lang: str = "en") -> ChartSpec:
    """Terms of the Heads of Mission as bars on a time axis, from 1 January of the
    first year to 31 December of the last; a term still running ends at ``current_year``."""
    rows = data["heads_of_mission"].sort_values("term_start")
    plotted = rows[["name", "country", "term_start", "term_end", "source_id"]]
    caption = provenance_caption(rows, data, lang)
    title = t("history.hom_chart_title", lang)
    if rows.empty:
        return ChartSpec("heads_of_mission", title, plotted, None, t("chart.no_rows", lang), caption)
    ends = rows["term_end"].fillna(current_year).astype(int)
    frame = rows.assign(
        start=pd.to_datetime(rows["term_start"].astype(int).astype(str) + "-01-01"),
        end=pd.to_datetime(ends.astype(str) + "-12-31"),
        term=[t("history.term", lang, start=s, end=int(e) if pd.notna(e) else t("history.present", lang))
              for s, e in zip(rows["term_start"], rows["term_end"])],
        name_lines=[wrap(n, 16) for n in rows["name"]],
    )
    x_scale, x_axis = year_axis(frame["start"], t("history.axis.years", lang), end_year=int(ends.max()) + 1)
    lines = max(n.count("\n") + 1 for n in frame["name_lines"])
    chart = alt.Chart(frame).mark_bar(color=PALETTE[0]).encode(
        x=alt.X("start:T", scale=x_scale, axis=x_axis),
        x2="end:T",
        y=alt.Y("name_lines:N", title=None, sort=None, axis=alt.Axis(labelExpr=WRAPPED)),
        tooltip=[alt.Tooltip("name:N", title=t("history.col.name", lang)),
                 alt.Tooltip("country:N", title=t("history.col.country", lang)),
                 alt.Tooltip("term:N", title=t("history.col.term", lang))],
    ).properties(height=alt.Step(max(28, 15 * lines + 6)))
    return ChartSpec("heads_of_mission", title, plotted, finish(chart, lang), None, caption)


def milestones_chart(milestones: pd.DataFrame, data: Dataset, lang: str = "en") -> ChartSpec:
    """How many milestones each year, stacked by theme: the ``MOST_COLOURS`` themes
    with the most milestones each in its colour, the others together as "Other"."""
    counts = (milestones.groupby(["year", "theme"]).size().rename("milestones").reset_index()
              if len(milestones) else pd.DataFrame(columns=["year", "theme", "milestones"]))
    title = t("history.milestones_chart_title", lang)
    caption = provenance_caption(milestones, data, lang)
    plotted = counts[["year", "theme", "milestones"]]
    if counts["year"].nunique() < 2:
        return ChartSpec("milestones_per_year", title, plotted, None, t("chart.too_few_points", lang), caption)
    totals = counts.groupby("theme")["milestones"].sum().sort_values(ascending=False, kind="stable")
    kept = list(totals.index) if len(totals) <= MOST_COLOURS + 1 else list(totals.index[:MOST_COLOURS])
    other = t("history.other_themes", lang)
    names = {th: t(f"theme.{th}", lang) for th in kept}
    shown = (counts.assign(theme_text=[names.get(th, other) for th in counts["theme"]])
             .groupby(["year", "theme_text"], sort=False)["milestones"].sum().reset_index())
    domain = [names[th] for th in kept] + ([other] if len(kept) < len(totals) else [])
    shown["rank"] = shown["theme_text"].map(domain.index)  # the largest theme at the bottom, "Other" on top
    colours = [PALETTE[i] for i in range(len(kept))] + ([OTHER_COLOUR] if len(kept) < len(totals) else [])
    first, last = int(counts["year"].min()), int(counts["year"].max())
    top = float(shown.groupby("year")["milestones"].sum().max())
    y_scale, y_axis = value_axis(top, t("history.axis.milestones", lang))
    chart = alt.Chart(shown).mark_bar().encode(
        x=alt.X("year:O", title=t("history.axis.year", lang), scale=alt.Scale(domain=list(range(first, last + 1))),
                axis=alt.Axis(values=year_ticks(first, last, most=8), labelAngle=0)),
        y=alt.Y("milestones:Q", scale=y_scale, axis=y_axis),
        color=alt.Color("theme_text:N", title=t("history.axis.theme", lang),
                        scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(orient="bottom", columns=2)),
        order=alt.Order("rank:Q"),
        tooltip=[alt.Tooltip("year:O", title=t("history.axis.year", lang)),
                 alt.Tooltip("theme_text:N", title=t("history.axis.theme", lang)),
                 alt.Tooltip("milestones:Q", title=t("history.axis.milestones", lang))],
    ).properties(height=300)
    return ChartSpec("milestones_per_year", title, plotted, finish(chart, lang), None, caption)


@per_dataset
def themes_milestones_chart(data: Dataset, themes: tuple[str, ...] = (), lang: str = "en") -> ChartSpec:
    """``milestones_chart`` of the milestones of ``themes`` (all, when none), once per
    data version, choice and language."""
    milestones = data["milestones"]
    return milestones_chart(milestones[milestones["theme"].isin(themes)] if themes else milestones, data, lang)


@per_dataset
def staffing_split_chart(data: Dataset, lang: str = "en") -> ChartSpec:
    """The latest split of authorised posts into international and local, as bars."""
    posts = data["staffing"][data["staffing"]["measure"] == "posts"]
    row = latest(posts)
    rows = posts[posts["as_of"] == row["as_of"]] if row is not None else posts
    rows = rows[rows["category"].isin(["international", "local"])]
    frame = _with_display(rows, "value", lang)
    frame["category_text"] = [t(f"staffing.category.{c}", lang) for c in frame["category"]]
    plotted = frame[["as_of", "category", "value", "qualifier", "source_id"]]
    title = t("staffing.split_title", lang)
    caption = provenance_caption(frame, data, lang)
    if frame.empty:
        return ChartSpec("staffing_latest_split", title, plotted, None, t("chart.no_rows", lang), caption)
    bars = frame.assign(item=frame["category_text"], colour=[CATEGORY_COLOURS[c] for c in frame["category"]])
    chart = labelled_bars(bars, t("staffing.axis.posts", lang), t("staffing.axis.category", lang), lang)
    in_words = tuple(f"{item}: {figure}" for item, figure in zip(bars["item"], bars["figure"]))
    return ChartSpec("staffing_latest_split", title, plotted, chart, None, caption, in_words)


# Bars of a second, third ... series (hearings beside cases): dark colours first, so
# that a figure written inside its bar reads in white.
SERIES_COLOURS = [PALETTE[0], PALETTE[2], PALETTE[5], PALETTE[1]]


def labelled_bars(frame: pd.DataFrame, value_title: str, item_title: str, lang: str, *, percent: bool = False,
                  series_title: str | None = None) -> alt.LayerChart:
    """Horizontal bars, one per row of ``frame`` (``item``: its label, wrapped;
    ``value``; ``figure``: the value as written; ``as_of_text``; ``colour``; and
    ``series_text`` to put bars of one item side by side), each labelled with its
    figure: inside the bar's end in the colour that reads on it when the bar reaches
    past half the axis, else just after it, so a label never runs off the chart on
    a phone. The labels replace the value axis, whose title stays for the unit."""
    end, _ = nice_scale(float(frame["value"].max()), percent)
    inside = frame["value"] >= end / 2
    frame = frame.assign(item_lines=[wrap(i) for i in frame["item"]], inside=inside,
                         ink=[_ink(c) if i else "#222222" for c, i in zip(frame["colour"], inside)])
    order = list(dict.fromkeys(frame["item_lines"]))
    tooltip = [alt.Tooltip("item:N", title=item_title), alt.Tooltip("figure:N", title=value_title),
               alt.Tooltip("as_of_text:N", title=t("chart.axis.as_of", lang))]
    encoding: dict[str, Any] = {
        "y": alt.Y("item_lines:N", title=None, sort=order, axis=alt.Axis(labelExpr=WRAPPED)),
        "x": alt.X("value:Q", scale=alt.Scale(domain=[0, end], nice=False, zero=True),
                   axis=alt.Axis(title=value_title, labels=False, ticks=False, grid=False, domain=False)),
        "tooltip": tooltip,
    }
    colour: Any = alt.Color("colour:N", scale=None, legend=None)
    groups = 1
    if "series_text" in frame:
        domain = list(dict.fromkeys(frame["series_text"]))
        groups = len(domain)
        encoding["yOffset"] = alt.YOffset("series_text:N", sort=domain)
        colour = alt.Color("series_text:N", title=series_title, sort=domain,
                           scale=alt.Scale(domain=domain, range=list(dict.fromkeys(frame["colour"]))),
                           legend=alt.Legend(orient="bottom", columns=1))  # side by side, cut on a phone
        tooltip.insert(1, alt.Tooltip("series_text:N", title=series_title))
    base = alt.Chart(frame).encode(**encoding)
    bars = base.mark_bar().encode(color=colour)
    ink = alt.Color("ink:N", scale=None, legend=None)
    inner = base.transform_filter("datum.inside").mark_text(align="right", dx=-5).encode(text="figure:N", color=ink)
    outer = base.transform_filter("!datum.inside").mark_text(align="left", dx=5).encode(text="figure:N", color=ink)
    lines = max(i.count("\n") + 1 for i in frame["item_lines"])
    # One step per bar (with series, Vega-Lite counts the step per bar of a group),
    # high enough for an item's wrapped label.
    step = max(24, math.ceil((15 * lines + 8) / groups))
    layered = alt.layer(bars, inner, outer).resolve_scale(color="independent").properties(height=alt.Step(step))
    return finish(layered, lang)


def figures_bar_chart(rows: pd.DataFrame, data: Dataset, key: str, title: str, items: list[str],
                      value_title: str, lang: str = "en", series: list[str] | None = None,
                      series_title: str | None = None, *, picture: bool = False) -> ChartSpec:
    """Sourced figures as horizontal bars, one per item (``items``: an election, a
    court department, a report period; the label of each row, in order), each bar
    labelled with its figure as the source hedges it ("about 1,250,000").

    Bars, not a line: the items are separate events or parts, not points of one
    series, so nothing joins them. ``series`` (a label per row, e.g. hearings or
    cases) puts bars of the same item side by side. Drawn when there are at least
    two items to compare; otherwise the figures alone and the reason. Figures in a
    unit of per cent ("%", "% of judges") are drawn on an axis of 0 to 100.
    ``picture``: a chart to show as a picture (its ``in_words`` given).
    """
    frame = _with_display(rows, "value", lang).assign(item=items)
    units = [u for u in frame["unit"]] if "unit" in frame else []
    percent = bool(units) and all(isinstance(u, str) and u.startswith("%") for u in units)
    if percent:
        frame["figure"] = [qualify(f"{format_number(v, lang)}\u00a0%" if lang != "en" else f"{format_number(v, lang)}%",
                                   q, lang) for v, q in zip(frame["value"], frame["qualifier"])]
    columns = ["item", "as_of", "value", "unit", "qualifier", "source_id"]
    if series is not None:
        frame["series_text"] = series
        columns.insert(1, "series_text")
    plotted = frame[columns].rename(columns={"series_text": "series"})
    caption = provenance_caption(frame, data, lang)
    if frame["item"].nunique() < 2:
        return ChartSpec(key, title, plotted, None, t("chart.too_few_items", lang), caption)
    if series is not None:
        domain = list(dict.fromkeys(series))
        frame["colour"] = [SERIES_COLOURS[domain.index(s) % len(SERIES_COLOURS)] for s in series]
    else:
        frame["colour"] = PALETTE[0]
    chart = labelled_bars(frame, value_title, t("table.what", lang), lang, percent=percent, series_title=series_title)
    names = [", ".join(parts) for parts in zip(frame["item"], *([frame["series_text"]] if series is not None else []))]
    in_words = tuple(f"{name}: {figure}" for name, figure in zip(names, frame["figure"])) if picture else ()
    return ChartSpec(key, title, plotted, chart, None, caption, in_words)


# Below this width (px) the offices chart's legend takes one column: two would not fit a phone.
NARROW = 480


@per_dataset
def offices_over_time_chart(data: Dataset, lang: str = "en", width: int | None = None) -> ChartSpec:
    """The sources' counts of the Mission's offices (field offices, regional centres,
    offices, satellite offices, field teams: ``presence_over_time.OFFICE_COUNT_UNITS``)
    on a time axis: a point at each dated count, a segment across the period of an
    undated one (the fact sheet's 2016-2020), each labelled with its figure. Nothing
    joins them: they count different structures (offices with and without the
    regional centres), so neither a line nor a sum would be true.

    ``width``: the plot's width in pixels; ``None`` leaves it to the page, or to
    ``ChartSpec.svg``, which draws it at a desktop's and a phone's width."""
    from .presence_over_time import OFFICE_COUNT_UNITS  # (it imports kpis, as this module does)

    rows = data["indicators"]
    rows = rows[(rows["group"] == "presence") & rows["unit"].isin(list(OFFICE_COUNT_UNITS))]
    rows = rows.iloc[sorted(range(len(rows)), key=lambda i: as_of_bounds(rows["period"].iloc[i]))]
    plotted = rows[["period", "indicator", "value", "unit", "qualifier", "source_id", "as_of"]]
    title = t("presence.offices_chart_title", lang)
    caption = provenance_caption(rows, data, lang)
    if len(rows) < 2:
        return ChartSpec("offices_over_time", title, plotted, None, t("chart.too_few_points", lang), caption)
    bounds = [as_of_bounds(p) for p in rows["period"]]
    labels = [indicator_label(row, lang) for _, row in rows.iterrows()]
    frame = rows.assign(
        start=pd.to_datetime([b[0] for b in bounds]), end=pd.to_datetime([b[1] for b in bounds]),
        what=[wrap(label, 40) for label in labels], period_text=[format_as_of(p, lang) for p in rows["period"]],
        figure=[qualify(format_number(v, lang), q, lang) for v, q in zip(rows["value"], rows["qualifier"])],
        dated=[is_dated(p) for p in rows["period"]])
    x_scale, x_axis = year_axis(pd.concat([frame["start"], frame["end"]]), t("chart.axis.as_of", lang))
    y_title = t("presence.offices_chart_axis", lang)
    y_scale, y_axis = value_axis(float(frame["value"].max()) * 1.1, y_title)  # room above the top figure
    domain = list(dict.fromkeys(frame["what"]))
    # The palette's darker colours: a small point in its pale sand or sky blue is hard to see.
    dark = [PALETTE[i] for i in (0, 1, 2, 6, 7, 5, 8)]
    # Vega's own width: a phone's picture gets one column.
    columns = alt.ExprRef(f"width < {NARROW} ? 1 : 2")
    colour = alt.Color("what:N", title=None, scale=alt.Scale(domain=domain, range=dark[:len(domain)]),
                       legend=alt.Legend(orient="bottom", columns=columns, labelExpr=WRAPPED))
    base = alt.Chart(frame).encode(
        x=alt.X("start:T", scale=x_scale, axis=x_axis), y=alt.Y("value:Q", scale=y_scale, axis=y_axis), color=colour,
        tooltip=[alt.Tooltip("what:N", title=t("table.what", lang)), alt.Tooltip("figure:N", title=y_title),
                 alt.Tooltip("period_text:N", title=t("chart.axis.as_of", lang))])
    points = base.transform_filter("datum.dated").mark_point(size=80, filled=True)
    spans = base.transform_filter("!datum.dated").mark_rule(strokeWidth=4).encode(x2="end:T")
    figures = base.mark_text(align="left", dx=6, dy=-8).encode(text="figure:N", color=alt.value(AXIS_TEXT))
    # Drawn on the server, the legend comes on top of the plot's height.
    chart = (spans + points + figures).properties(height=300, **({"width": width} if width else {}))
    in_words = tuple(f"{label}, {period}: {figure}"
                     for label, period, figure in zip(labels, frame["period_text"], frame["figure"]))
    return ChartSpec("offices_over_time", title, plotted, finish(chart, lang), None,
                     f"{caption} {t('presence.offices_chart_note', lang)}", in_words)
