"""Streamlit's caches around the loaders and the map rendering. The cache key is
the content fingerprint of the data files, so a change on disk (a save, a
``git pull``) shows on the next rerun without a restart.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from .loading import Dataset, fingerprint, load_dataset
from .maps import map_html, presence_map
from .paths import app_data_dir
from .tables import figures_table as _build_figures_table


@st.cache_data(show_spinner=False, max_entries=4)
def _dataset(data_dir: str, content_hash: str) -> Dataset:
    # content_hash is only part of the key: same content, same cached tables.
    return load_dataset(Path(data_dir))


def dataset(data_dir: Path | None = None) -> Dataset:
    """The package's tables (default: ``app_data_dir()``), cached until any data
    file's content changes."""
    data_dir = data_dir or app_data_dir()
    return _dataset(str(data_dir), fingerprint(data_dir))


def _app_data_key() -> tuple[str, str]:
    """The app's data folder and its content fingerprint: the key of every cache below."""
    data_dir = app_data_dir()
    return str(data_dir), fingerprint(data_dir)


@st.cache_data(show_spinner=False, max_entries=64)
def _presence_map(data_dir: str, content_hash: str, lang: str, region: str | None, measure: str,
                  layer_control: bool) -> str:
    return map_html(presence_map(_dataset(data_dir, content_hash), lang, region, measure, layer_control))


def rendered_presence_map(lang: str = "en", region: str | None = None, measure: str = "region",
                          layer_control: bool = False) -> str:
    """``maps.presence_map`` of the app's data as its HTML page (``maps.map_html``),
    rendered once per view and data version: rendering is most of a map page's
    server time."""
    return _presence_map(*_app_data_key(), lang, region, measure, layer_control)



@st.cache_data(show_spinner=False, max_entries=64)
def _figures_table(data_dir: str, content_hash: str, name: str, lang: str, group: str | None) -> pd.DataFrame:
    data = _dataset(data_dir, content_hash)
    rows = None if group is None else data[name][data[name]["group"] == group]
    return _build_figures_table(data, name, lang, rows)


def figures_table(name: str, lang: str = "en", group: str | None = None) -> pd.DataFrame:
    """``tables.figures_table`` of the app's data (the indicators of ``group`` only,
    when given), built once per table, view and data version: formatting every
    figure of a table at its row limit takes most of a second."""
    return _figures_table(*_app_data_key(), name, lang, group)
