"""Streamlit's caches around the data store and the work done with its data.

The app's store is the backend the configuration names (``app_store``). Every cache
below is keyed on the store's fingerprint (files: each file's inode, size and times,
``loading.fingerprint``; PostgreSQL: each table's current version id, one indexed
query), so a save, a ``git pull`` or a save made through another server shows on
the next rerun without a restart.

They are ``st.cache_resource``: every session gets the same object, not a copy
(``st.cache_data`` unpickled a fresh copy of the whole dataset on every run). So
what they return is read-only: no page may change a table, a figure table or a
chart in place (``tests/test_data_version.py`` checks that none does); pandas'
copy-on-write makes every frame derived from them a copy.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from .display_tables import figures_table as _build_figures_table
from .loading import Dataset
from .maps import map_html, presence_map
from .paths import app_data_dir
from .settings import CONNECTION, database_url, read_secrets
from .stores import Store, open_store


def _database_url() -> str | None:
    """The database the secrets or ``$OMIK_DATABASE_URL`` name; ``None`` for the
    files backend. ``StorageError`` when the secrets cannot say (``settings``)."""
    return database_url(*read_secrets())


@st.cache_resource(show_spinner=False)
def _store(database_url: str | None, data_dir: str) -> Store:
    # One store per server process and configuration. With a database, its engine
    # (and so its connection pool) is Streamlit's SQL connection named "omik".
    if database_url is None:
        return open_store(None, Path(data_dir))
    from .postgres import ENGINE_OPTIONS, PostgresStore, driver_url

    connection = st.connection(CONNECTION, type="sql", url=driver_url(database_url), **ENGINE_OPTIONS)
    return PostgresStore(database_url, Path(data_dir), engine=connection.engine)


def app_store() -> Store:
    """The app's data store, as configured (see ``_database_url``)."""
    return _store(_database_url(), str(app_data_dir()))


def _key() -> tuple[Store, str, str]:
    """The store, its name and its fingerprint: the key of every cache below."""
    store = app_store()
    return store, repr(store), store.fingerprint()


@st.cache_resource(show_spinner=False, max_entries=4)
def _dataset(_store: Store, store_name: str, fingerprint: str) -> Dataset:
    # store_name and fingerprint are the key: same store, same version, same tables.
    return _store.load_dataset()


def dataset() -> Dataset:
    """The package's tables, cached until any table changes."""
    return _dataset(*_key())


@st.cache_resource(show_spinner=False, max_entries=64)
def _presence_map(_store: Store, store_name: str, fingerprint: str, lang: str, region: str | None, measure: str,
                  layer_control: bool, year: str | None) -> str:
    return map_html(presence_map(_dataset(_store, store_name, fingerprint), lang, region, measure, layer_control, year))


def rendered_presence_map(lang: str = "en", region: str | None = None, measure: str = "region",
                          layer_control: bool = False, year: str | None = None) -> str:
    """``maps.presence_map`` of the app's data as its HTML page (``maps.map_html``),
    rendered once per view and data version: rendering is most of a map page's
    server time."""
    return _presence_map(*_key(), lang, region, measure, layer_control, year)


@st.cache_resource(show_spinner=False, max_entries=64)
def _figures_table(_store: Store, store_name: str, fingerprint: str, name: str, lang: str,
                   group: str | None) -> pd.DataFrame:
    data = _dataset(_store, store_name, fingerprint)
    rows = None if group is None else data[name][data[name]["group"] == group]
    return _build_figures_table(data, name, lang, rows)


def figures_table(name: str, lang: str = "en", group: str | None = None) -> pd.DataFrame:
    """``display_tables.figures_table`` of the app's data (the indicators of ``group`` only,
    when given), built once per table, view and data version: formatting every
    figure of a table at its row limit takes most of a second."""
    return _figures_table(*_key(), name, lang, group)
