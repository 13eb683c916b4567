"""The headline figures and the rule that picks each one.

Each KPI is one sourced row of a table, never a sum or estimate: the row's own
value, qualifier, source and as-of date travel with it to the screen. When no row
matches, the KPI has no value and the page says so.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from .formatting import format_money, format_number, qualify
from .i18n import english_only, t
from .loading import Dataset, per_dataset
from .provenance import SourceRef, as_of_sort_key, format_as_of, source_ref

# The period of the cumulative figures the Reports page and the briefing lead with
# (``indicators.csv`` ``period``): the totals of the Mission's 25-year booklet.
CUMULATIVE_PERIOD = "1999/2024"


@dataclass(frozen=True)
class Kpi:
    """One headline figure, ready to display."""

    key: str  # message key of the label, e.g. "kpi.staff"
    value: float | None  # None: no sourced figure in the data
    qualifier: str = "exact"
    currency: str | None = None
    detail: str | None = None  # a line under the figure, already in the page's language
    source: SourceRef | None = None
    as_of: str | None = None
    label_text: str | None = None  # a label from the data (an indicator's), else t(key)

    def label(self, lang: str = "en", escape: Callable[[str], str] = str) -> str:
        """The label; ``escape`` (e.g. ``ui.md_escape``) applies to a label from the
        data, not to the catalogue's."""
        return escape(self.label_text) if self.label_text else t(self.key, lang)

    def display_value(self, lang: str = "en") -> str:
        if self.value is None:
            return t("kpi.no_figure", lang)
        text = format_money(self.value, self.currency, lang) if self.currency else format_number(self.value, lang)
        return qualify(text, self.qualifier, lang)

    def caption(self, lang: str = "en") -> str:
        if self.source is None or self.as_of is None:
            return t("kpi.no_source", lang)
        return t("kpi.caption", lang, source=self.source.title, as_of=format_as_of(self.as_of, lang))


def latest(frame: pd.DataFrame, column: str = "as_of") -> pd.Series | None:
    """The row whose ``column`` (an as-of or period value) is latest; ``None`` when
    the frame is empty. On a tie the row listed last (the newest entry) wins."""
    if frame.empty:
        return None
    keys = frame[column].map(as_of_sort_key)
    return frame.loc[keys.sort_values(kind="stable").index[-1]]


def _from_row(key: str, row: pd.Series | None, data: Dataset, value_col: str, **extra) -> Kpi:
    if row is None:
        return Kpi(key, None)
    return Kpi(key, float(row[value_col]), qualifier=row.get("qualifier", "exact"),
               source=source_ref(data["sources"], row["source_id"]), as_of=row["as_of"], **extra)


@per_dataset
def staff_kpi(data: Dataset, lang: str = "en") -> Kpi:
    """Authorised posts, latest total, with its international/local split."""
    staffing = data["staffing"]
    posts = staffing[staffing["measure"] == "posts"]
    row = latest(posts[posts["category"] == "total"])
    detail = None
    if row is not None:
        same = posts[posts["as_of"] == row["as_of"]].set_index("category")["value"]
        if {"international", "local"} <= set(same.index):
            detail = t("kpi.staff_split", lang, international=format_number(same["international"], lang),
                       local=format_number(same["local"], lang))
    return _from_row("kpi.staff", row, data, "value", detail=detail)


@per_dataset
def budget_kpi(data: Dataset, lang: str = "en") -> Kpi:
    """The latest euro figure of the Mission's Unified Budget allocation."""
    budget = data["budget"]
    row = latest(budget[(budget["category"] == "unified_budget") & (budget["currency"] == "EUR")])
    return _from_row("kpi.budget", row, data, "amount", currency="EUR")


@per_dataset
def indicator_kpi(data: Dataset, indicator: str, key: str, detail: str | None = None) -> Kpi:
    """The latest value of one indicator, by ``as_of``."""
    rows = data["indicators"]
    rows = rows[rows["indicator"] == indicator]
    return _from_row(key, latest(rows), data, "value", detail=detail)


@per_dataset
def overview_kpis(data: Dataset, lang: str = "en") -> list[Kpi]:
    """The six headline figures of the Overview page, in display order."""
    offices = data["offices"]
    mapped_teams = int((offices["kind"] == "field_team").sum())
    return [
        staff_kpi(data, lang),
        budget_kpi(data, lang),
        indicator_kpi(data, "regional_centres", "kpi.regional_centres"),
        indicator_kpi(data, "field_teams", "kpi.field_teams",
                      detail=t("kpi.field_teams_mapped", lang, count=mapped_teams)),
        indicator_kpi(data, "reports_produced", "kpi.reports"),
        indicator_kpi(data, "court_cases_monitored", "kpi.court_cases"),
    ]


def indicator_label(row: pd.Series, lang: str = "en") -> str:
    """An indicator's label in ``lang`` where staff have translated it, else English."""
    value = row.get(f"label_{lang}")
    return value if isinstance(value, str) and value else english_only(row["label_en"], lang)


@per_dataset
def indicator_kpis(data: Dataset, group: str | None = None, lang: str = "en",
                   period: str | None = None) -> list[Kpi]:
    """The latest figure of every indicator (of ``group``, and covering ``period``
    when given), in the order the table first lists them."""
    rows = data["indicators"]
    if group:
        rows = rows[rows["group"] == group]
    if period:
        rows = rows[rows["period"] == period]
    kpis = []
    for indicator in dict.fromkeys(rows["indicator"]):
        row = latest(rows[rows["indicator"] == indicator])
        if row is None:  # (never: the indicator has rows)
            continue
        kpis.append(_from_row(f"indicator.{indicator}", row, data, "value",
                              label_text=indicator_label(row, lang),
                              detail=t("kpi.period", lang, period=format_as_of(row["period"], lang))))
    return kpis
