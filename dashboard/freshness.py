"""How current each table is: its update rule, its newest figure and its last change.

Each table declares in ``datapackage.json`` how often it should be updated
(``updateFrequency``). The rule, stated once here:

- ``yearly``: a new figure is expected every year. The table is **up to date** until
  12 months after the end of its newest ``as_of`` (``2024`` ends on 31 December
  2024, ``2016/2020`` on 31 December 2020), **update due** until 18 months after it,
  and **overdue** from then on.
- ``when_it_happens`` (milestones, elections, ...) and ``when_sources_change``
  (sources, regions, ...): there is no schedule, so there is nothing to be late for;
  the status says so rather than inventing a deadline.
- A yearly table with no rows has no figure to age (the sources are silent, and the
  data says nothing rather than estimate): **no figures**, not overdue.
- A table whose descriptor has no rule, or one outside the vocabulary above: **no
  rule**, and it is reported as such (a descriptor to fix, not a late update).

"Last changed" is the newest save or restore in the store's history. The first
version a history records (``original``: the files as they were before the first
save, or the package a database was loaded with) is not a change, so a table
without a later entry is "not changed since the package was loaded".

Everything here is pure: the date to judge by, the tables and their history are
passed in, so the rule is tested with fixed dates.
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .i18n import catalogue, t
from .loading import Dataset
from .provenance import as_of_bounds, format_as_of
from .schema import Resource

YEARLY, WHEN_IT_HAPPENS, WHEN_SOURCES_CHANGE = "yearly", "when_it_happens", "when_sources_change"
FREQUENCIES = (YEARLY, WHEN_IT_HAPPENS, WHEN_SOURCES_CHANGE)
DUE_AFTER_MONTHS, OVERDUE_AFTER_MONTHS = 12, 18

UP_TO_DATE, UPDATE_DUE, OVERDUE = "up_to_date", "update_due", "overdue"
NO_SCHEDULE, NO_FIGURES, NO_RULE = "no_schedule", "no_figures", "no_rule"
STATUSES = (UP_TO_DATE, UPDATE_DUE, OVERDUE, NO_SCHEDULE, NO_FIGURES, NO_RULE)


@dataclass(frozen=True)
class Freshness:
    """One table's status. ``last_changed`` is the ISO time of its newest save or
    restore, ``None`` when it has none since the package was loaded; ``changes_known``
    is ``False`` when the history was not consulted (then nothing is said about it)."""

    table: str
    title: str
    frequency: str | None
    newest_as_of: str | None
    status: str
    due_after: dt.date | None = None  # the last day it is up to date (yearly only)
    overdue_after: dt.date | None = None  # the last day before it is overdue (yearly only)
    last_changed: str | None = None
    changes_known: bool = True

    @property
    def overdue(self) -> bool:
        return self.status == OVERDUE

    def as_dict(self) -> dict:
        """For ``--json``: codes and ISO dates, no translated text."""
        return {"table": self.table, "title": self.title, "update_frequency": self.frequency,
                "newest_as_of": self.newest_as_of, "status": self.status,
                "due_after": _iso(self.due_after), "overdue_after": _iso(self.overdue_after),
                "last_changed": self.last_changed if self.changes_known else None,
                "changes_known": self.changes_known}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months; a day the month lacks becomes its last day
    (31 August + 6 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def newest_as_of(values: Iterable[object]) -> str | None:
    """The ``as_of`` whose period ends last (``None`` for no values): a figure of
    ``2016/2020`` is as recent as the end of 2020."""
    dated = [v for v in values if isinstance(v, str) and v]
    return max(dated, key=lambda v: (as_of_bounds(v)[1], as_of_bounds(v)[0]), default=None)


def last_changed(versions: Sequence) -> str | None:
    """The time of the newest saved or restored version (``storage.Version``), not
    counting the ``original`` one a history starts with; ``None`` if there is none."""
    changes = [v.time for v in versions if v.action != "original"]
    return changes[-1] if changes else None


def table_freshness(resource: Resource, frame: pd.DataFrame, today: dt.date,
                    changed: str | None = None, changes_known: bool = True) -> Freshness:
    """The status of one table (see the module's rule) on ``today``."""
    frequency = resource.descriptor.get("updateFrequency")
    newest = newest_as_of(frame["as_of"]) if "as_of" in frame else None
    common: dict[str, Any] = {"table": resource.name, "title": resource.title, "frequency": frequency,
                              "newest_as_of": newest, "last_changed": changed if changes_known else None,
                              "changes_known": changes_known}
    if frequency not in FREQUENCIES:
        return Freshness(status=NO_RULE, **common)
    if frequency != YEARLY:
        return Freshness(status=NO_SCHEDULE, **common)
    if newest is None:
        return Freshness(status=NO_FIGURES, **common)
    end = as_of_bounds(newest)[1]
    due, overdue = add_months(end, DUE_AFTER_MONTHS), add_months(end, OVERDUE_AFTER_MONTHS)
    status = UP_TO_DATE if today <= due else UPDATE_DUE if today <= overdue else OVERDUE
    return Freshness(status=status, due_after=due, overdue_after=overdue, **common)


def package_freshness(data: Dataset, resources: Sequence[Resource], today: dt.date,
                      changes: Mapping[str, str | None] | None = None,
                      names: Iterable[str] | None = None) -> list[Freshness]:
    """Every table's status (of ``names`` only, when given), in the descriptor's
    order. ``changes`` maps a table to its ``last_changed``; ``None`` when the
    history is not known here (the status is the same, the last change unsaid)."""
    wanted = None if names is None else set(names)
    return [table_freshness(res, data[res.name], today, (changes or {}).get(res.name), changes is not None)
            for res in resources if (wanted is None or res.name in wanted) and res.name in data.tables]


def store_changes(store, resources: Sequence[Resource]) -> dict[str, str | None]:
    """``last_changed`` of every table, from ``store``'s history (one read per table)."""
    return {res.name: last_changed(store.history(res.name)) for res in resources}


# --- in words -------------------------------------------------------------------

def _day(value: dt.date | str, lang: str) -> str:
    return format_as_of(value.isoformat() if isinstance(value, dt.date) else value[:10], lang)


def status_text(item: Freshness, lang: str = "en") -> str:
    """"Up to date", "Update due", "Overdue", "No schedule", ... in ``lang``."""
    return t(f"freshness.status.{item.status}", lang)


def rule_text(item: Freshness, lang: str = "en") -> str:
    """The table's rule, with its dates when it has a schedule."""
    if item.status in (UP_TO_DATE, UPDATE_DUE, OVERDUE) and item.due_after and item.overdue_after:
        return t("freshness.rule.yearly_dates", lang, due=_day(item.due_after, lang),
                 overdue=_day(item.overdue_after, lang))
    return t(f"freshness.rule.{item.frequency if item.frequency in FREQUENCIES else 'none'}", lang)


def changed_text(item: Freshness, lang: str = "en") -> str | None:
    """When the table last changed, or that it has not; ``None`` when not known."""
    if not item.changes_known:
        return None
    if item.last_changed is None:
        return t("freshness.never_changed", lang)
    return t("freshness.changed", lang, date=_day(item.last_changed, lang))


def newest_text(item: Freshness, lang: str = "en") -> str:
    return format_as_of(item.newest_as_of, lang) if item.newest_as_of else t("freshness.no_as_of", lang)


def table_title(item: Freshness, lang: str = "en") -> str:
    """The item's table's name in ``lang`` (``resource_title``)."""
    return resource_title(item.table, item.title, lang)


def resource_title(name: str, title: str, lang: str = "en") -> str:
    """A table's name in ``lang`` (catalogue key ``table_name.NAME``, used while its
    English is the descriptor's ``title``: staff may retitle a table), else ``title``."""
    key = f"table_name.{name}"
    return t(key, lang) if catalogue("en").get(key) == title else title


def describe(item: Freshness, lang: str = "en") -> str:
    """One line for a page: ``Staffing: Overdue (newest figure: 2016–2020) · last changed ...``
    (the rule and its dates are on the Sources page)."""
    line = t("freshness.line", lang, title=table_title(item, lang), status=status_text(item, lang),
             newest=newest_text(item, lang))
    changed = changed_text(item, lang)
    return f"{line} · {changed}" if changed else line


def figure_years(items: Sequence[Freshness]) -> str | None:
    """The years the tables' newest figures span (``2016–2025``, or ``2024``);
    ``None`` when no table has a dated figure."""
    dated = [as_of_bounds(i.newest_as_of) for i in items if i.newest_as_of]
    if not dated:
        return None
    first, last = min(start.year for start, _ in dated), max(end.year for _, end in dated)
    return str(first) if first == last else f"{first}–{last}"


def chip_text(items: Sequence[Freshness], lang: str = "en") -> str:
    """The short line every page shows under its title: the years of the tables'
    newest figures and which tables are due for an update, e.g. ``Figures
    2016–2025 · Staffing, Budget due for update`` (the details are on Sources)."""
    years = figure_years(items)
    if years is None:
        return t("freshness.chip_none", lang)
    due = [table_title(i, lang) for i in items if i.status in (UPDATE_DUE, OVERDUE)]
    state = t("freshness.chip_due", lang, tables=", ".join(due)) if due else t("freshness.chip_current", lang)
    return f"{t('freshness.chip', lang, years=years)} · {state}"


def freshness_frame(items: Sequence[Freshness], lang: str = "en") -> pd.DataFrame:
    """The statuses as a table for people (the Sources page, the command line)."""
    return pd.DataFrame({
        t("freshness.col.table", lang): [table_title(i, lang) for i in items],
        t("freshness.col.status", lang): [status_text(i, lang) for i in items],
        t("freshness.col.newest", lang): [newest_text(i, lang) for i in items],
        t("freshness.col.rule", lang): [rule_text(i, lang) for i in items],
        t("freshness.col.changed", lang): [changed_text(i, lang) or "" for i in items],
    })
