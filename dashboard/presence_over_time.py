"""The Mission's presence in a given year, as the sources tell it.

Nothing is inferred: a year shows the presence figures whose ``period`` covers it
(``indicators.csv``, group ``presence``), the offices whose ``as_of`` covers it
(``offices.csv``: those are the ones the map can draw) and the places the sources
name for it (``facts.csv``, topics in ``PLACE_TOPICS``). Where a source gives only a
count, the view says that the places are not listed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .formatting import format_number, qualify
from .i18n import english_only, place_name, t
from .kpis import indicator_label
from .loading import Dataset
from .provenance import as_of_bounds, format_as_of, source_ref

NOW = "now"  # the current presence: every office row, whatever its date
PRESENCE_GROUP = "presence"
# facts.csv topics whose rows name a place of the Mission's presence.
PLACE_TOPICS = ("headquarters", "regional_office")
# The units of presence figures that count offices, and the kind of office row that
# would list their places (None: offices.csv has no rows of that kind of structure).
OFFICE_COUNT_UNITS = {
    "regional centres": "regional_centre",
    "field teams": "field_team",
    "field offices": None,
    "offices": None,
}


@dataclass(frozen=True)
class Line:
    """A sentence of the year view (data text already in it, unescaped) and the
    row's own note, if any."""

    text: str
    note: str | None = None


@dataclass
class YearView:
    year: str
    offices: pd.DataFrame  # the rows the map draws for this year
    counts: list[Line] = field(default_factory=list)
    named: list[Line] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.counts and not self.named and self.offices.empty


def _years(value: object) -> range:
    """The calendar years an ``as_of``/``period`` value covers (none when empty or malformed)."""
    if not isinstance(value, str) or not value:
        return range(0)
    try:
        start, end = as_of_bounds(value)
    except ValueError:
        return range(0)
    return range(start.year, end.year + 1)


def _covers(values: pd.Series, year: int) -> pd.Series:
    return values.map(lambda v: year in _years(v)).astype(bool)


def _presence_rows(data: Dataset) -> pd.DataFrame:
    indicators = data["indicators"]
    return indicators[indicators["group"] == PRESENCE_GROUP]


def _place_facts(data: Dataset) -> pd.DataFrame:
    facts = data["facts"]
    return facts[facts["topic"].isin(PLACE_TOPICS)]


def presence_years(data: Dataset) -> list[str]:
    """The years the data says something about the presence for, oldest first."""
    years: set[int] = set()
    for values in (_presence_rows(data)["period"], data["offices"]["as_of"], _place_facts(data)["as_of"]):
        for value in values:
            years.update(_years(value))
    return [str(y) for y in sorted(years)]


def year_options(data: Dataset) -> list[str]:
    """What the year control offers: ``NOW`` (the default) and every year in ``presence_years``."""
    return [NOW, *presence_years(data)]


def offices_in(data: Dataset, year: str | None) -> pd.DataFrame:
    """The office rows dated for ``year`` (every row for ``NOW`` or ``None``)."""
    offices = data["offices"]
    if year in (None, NOW):
        return offices
    return offices[_covers(offices["as_of"], int(year))]


def _cite(data: Dataset, source_id: str, as_of: str, lang: str) -> str:
    return t("year.cite", lang, source=source_ref(data["sources"], source_id).title, as_of=format_as_of(as_of, lang))


def year_view(data: Dataset, year: str, lang: str = "en") -> YearView:
    """What the sources say about the presence in ``year`` (a ``presence_years``
    value): figures with their source and date, the places named, and the offices
    the map can draw."""
    number = int(year)
    view = YearView(year, offices=offices_in(data, year))
    kinds = set(view.offices["kind"])
    figures = _presence_rows(data)
    for _, row in figures[_covers(figures["period"], number)].iterrows():
        value = qualify(format_number(row["value"], lang), row["qualifier"], lang)
        text = t("year.count", lang, label=indicator_label(row, lang), value=value,
                 cite=_cite(data, row["source_id"], row["as_of"], lang))
        unit = row["unit"]
        if unit in OFFICE_COUNT_UNITS and OFFICE_COUNT_UNITS[unit] not in kinds:
            text = t("year.places_not_listed", lang, count=text)
        note = row["note"] if isinstance(row["note"], str) and row["note"] else None
        view.counts.append(Line(text, english_only(note, lang) if note else None))
    facts = _place_facts(data)
    facts = facts[_covers(facts["as_of"], number)]
    for (topic, source_id, as_of), rows in facts.groupby(["topic", "source_id", "as_of"], sort=False):
        places = ", ".join(rows.sort_values("position")["text_en"])
        view.named.append(Line(t("year.named", lang, what=t(f"year.topic.{topic}", lang), places=places,
                                 cite=_cite(data, source_id, as_of, lang))))
    for (kind, source_id, as_of), rows in view.offices.groupby(["kind", "source_id", "as_of"], sort=False):
        places = ", ".join(place_name(row, lang) for _, row in rows.iterrows())
        view.named.append(Line(t("year.named", lang, what=t(f"office.kind_plural.{kind}", lang), places=places,
                                 cite=_cite(data, source_id, as_of, lang))))
    return view


def map_note(view: YearView, lang: str = "en") -> str:
    """What the map shows for the year, in a sentence."""
    if view.offices is None or view.offices.empty:
        return t("year.map_none", lang, year=view.year)
    return t("year.map_some", lang, year=view.year, count=len(view.offices))
