"""The elections the Mission organised or facilitated, ready for the Elections page.

The elections table has one row per figure. The page groups them by the Mission's
role and whose election it was (Kosovo's elections it organised, Serbia's it
facilitated, ...). In each group, a measure with figures for two or more elections is
a chart (a bar per election: separate events, never joined by a line); the other
figures are listed with their source and date; a vote the Mission could not
facilitate is told in its note, in the sources' words. Nothing is summed or derived:
a turnout is shown only where the data has one.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .charts import ChartSpec, figures_bar_chart
from .display_tables import figures_table
from .i18n import english_only, t
from .kpis import Kpi, indicator_kpis, indicator_label
from .loading import Dataset, per_dataset
from .paths import app_data_dir
from .provenance import format_as_of, source_refs
from .schema import resource

# (the Mission's role, whose election): Kosovo's it organised, then Serbia's it
# facilitated and those it could not, then Kosovo's in the north; the rest, should
# the data ever have them, last.
SECTIONS = (("organised", "kosovo"), ("facilitated", "serbia"), ("not_facilitated", "serbia"),
            ("facilitated", "kosovo"), ("organised", "serbia"), ("not_facilitated", "kosovo"))
MIN_ELECTIONS = 2  # a chart compares at least two elections
# Indicators that count the elections the sections list, as one source counted them
# on one day ("the third election facilitation operation ... in four years", April
# 2016, before the 2017 one): the page's summary counts the elections it lists
# instead, each with its own source, so the summary and the sections never disagree.
COUNTED_BY_SECTIONS = ("serbian_election_facilitation_operations", "election_rounds_organised")


@dataclass(frozen=True)
class Statement:
    """A vote the Mission ran no operation for, and why, in the note's words."""

    title: str
    note: str
    caption: str


@dataclass(frozen=True)
class Section:
    key: str  # "organised_kosovo", ...
    title: str
    charts: list[ChartSpec]
    others: pd.DataFrame  # the figures no chart shows, as a table for people
    statements: list[Statement]
    elections: int  # how many elections (or votes) the section lists


@dataclass(frozen=True)
class CountKpi(Kpi):
    """A summary card that counts what the page lists below: its caption says so
    instead of naming one source."""

    note: str = ""

    def caption(self, lang: str = "en") -> str:
        return self.note


def measure_order() -> list[str]:
    """The measures in the order the schema lists them (electorate first)."""
    return list(resource("elections", app_data_dir()).field("measure").constraints.get("enum", []))


def _years(dates: pd.Series) -> str:
    first, last = min(dates)[:4], max(dates)[:4]
    return first if first == last else f"{first}–{last}"


def _items(rows: pd.DataFrame, lang: str) -> list[str]:
    """A bar's label: the year and the election; the as-of date too where one
    election has several figures of the measure (a preliminary and a final one)."""
    labels = [f"{d[:4]} · {indicator_label(r, lang)}" for d, (_, r) in zip(rows["election_date"], rows.iterrows())]
    return [f"{label} ({format_as_of(a, lang)})" if labels.count(label) > 1 else label
            for label, a in zip(labels, rows["as_of"])]


def measure_chart(rows: pd.DataFrame, data: Dataset, key: str, measure: str, lang: str = "en") -> ChartSpec:
    """One measure of one group of elections, a bar per election in polling order."""
    rows = rows.sort_values(["election_date", "as_of"], kind="stable")
    label = t(f"elections.measure.{measure}", lang)
    return figures_bar_chart(rows, data, f"elections_{key}_{measure}", label, _items(rows, lang), label, lang)


def figures(rows: pd.DataFrame, data: Dataset, lang: str = "en") -> pd.DataFrame:
    """Election figures as a table: election, polling day, what, figure, as of, source, note."""
    rows = rows.sort_values("election_date", kind="stable")
    table = figures_table(data, "elections", lang, rows).rename(
        columns={t("table.what", lang): t("elections.col.election", lang)})
    table.insert(1, t("elections.col.date", lang), [format_as_of(d, lang) for d in rows["election_date"]])
    table.insert(2, t("table.what", lang), [t(f"elections.measure.{m}", lang) for m in rows["measure"]])
    return table


def statements(rows: pd.DataFrame, data: Dataset, lang: str = "en") -> list[Statement]:
    """Each vote of ``rows`` with its note (the sources' words) and source."""
    sources = source_refs(data["sources"])
    out = []
    for _, row in rows.sort_values("election_date", kind="stable").iterrows():
        source = sources.get(row["source_id"])
        out.append(Statement(
            t("elections.statement", lang, election=indicator_label(row, lang),
              date=format_as_of(row["election_date"], lang)),
            english_only(row["note"], lang) if isinstance(row["note"], str) else "",
            t("kpi.caption", lang, source=source.title if source else row["source_id"],
              as_of=format_as_of(row["as_of"], lang))))
    return out


@per_dataset
def sections(data: Dataset, lang: str = "en") -> list[Section]:
    """The groups of elections the data has, organised first."""
    rows = data["elections"]
    order = {m: i for i, m in enumerate(measure_order())}
    out = []
    for kind, jurisdiction in SECTIONS:
        part = rows[(rows["kind"] == kind) & (rows["jurisdiction"] == jurisdiction)]
        if part.empty:
            continue
        key = f"{kind}_{jurisdiction}"
        title = t(f"elections.section.{kind}.{jurisdiction}", lang, years=_years(part["election_date"]))
        if kind == "not_facilitated":
            out.append(Section(key, title, [], figures(part.iloc[0:0], data, lang), statements(part, data, lang),
                               part["election"].nunique()))
            continue
        elections = part.groupby("measure")["election"].nunique()
        charted = sorted((m for m in elections.index if elections[m] >= MIN_ELECTIONS),
                         key=lambda m: order.get(m, len(order)))
        charts = [measure_chart(part[part["measure"] == m], data, key, m, lang) for m in charted]
        out.append(Section(key, title, charts, figures(part[~part["measure"].isin(charted)], data, lang), [],
                           part["election"].nunique()))
    return out


@per_dataset
def summary(data: Dataset, lang: str = "en") -> list[Kpi]:
    """The page's "In short": how many elections each section lists (one card a
    section, the count of what is shown below it), then the latest figure of each
    election indicator but those that count the same elections (``COUNTED_BY_SECTIONS``)."""
    counts: list[Kpi] = [CountKpi("elections.summary", float(s.elections), label_text=s.title,
                                  detail=t(f"elections.count.{'votes' if s.statements else 'elections'}", lang),
                                  note=t("elections.count_note", lang))
                         for s in sections(data, lang)]
    kept = [k for k in indicator_kpis(data, "elections", lang) if k.key.split(".", 1)[1] not in COUNTED_BY_SECTIONS]
    return counts + kept
