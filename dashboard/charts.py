"""Charts: Altair specifications plus the exact table each one plots.

A chart is drawn only where it cannot mislead: a trend needs at least two figures
with a dated ``as_of`` (a year, month or day; an undated period such as the fact
sheet's ``2016/2020`` cannot be placed on a time axis). Otherwise the builder returns
no chart and a reason, and the page shows the figures plainly.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import altair as alt
import pandas as pd

from .formatting import format_number, qualify
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


@dataclass(frozen=True)
class ChartSpec:
    """A chart ready for a page: ``chart`` is ``None`` when there is no honest trend,
    with ``reason`` saying why; ``data`` is exactly what is (or would be) plotted."""

    key: str
    title: str
    data: pd.DataFrame
    chart: alt.Chart | None
    reason: str | None
    caption: str

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
                lang: str, colours: dict[str, str] | None = None) -> alt.Chart:
    encoding: dict[str, Any] = {
        "x": alt.X("date:T", title=t("chart.axis.as_of", lang), axis=alt.Axis(format="%Y")),
        "y": alt.Y(f"{y}:Q", title=y_title, scale=alt.Scale(zero=True)),
        "tooltip": [alt.Tooltip("as_of_text:N", title=t("chart.axis.as_of", lang)),
                    alt.Tooltip("figure:N", title=y_title)],
    }
    if colour:
        domain = list(dict.fromkeys(frame[colour]))
        range_ = [(colours or {}).get(d, PALETTE[i % len(PALETTE)]) for i, d in enumerate(domain)]
        domain_text = [frame.loc[frame[colour] == d, f"{colour}_text"].iloc[0] for d in domain]
        encoding["color"] = alt.Color(f"{colour}_text:N", title=colour_title,
                                      scale=alt.Scale(domain=domain_text, range=range_))
        encoding["tooltip"].insert(0, alt.Tooltip(f"{colour}_text:N", title=colour_title))
    base = alt.Chart(frame).encode(**encoding)
    # Dashed: the line only joins figures that may be years apart; what lies between
    # them is not known.
    return base.mark_line(strokeDash=[6, 4], point=alt.OverlayMarkDef(size=80, filled=True)).properties(height=320)


@per_dataset
def staffing_chart(data: Dataset, lang: str = "en") -> ChartSpec:
    """People employed (``measure == "staff"``) over time, international and local."""
    rows = data["staffing"]
    rows = rows[(rows["measure"] == "staff") & rows["as_of"].map(is_dated)
                & rows["category"].isin(["international", "local"])]
    frame = _with_display(rows, "value", lang)
    frame["category_text"] = [t(f"staffing.category.{c}", lang) for c in frame["category"]]
    frame = frame.sort_values(["category", "date"])
    plotted = frame[["as_of", "category", "value", "qualifier", "source_id"]]
    title = t("staffing.chart_title", lang)
    caption = provenance_caption(frame, data, lang)
    if frame["as_of"].nunique() < 2:
        return ChartSpec("staffing_over_time", title, plotted, None, t("chart.too_few_points", lang), caption)
    chart = _line_chart(frame, "value", t("staffing.axis.people", lang), "category",
                        t("staffing.axis.category", lang), lang, CATEGORY_COLOURS)
    return ChartSpec("staffing_over_time", title, plotted, chart, None, f"{caption} {t('chart.dashed_note', lang)}")


@per_dataset
def budget_chart(data: Dataset, lang: str = "en") -> ChartSpec:
    """The Mission's Unified Budget allocation in euros, by dated year."""
    rows = data["budget"]
    rows = rows[(rows["category"] == "unified_budget") & (rows["currency"] == "EUR") & rows["as_of"].map(is_dated)]
    frame = _with_display(rows, "amount", lang).sort_values("date")
    plotted = frame[["as_of", "amount", "currency", "qualifier", "source_id"]]
    title = t("budget.chart_title", lang)
    caption = provenance_caption(frame, data, lang)
    if frame["as_of"].nunique() < 2:
        return ChartSpec("budget_over_time", title, plotted, None, t("chart.too_few_points", lang), caption)
    chart = _line_chart(frame, "amount", t("budget.axis.eur", lang), None, None, lang)
    return ChartSpec("budget_over_time", title, plotted, chart, None, f"{caption} {t('chart.dashed_note', lang)}")


@per_dataset
def indicator_chart(data: Dataset, indicator: str, lang: str = "en") -> ChartSpec:
    """One indicator over time, where it has at least two dated figures."""
    rows = data["indicators"]
    rows = rows[(rows["indicator"] == indicator) & rows["as_of"].map(is_dated)]
    frame = _with_display(rows, "value", lang).sort_values("date")
    label = indicator_label(frame.iloc[0], lang) if len(frame) else indicator
    unit = frame["unit"].iloc[0] if len(frame) else ""
    plotted = frame[["as_of", "period", "value", "unit", "qualifier", "source_id"]]
    caption = provenance_caption(frame, data, lang)
    if frame["as_of"].nunique() < 2:
        return ChartSpec(f"{indicator}_over_time", label, plotted, None, t("chart.too_few_points", lang), caption)
    chart = _line_chart(frame, "value", t("chart.axis.count", lang, unit=unit), None, None, lang)
    return ChartSpec(f"{indicator}_over_time", label, plotted, chart, None, f"{caption} {t('chart.dashed_note', lang)}")


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
    )
    chart = alt.Chart(frame).mark_bar(color=PALETTE[0]).encode(
        x=alt.X("start:T", title=t("history.axis.years", lang), axis=alt.Axis(format="%Y")),
        x2="end:T",
        y=alt.Y("name:N", title=None, sort=None),
        tooltip=[alt.Tooltip("name:N", title=t("history.col.name", lang)),
                 alt.Tooltip("country:N", title=t("history.col.country", lang)),
                 alt.Tooltip("term:N", title=t("history.col.term", lang))],
    ).properties(height=alt.Step(28))
    return ChartSpec("heads_of_mission", title, plotted, chart, None, caption)


