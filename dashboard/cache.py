"""Streamlit's caches around the data store and the work done with its data.

The app's store is the backend the configuration names (``app_store``). Every cache
below is keyed on the store's fingerprint (files: each file's inode, size and times,
``loading.fingerprint``; PostgreSQL: each table's current version id, one indexed
query), so a save, a ``git pull`` or a save made through another server shows on
the next rerun without a restart.

They are the app's own memos (``Memo``), not Streamlit's caches: any client of the
websocket, signed in or not, can send ``clear_cache``, which empties every
``st.cache_*`` of the server; these survive it (a memo is keyed on the data
version, so it needs no clearing). Every session gets the same object, not a copy
(``st.cache_data`` unpickled a fresh copy of the whole dataset on every run). So
what they return is read-only: no page may change a table, a figure table or a
chart in place (``tests/test_data_version.py`` checks that none does); pandas'
copy-on-write makes every frame derived from them a copy.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Generic, TypeVar

import pandas as pd
import streamlit as st

from .display_tables import figures_table as _build_figures_table
from .i18n import DEFAULT_LANG
from .loading import Dataset
from .maps import available_measures, map_html, presence_map
from .paths import app_data_dir
from .presence_over_time import year_options
from .settings import CONNECTION, database_url, read_secrets
from .stores import Store, open_store


def _database_url() -> str | None:
    """The database the secrets or ``$OMIK_DATABASE_URL`` name; ``None`` for the
    files backend. ``StorageError`` when the secrets cannot say (``settings``)."""
    return database_url(*read_secrets())


T = TypeVar("T")


class Memo(Generic[T]):
    """At most ``size`` values by key, the least recently used dropped first; safe
    to share between sessions' threads. A value is built once: callers asking for a
    key being built wait for it (another key's build does not wait)."""

    def __init__(self, size: int):
        self.size = size
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                if key in self._values:  # built while this caller waited
                    return self._values[key]
            try:
                value = build()
                with self._lock:
                    self._values[key] = value
                    while len(self._values) > self.size:
                        self._values.popitem(last=False)
            finally:
                with self._lock:
                    self._building.pop(key, None)
        return value

    def __len__(self) -> int:
        return len(self._values)

    def clear(self) -> None:
        """Forget every value (tests; the app never needs to: keys carry the version)."""
        with self._lock:
            self._values.clear()


# One store per server process and configuration; a few data versions (a page run
# that started before a save still asks for the old one); views times languages.
_STORES: Memo[Store] = Memo(4)
_DATASETS: Memo[Dataset] = Memo(4)
_MAPS: Memo[str] = Memo(64)
_FIGURE_TABLES: Memo[pd.DataFrame] = Memo(64)
_DERIVED: Memo[object] = Memo(64)


def _store(database_url: str | None, data_dir: str) -> Store:
    # With a database, its engine (and so its connection pool) is Streamlit's SQL
    # connection named "omik", made once here: a cleared cache does not make another pool.
    def build() -> Store:
        if database_url is None:
            return open_store(None, Path(data_dir))
        from .postgres import ENGINE_OPTIONS, PostgresStore, driver_url

        connection = st.connection(CONNECTION, type="sql", url=driver_url(database_url), **ENGINE_OPTIONS)
        return PostgresStore(database_url, Path(data_dir), engine=connection.engine)

    return _STORES.get((database_url, data_dir), build)


def app_store() -> Store:
    """The app's data store, as configured (see ``_database_url``; the secrets are
    read once per page run, and again on the next: a changed secrets.toml applies
    at the next click)."""
    return _store(_this_run("database_url", _database_url), str(app_data_dir()))


def _key() -> tuple[Store, str, str]:
    """The store, its name and its fingerprint: the key of every memo below."""
    store = app_store()
    return store, repr(store), data_version(store)


def data_version(store: Store) -> str:
    """``store.fingerprint()``, checked once per page run (a stat of every file, or a
    query: a page asks for its data, figure tables and map several times a run). A
    save reruns the page, so the run after it sees the new version. Outside a
    page run (commands, tests) it is checked on every call."""
    return _this_run(("data_version", repr(store)), store.fingerprint)


def _this_run(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per page run (every call outside one)."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    # Outside a page run is expected (serve.py's warm-up, commands): no warning in the log
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return compute()
    # ScriptRunContext.reset() gives every run a new ``cursors`` dict: it names the run.
    run, known = getattr(ctx, "omik_this_run", (None, None))
    if run is not ctx.cursors or known is None:
        known = {}
        ctx.omik_this_run = (ctx.cursors, known)  # type: ignore[attr-defined]
    if key not in known:
        known[key] = compute()
    return known[key]


def _dataset(store: Store, store_name: str, fingerprint: str) -> Dataset:
    # store_name and fingerprint are the key: same store, same version, same tables.
    return _DATASETS.get((store_name, fingerprint), store.load_dataset)


def dataset() -> Dataset:
    """The package's tables, loaded once per data version."""
    return _dataset(*_key())


def rendered_presence_map(lang: str = "en", region: str | None = None, measure: str = "region",
                          layer_control: bool = False, year: str | None = None) -> str:
    """``maps.presence_map`` of the app's data as its HTML page (``maps.map_html``),
    rendered once per view and data version: rendering is most of a map page's
    server time."""
    store, store_name, fingerprint = _key()
    data = _dataset(store, store_name, fingerprint)
    return _MAPS.get((store_name, fingerprint, lang, region, measure, layer_control, year),
                     lambda: map_html(presence_map(data, lang, region, measure, layer_control, year)))


def figures_table(name: str, lang: str = "en", group: str | None = None) -> pd.DataFrame:
    """``display_tables.figures_table`` of the app's data (the indicators of ``group`` only,
    when given), built once per table, view and data version: formatting every
    figure of a table at its row limit takes most of a second."""
    store, store_name, fingerprint = _key()
    data = _dataset(store, store_name, fingerprint)

    def build() -> pd.DataFrame:
        rows = None if group is None else data[name][data[name]["group"] == group]
        return _build_figures_table(data, name, lang, rows)

    return _FIGURE_TABLES.get((store_name, fingerprint, name, lang, group), build)


def per_version(what: str, build: Callable[[Store, Dataset], T], *key: Hashable) -> T:
    """``build(store, data)`` of the app's store and data, once per data version and
    ``key`` (the language, the day...): for what a page derives from the data and
    every reader of that version shares, such as the tables' freshness or the
    History timeline. ``what`` names it, so two derivations never share a key."""
    store, store_name, fingerprint = _key()
    data = _dataset(store, store_name, fingerprint)
    return _DERIVED.get((what, store_name, fingerprint, *key), lambda: build(store, data))  # type: ignore[return-value]


def warm_up(lang: str = DEFAULT_LANG) -> None:
    """Build, in ``lang``, what the default views of a new server's first readers
    build for the current data version: the Overview's map; the Presence map's
    clickable map and its years and measures to choose from; and the charts that
    it, the Staffing, Budget and Reports pages show as pictures, drawn as SVG, whose
    first drawing starts vl-convert's JavaScript engine (two to three seconds
    holding the GIL; each further one some tens of milliseconds, about three seconds
    a language in all). ``serve.py`` calls it for every language before its health
    check answers, so that a new server's first reader of these pages, in whichever
    language a shared link names, finds them built (the same memos and arguments as
    the pages' default views)."""
    # Here, not at the top: altair and vl-convert load where a chart is drawn
    from .static_charts import draw_pictures

    data = dataset()
    rendered_presence_map(lang)
    rendered_presence_map(lang, layer_control=True)
    draw_pictures(data, lang)
    year_options(data)  # its controls' choices
    available_measures(data)
