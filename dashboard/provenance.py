"""When a figure was true and where it comes from, for display.

``as_of`` and ``period`` values are ISO 8601: a year (``2019``), a month
(``2024-06``), a date (``2010-08-01``) or an interval of those (``2016/2020``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from babel.dates import format_date

from .formatting import babel_locale, web_url
from .loading import Dataset, per_dataset, per_frame


def _parse_point(text: str, end: bool) -> dt.date:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 1:
        return dt.date(parts[0], 12, 31) if end else dt.date(parts[0], 1, 1)
    if len(parts) == 2:
        if not end:
            return dt.date(parts[0], parts[1], 1)
        nxt = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return dt.date(*parts)


def as_of_bounds(value: str) -> tuple[dt.date, dt.date]:
    """The first and last day an ``as_of`` or ``period`` value can mean."""
    start, _, finish = value.partition("/")
    return _parse_point(start, end=False), _parse_point(finish or start, end=True)


def as_of_sort_key(value: str) -> tuple[dt.date, dt.date]:
    """Orders values by when they are known to be true: by start, then end.

    An undated fact sheet of ``2016/2020`` is not known to be newer than a figure
    of ``2019``, so sorting by start puts the dated 2019 figure last (latest).
    """
    start, finish = as_of_bounds(value)
    return start, finish


def format_as_of(value: str, lang: str = "en") -> str:
    """``2016/2020`` → ``2016–2020``; ``2024-06`` → ``June 2024``;
    ``2010-08-01`` → ``1 August 2010`` (in ``lang``)."""
    if "/" in value:
        return "–".join(format_as_of(part, lang) for part in value.split("/", 1))
    parts = value.split("-")
    if len(parts) == 1:
        return value
    date = _parse_point(value, end=False)
    pattern = "LLLL y" if len(parts) == 2 else "long"
    # Serbian closes a date with a full stop ("1. avgust 2010."): in running text a
    # full stop, comma or semicolon follows it ("2010..", "2010.;"), so it is left off.
    return format_date(date, format=pattern, locale=babel_locale(lang)).rstrip(".")


@dataclass(frozen=True)
class SourceRef:
    id: str
    title: str
    publisher: str
    url: str | None


def _ref(row) -> SourceRef:
    return SourceRef(row.id, row.title, row.publisher, row.url if isinstance(row.url, str) else None)


@per_frame
def source_refs(sources: pd.DataFrame) -> dict[str, SourceRef]:
    """Every source by id, made once per sources table (``loading.per_frame``):
    for looking up many rows, one pass instead of one per row. Read-only."""
    return {row.id: _ref(row) for row in sources.itertuples(index=False)}


def source_ref(sources: pd.DataFrame, source_id: str) -> SourceRef:
    """The source row for ``source_id``. Validation guarantees it exists; when the
    data did not validate (the page says so), the id stands in for its title."""
    return source_refs(sources).get(source_id) or SourceRef(source_id, source_id, "", None)


def citation_counts(tables: dict[str, pd.DataFrame]) -> pd.Series:
    """How many rows of the other tables cite each source (``source_id`` or
    ``location_source_id``), indexed by source id; 0 for an uncited source."""
    cited = pd.concat([frame[column] for name, frame in tables.items() if name != "sources"
                       for column in ("source_id", "location_source_id") if column in frame],
                      ignore_index=True)
    return cited.value_counts().reindex(tables["sources"]["id"], fill_value=0)


@per_dataset
def sources_listing(data: Dataset) -> pd.DataFrame:
    """The sources as the Sources page lists them: each with ``rows``, how many rows
    cite it, and its ``url`` only when it is a web address (``formatting.web_url``),
    once per data version."""
    sources = data["sources"]
    return sources.assign(rows=citation_counts(data.tables).to_numpy(), url=sources["url"].map(web_url))
