"""How current the data is, on the app's pages (the rule is ``dashboard.freshness``)."""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

import pandas as pd
import streamlit as st

from ..cache import per_version
from ..freshness import Freshness, chip_text, freshness_frame, package_freshness, store_changes
from ..i18n import DEFAULT_LANG, t
from ..loading import Dataset
from ..schema import Resource, resources
from ..storage import StorageError
from ..stores import Store
from .figures import csv_download
from .text import md_escape, record_list

logger = logging.getLogger(__name__)


def _statuses(store: Store, data: Dataset) -> list[Freshness]:
    package_resources = resources(store.descriptor_dir)
    return package_freshness(data, package_resources, dt.date.today(), store_changes(store, package_resources))


# Keyed on the data version and the day, and on the ten minutes: a restore that
# brings a table back to content it had before also brings back the version, with a
# newer change in the history, and the time bounds how long the older "last changed"
# can show. The app's own memo: a client's clear_cache does not empty it.
_STALE_AFTER_S = 600


def _today() -> tuple[str, int]:
    return dt.date.today().isoformat(), int(time.time() // _STALE_AFTER_S)


def app_freshness(names: Iterable[str] | None = None) -> list[Freshness]:
    """The status of every table of the app's store (of ``names`` only, when given), today."""
    items = per_version("freshness", _statuses, *_today())
    wanted = None if names is None else set(names)
    return [i for i in items if wanted is None or i.table in wanted]


def freshness_line(names: Iterable[str], lang: str = DEFAULT_LANG) -> None:
    """One short chip under a page's title: the years of the figures of the tables
    it shows and which are due for an update (``freshness.chip_text``), linking to
    every table's status on Sources. The link's label is Markdown, and table titles
    come from the descriptor: it is escaped."""
    try:
        items = app_freshness(names)
    except StorageError as exc:  # the history could not be read: the figures still show
        logger.error("the tables' history cannot be read: %s", exc)
        return
    if items:
        with st.container(key="freshness_chip"):
            st.page_link("pages/sources.py", label=md_escape(f"{chip_text(items, lang)} ›"),
                         help=t("freshness.chip_help", lang),
                         query_params={"lang": lang} if lang != DEFAULT_LANG else None)


def freshness_table(lang: str = DEFAULT_LANG) -> None:
    """Every table of the package for a reader (the Sources page): what it holds, how
    many rows, how current it is and its update rule; and its CSV."""
    # One frame per version, day and language (its list is a few milliseconds a run).
    def build(store: Store, data: Dataset) -> pd.DataFrame:
        return tables_frame(app_freshness(), resources(store.descriptor_dir), data, lang)

    frame = per_version("tables_frame", build, lang, *_today())
    # A list, not st.table: seven columns do not fit a phone, and the table's script
    # (1 MB) would be the only one of its kind on the page's first screen. HTML, not
    # Markdown: the browser's Markdown renderer costs in proportion to the text.
    _table, holds, _rows, status = frame.columns[:4]
    st.html(record_list(frame, lang, by=[status], paragraphs=[holds]))
    csv_download("tables", frame, lang)


def tables_frame(items: list[Freshness], package: list[Resource], data: Dataset,
                 lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """``freshness_frame`` with what each table holds (its descriptor's description)
    and its number of rows, after the table's title."""
    described = {res.name: res.descriptor.get("description", "") for res in package}
    frame = freshness_frame(items, lang)
    frame.insert(1, t("sources.col.holds", lang), [described.get(i.table, "") for i in items])
    frame.insert(2, t("sources.col.table_rows", lang), [len(data[i.table]) for i in items])
    return frame
