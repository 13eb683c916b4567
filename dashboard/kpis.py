"""The headline figures and the rule that picks each one.

Each KPI is one sourced row of a table, never a sum or estimate: the row's own
value, qualifier, source and as-of date travel with it to the screen. When no row
matches, the KPI has no value and the page says so.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from .formatting import format_money, format_number, qualify
from .i18n import DEFAULT_LANG, catalogue, english_only, t
from .loading import Dataset, per_dataset
from .provenance import SourceRef, as_of_bounds, as_of_sort_key, format_as_of, source_ref

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

    def years(self) -> str | None:
        """The year or years the figure refers to (``2019``, ``2016–2020``)."""
        return year_span(self.as_of) if self.as_of else None


def year_span(as_of: str) -> str:
    """The years an ``as_of`` covers, as a reader scans them: ``2016/2020`` →
    ``2016–2020``, ``2023-05-04`` → ``2023``."""
    start, end = as_of_bounds(as_of)
    return str(start.year) if start.year == end.year else f"{start.year}–{end.year}"


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


def field_teams_kpi(data: Dataset, lang: str = "en") -> Kpi:
    """The number of field teams, and where they work: in the municipalities the
    sources name (``field_presence``), or, where the data has no such statement,
    that the source does not list them by place (not a gap in the dashboard)."""
    offices = data["offices"]
    mapped = int((offices["kind"] == "field_team").sum())
    where = field_presence_summary(data)
    if where is not None:
        count, inferred, years = where
        detail = t("kpi.field_teams_presence", lang, count=count, years=years)
        if inferred:
            detail += " " + t("kpi.field_teams_inferred", lang, count=inferred)
    elif mapped:
        detail = t("kpi.field_teams_mapped", lang, count=mapped)
    else:
        detail = t("kpi.field_teams_unlisted", lang)
    return indicator_kpi(data, "field_teams", "kpi.field_teams", detail=detail)


def field_presence_summary(data: Dataset) -> tuple[int, int, str] | None:
    """How many municipalities a source says a Mission team works in
    (``field_presence``), how many of them only by inference from their region, and
    the years of the statements; ``None`` when the data has no statement."""
    rows = data.tables.get("field_presence")
    if rows is None or rows.empty:
        return None
    stated = set(rows.loc[rows["basis"] == "stated", "municipality_code"])
    municipalities = set(rows["municipality_code"])
    bounds = [as_of_bounds(v) for v in rows["as_of"]]
    first, last = min(b[0].year for b in bounds), max(b[1].year for b in bounds)
    return len(municipalities), len(municipalities - stated), str(first) if first == last else f"{first}–{last}"


@per_dataset
def overview_kpis(data: Dataset, lang: str = "en") -> list[Kpi]:
    """The six headline figures of the Overview page, in display order."""
    return [
        staff_kpi(data, lang),
        budget_kpi(data, lang),
        indicator_kpi(data, "regional_centres", "kpi.regional_centres"),
        field_teams_kpi(data, lang),
        indicator_kpi(data, "reports_produced", "kpi.reports"),
        indicator_kpi(data, "court_cases_monitored", "kpi.court_cases"),
    ]


# --- the headline ------------------------------------------------------------------

# What the Overview's one-line headline names, in order; each part only when the
# data has its figure, with the figure's hedge and year.
HEADLINE_PARTS = ("posts", "budget", "regional_centres", "field_teams", "municipalities")
# The indicator the headline's municipalities come from: the Head of Mission's own
# statement (the other, municipalities_covered, is a third party's).
MUNICIPALITIES_INDICATOR = "municipalities_with_mission_members"


def plural_form(count: float, lang: str = "en") -> str:
    """The CLDR plural category of ``count`` for a noun after it: ``one``, ``few``
    (Serbian only: 2–4, 22–24, ... take their own form) or ``other``."""
    if not float(count).is_integer():
        return "other"
    n = abs(int(count))
    if lang == "sr":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "other"
    return "one" if n == 1 else "other"


def headline_text(kpis: Mapping[str, Kpi], lang: str = "en") -> str | None:
    """The headline from the figures in ``kpis`` (keyed as ``HEADLINE_PARTS``):
    ``The Mission in figures: 503 posts (2016–2020), ... and members in 38
    municipalities (2023).`` A part whose figure is missing or undated is left out,
    never estimated; ``None`` when no part has a figure."""
    parts = []
    for name in HEADLINE_PARTS:
        kpi = kpis.get(name)
        if kpi is None or kpi.value is None or kpi.as_of is None:
            continue
        key = "headline.budget" if name == "budget" else f"headline.{name}.{plural_form(kpi.value, lang)}"
        parts.append(t(key, lang, value=kpi.display_value(lang), year=year_span(kpi.as_of)))
    if not parts:
        return None
    listed = parts[0] if len(parts) == 1 else t("text.and_list", lang, first=", ".join(parts[:-1]), last=parts[-1])
    return t("headline.lead", lang, parts=listed)


@per_dataset
def headline(data: Dataset, lang: str = "en") -> str | None:
    """The Overview's headline from the data (see ``headline_text``)."""
    kpis = {"posts": staff_kpi(data, lang), "budget": budget_kpi(data, lang),
            "regional_centres": indicator_kpi(data, "regional_centres", "kpi.regional_centres"),
            "field_teams": indicator_kpi(data, "field_teams", "kpi.field_teams"),
            "municipalities": indicator_kpi(data, MUNICIPALITIES_INDICATOR, "kpi.municipalities")}
    return headline_text(kpis, lang)


def kpi_sources(kpis: list[Kpi], lang: str = "en") -> str:
    """Each source of ``kpis`` once, with the figures it gives:
    ``Fact sheet (Staff (posts), Regional centres) · Booklet (Reports produced)``."""
    by_source: dict[str, list[str]] = {}
    for kpi in kpis:
        if kpi.source is not None and kpi.value is not None:
            by_source.setdefault(kpi.source.title, []).append(kpi.label(lang))
    return " · ".join(f"{title} ({', '.join(labels)})" for title, labels in by_source.items())


def indicator_label(row: pd.Series, lang: str = "en") -> str:
    """An indicator's label in ``lang`` where staff have translated it, else English."""
    value = row.get(f"label_{lang}")
    if isinstance(value, str) and value:
        return value
    # The team's translation (catalogue key indicator.ID or election.ID), used while
    # its English is still the data's label: a changed label shows in English, marked.
    kind = "indicator" if "indicator" in row else "election" if "election" in row else None
    key = f"{kind}.{row[kind]}" if kind else ""
    if kind and lang != DEFAULT_LANG and catalogue(DEFAULT_LANG).get(key) == row["label_en"] and key in catalogue(lang):
        return t(key, lang)
    return english_only(row["label_en"], lang)


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