def milestones_chart(milestones: pd.DataFrame, data: Dataset, lang: str = "en") -> ChartSpec:
    """How many milestones each year, stacked by theme."""
    counts = (milestones.groupby(["year", "theme"]).size().rename("milestones").reset_index()
              if len(milestones) else pd.DataFrame(columns=["year", "theme", "milestones"]))
    counts["theme_text"] = [t(f"theme.{th}", lang) for th in counts["theme"]]
    title = t("history.milestones_chart_title", lang)
    caption = provenance_caption(milestones, data, lang)
    plotted = counts[["year", "theme", "milestones"]]
    if counts["year"].nunique() < 2:
        return ChartSpec("milestones_per_year", title, plotted, None, t("chart.too_few_points", lang), caption)
    themes = sorted(counts["theme"].unique())
    chart = alt.Chart(counts).mark_bar().encode(
        x=alt.X("year:O", title=t("history.axis.year", lang)),
        y=alt.Y("sum(milestones):Q", title=t("history.axis.milestones", lang)),
        color=alt.Color("theme_text:N", title=t("history.axis.theme", lang),
                        scale=alt.Scale(domain=[t(f"theme.{th}", lang) for th in themes],
                                        range=[PALETTE[i % len(PALETTE)] for i in range(len(themes))]),
                        legend=alt.Legend(orient="bottom", columns=3)),
        tooltip=[alt.Tooltip("year:O", title=t("history.axis.year", lang)),
                 alt.Tooltip("theme_text:N", title=t("history.axis.theme", lang)),
                 alt.Tooltip("milestones:Q", title=t("history.axis.milestones", lang))],
    ).properties(height=300)
    return ChartSpec("milestones_per_year", title, plotted, chart, None, caption)


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
    chart = alt.Chart(frame).mark_bar().encode(
        x=alt.X("value:Q", title=t("staffing.axis.posts", lang)),
        y=alt.Y("category_text:N", title=None, sort=None),
        color=alt.Color("category_text:N", legend=None,
                        scale=alt.Scale(domain=list(frame["category_text"]),
                                        range=[CATEGORY_COLOURS[c] for c in frame["category"]])),
        tooltip=[alt.Tooltip("category_text:N", title=t("staffing.axis.category", lang)),
                 alt.Tooltip("figure:N", title=t("staffing.axis.posts", lang)),
                 alt.Tooltip("as_of_text:N", title=t("chart.axis.as_of", lang))],
    ).properties(height=alt.Step(40))
    return ChartSpec("staffing_latest_split", title, plotted, chart, None, caption)


def figures_bar_chart(rows: pd.DataFrame, data: Dataset, key: str, title: str, items: list[str],
                      value_title: str, lang: str = "en", series: list[str] | None = None,
                      series_title: str | None = None) -> ChartSpec:
    """Sourced figures as horizontal bars, one per item (``items``: an election, a
    court department, a report period; the label of each row, in order), each bar
    labelled with its figure as the source hedges it ("about 1,250,000").

    Bars, not a line: the items are separate events or parts, not points of one
    series, so nothing joins them. ``series`` (a label per row, e.g. hearings or
    cases) puts bars of the same item side by side. Drawn when there are at least
    two items to compare; otherwise the figures alone and the reason.
    """
    frame = _with_display(rows, "value", lang).assign(item=items)
    columns = ["item", "as_of", "value", "unit", "qualifier", "source_id"]
    if series is not None:
        frame["series_text"] = series
        columns.insert(1, "series_text")
    plotted = frame[columns].rename(columns={"series_text": "series"})
    caption = provenance_caption(frame, data, lang)
    if frame["item"].nunique() < 2:
        return ChartSpec(key, title, plotted, None, t("chart.too_few_items", lang), caption)
    order = list(dict.fromkeys(frame["item"]))
    y = alt.Y("item:N", title=None, sort=order, axis=alt.Axis(labelLimit=200))
    tooltip = [alt.Tooltip("item:N", title=t("table.what", lang)), alt.Tooltip("figure:N", title=value_title),
               alt.Tooltip("as_of_text:N", title=t("chart.axis.as_of", lang))]
    encoding: dict[str, Any] = {"y": y, "tooltip": tooltip}
    colour: Any = alt.value(PALETTE[0])
    if series is not None:
        domain = list(dict.fromkeys(series))
        encoding["yOffset"] = alt.YOffset("series_text:N", sort=domain)
        colour = alt.Color("series_text:N", title=series_title, sort=domain,
                           scale=alt.Scale(domain=domain, range=PALETTE[:len(domain)]),
                           legend=alt.Legend(orient="bottom"))
        tooltip.insert(1, alt.Tooltip("series_text:N", title=series_title))
    base = alt.Chart(frame).encode(**encoding)
    # Room to the right of the longest bar for its label.
    x = alt.X("value:Q", title=value_title, scale=alt.Scale(zero=True, domainMax=float(frame["value"].max()) * 1.3))
    bars = base.mark_bar().encode(x=x, color=colour)
    labels = base.mark_text(align="left", dx=4, color="#222222").encode(x="value:Q", text="figure:N")
    # One step per bar (with ``series``, Vega-Lite counts the step per bar of a group).
    return ChartSpec(key, title, plotted, (bars + labels).properties(height=alt.Step(24)), None, caption)
