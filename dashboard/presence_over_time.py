"""The Mission's presence in a given year, as the sources tell it.

Nothing is inferred: a year shows the presence figures whose ``period`` covers it
(``indicators.csv``, group ``presence``), the offices whose ``as_of`` covers it
(``offices.csv``: those are the ones the map can draw), the places the sources
name for it (``facts.csv``, topics in ``PLACE_TOPICS``) and the municipalities a
source says a Mission team works in (``field_presence.csv``). Where a source gives
only a count, the view says that the places are not listed.

An office ("an office stands here") and field presence ("a team works here") are
kept apart: the sources that say where teams work (the municipal profiles of
2013-2018) do not say where their offices are.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .formatting import format_number, qualify
from .i18n import english_only, place_name, t
from .kpis import indicator_label
from .loading import Dataset, per_dataset
from .provenance import as_of_bounds, format_as_of, source_ref

NOW = "now"  # the current presence: see ``offices_in`` and ``field_presence``
PRESENCE_GROUP = "presence"
# facts.csv topics whose rows name a place of the Mission's presence.
PLACE_TOPICS = ("headquarters", "regional_office")
# The units of presence figures that count offices, and the kind of office row that
# would list their places (None: offices.csv has no rows of that kind of structure).
OFFICE_COUNT_UNITS = {
    "regional centres": "regional_centre",
    "field teams": "field_team",
    "field offices": "field_office",
    "satellite offices": "satellite_office",
    "offices": None,
}
# The kinds of office of the Mission's structure since 2002 (headquarters, regional
# centres, their offices and the field teams). "Now" shows these, whatever their
# date; the others (the field, contact and satellite offices of 1999-2002, NGO
# resource centres, party service centres, the police school) only in their years.
CURRENT_KINDS = ("headquarters", "regional_centre", "regional_centre_office", "field_team")


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
    presence: list[Line] = field(default_factory=list)  # the field-presence statements covering the year

    @property
    def empty(self) -> bool:
        return not self.counts and not self.named and not self.presence and self.offices.empty


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


@per_dataset
def presence_years(data: Dataset) -> list[str]:
    """The years the data says something about the presence for, oldest first."""
    years: set[int] = set()
    for values in (_presence_rows(data)["period"], data["offices"]["as_of"], _place_facts(data)["as_of"],
                   data["field_presence"]["as_of"]):
        for value in values:
            years.update(_years(value))
    return [str(y) for y in sorted(years)]


@per_dataset
def year_options(data: Dataset) -> list[str]:
    """What the year control offers: ``NOW`` (the default) and every year in ``presence_years``."""
    return [NOW, *presence_years(data)]


def offices_in(data: Dataset, year: str | None) -> pd.DataFrame:
    """The office rows dated for ``year``; for ``NOW`` or ``None``, every office of
    the ``CURRENT_KINDS``, whatever its date."""
    offices = data["offices"]
    if year in (None, NOW):
        return offices[offices["kind"].isin(CURRENT_KINDS)]
    return offices[_covers(offices["as_of"], int(year))]


def presence_in(data: Dataset, year: str | None) -> pd.DataFrame:
    """The field-presence rows dated for ``year`` (every row for ``NOW`` or ``None``)."""
    rows = data["field_presence"]
    if year in (None, NOW):
        return rows
    return rows[_covers(rows["as_of"], int(year))]


@dataclass(frozen=True)
class Presence:
    """What the sources say about a Mission team in one municipality: the newest
    statement(s) (``as_of``, by when they end), ``inferred`` when none of them rests
    on a named region (``field_presence.basis``), and their sources."""

    code: str
    as_of: str
    inferred: bool
    source_ids: tuple[str, ...]


@per_dataset
def field_presence(data: Dataset, year: str | None = None) -> dict[str, Presence]:
    """The municipalities a source says a Mission team works in, by code: in
    ``year`` (a ``presence_years`` value), or for ``NOW``/``None`` by the newest
    statement of any year. A municipality with no statement is absent: not known.
    Read-only (memoised per data version)."""
    rows = presence_in(data, year)
    found: dict[str, Presence] = {}
    for code, group in rows.groupby("municipality_code", sort=False):
        ends = group["as_of"].map(lambda v: as_of_bounds(v)[1])
        newest = group[ends == ends.max()]
        found[str(code)] = Presence(str(code), str(newest["as_of"].iloc[0]),
                                    bool((newest["basis"] == "inferred").all()),
                                    tuple(dict.fromkeys(newest["source_id"])))
    return found


def _cite(data: Dataset, source_id: str, as_of: str, lang: str) -> str:
    return t("year.cite", lang, source=source_ref(data["sources"], source_id).title, as_of=format_as_of(as_of, lang))


def year_view(data: Dataset, year: str, lang: str = "en") -> YearView:
    """What the sources say about the presence in ``year`` (a ``presence_years``
    value): figures with their source and date, the places named, and the offices
    the map can draw."""
    number = int(year)
    view = YearView(year, offices=offices_in(data, year))
    kinds = view.offices["kind"].value_counts().to_dict()
    figures = _presence_rows(data)
    for _, row in figures[_covers(figures["period"], number)].iterrows():
        value = qualify(format_number(row["value"], lang), row["qualifier"], lang)
        text = t("year.count", lang, label=indicator_label(row, lang), value=value,
                 cite=_cite(data, row["source_id"], row["as_of"], lang))
        unit = row["unit"]
        if unit in OFFICE_COUNT_UNITS:
            listed = kinds.get(OFFICE_COUNT_UNITS[unit], 0)
            if not listed:
                text = t("year.places_not_listed", lang, count=text)
            elif listed < row["value"]:
                text = t("year.places_partly_listed", lang, count=text, listed=listed)
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
    regions = data["regions"].set_index("id")
    statements = presence_in(data, year)
    for (region_id, source_id, as_of), rows in statements.groupby(["region_id", "source_id", "as_of"], sort=False):
        region = place_name(regions.loc[region_id], lang) if region_id in regions.index else str(region_id)
        inferred = int((rows["basis"] == "inferred").sum())
        view.presence.append(Line(t("year.presence" if inferred else "year.presence_stated", lang, region=region,
                                    count=len(rows), inferred=inferred, cite=_cite(data, source_id, as_of, lang))))
    return view


def map_note(view: YearView, lang: str = "en") -> str:
    """What the map shows for the year, in a sentence."""
    if view.offices is None or view.offices.empty:
        return t("year.map_none", lang, year=view.year)
    return t("year.map_some", lang, year=view.year, count=len(view.offices))


# The field-presence measure's fills (ColorBrewer "BuGn", apart from the offices'
# blue, orange and black symbols): a team stated, a team inferred (lighter, and
# outlined with a dashed line on the map), and not known (grey).
PRESENCE_COLOURS = {"stated": "#66C2A4", "inferred": "#C7E9DF", "unknown": "#E3E3E3"}
INFERRED_DASH = "4 3"  # the outline of a municipality whose coverage is inferred


def presence_status(presence: Presence | None) -> str:
    """``"stated"``, ``"inferred"`` or ``"unknown"`` (no statement: not known)."""
    if presence is None:
        return "unknown"
    return "inferred" if presence.inferred else "stated"


def presence_text(data: Dataset, presence: Presence | None, lang: str = "en") -> str:
    """What the sources say about a team in one municipality, with date and
    sources, unescaped: "a Mission team works here (2018; Municipal Profile ...)"."""
    status = presence_status(presence)
    if presence is None:
        return t("map.presence.unknown", lang)
    sources = "; ".join(source_ref(data["sources"], s).title for s in presence.source_ids)
    return t(f"map.presence.{status}", lang, as_of=format_as_of(presence.as_of, lang), sources=sources)


def presence_legend(lang: str = "en") -> list[tuple[str, str]]:
    """``(colour, label)`` of the field-presence measure's three fills."""
    return [(colour, t(f"map.presence.legend.{status}", lang)) for status, colour in PRESENCE_COLOURS.items()]


def presence_per_municipality(data: Dataset) -> pd.Series:
    """Field-presence statements per municipality code (what makes the measure
    available: ``maps.available_measures``)."""
    return data["field_presence"]["municipality_code"].value_counts()
