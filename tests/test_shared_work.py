"""Work done once per data version, not per page run: tables shown (escaped and
converted once per frame), sources looked up by id, KPIs memoised per Dataset."""
from __future__ import annotations

import dataclasses
import functools
import gc
import weakref

import pandas as pd
import pytest
from streamlit.dataframe_util import convert_anything_to_arrow_bytes, convert_arrow_table_to_arrow_bytes

from dashboard import kpis
from dashboard.formatting import figures_as_text
from dashboard.loading import load_dataset, per_frame
from dashboard.provenance import SourceRef, source_ref
from dashboard.ui.text import md_frame, shown_table
from hostile import PAYLOADS


@pytest.fixture(scope="module")
def data():
    return load_dataset()


def _frames():
    hostile = pd.DataFrame({"text": PAYLOADS, "n": range(len(PAYLOADS))})
    return {
        "hostile text": hostile,
        "filtered (an index that is not 0..n)": hostile.iloc[::2],
        "typed table": load_dataset()["staffing"],
        "missing cells": pd.DataFrame({"a": ["x", None, "*y*"], "b": pd.array([1, None, 3], dtype="Int64")}),
        "hostile column name": pd.DataFrame({"[x](https://evil.example)": ["<b>"]}),
        "empty": pd.DataFrame({"a": pd.Series([], dtype="str")}),
    }


@pytest.mark.parametrize("name", list(_frames()))
def test_the_shown_table_is_what_st_table_would_send_of_the_escaped_frame(name):
    frame = _frames()[name]
    # st.table(md_frame(figures_as_text(frame))) converts the frame to these bytes on
    # every run; st.table(shown_table(frame)) sends the same, converted once.
    assert convert_arrow_table_to_arrow_bytes(shown_table(frame)) == \
        convert_anything_to_arrow_bytes(md_frame(figures_as_text(frame)))


def test_a_frame_is_worked_on_once_while_it_lives_and_forgotten_with_it():
    calls = []

    class Result:
        pass

    @per_frame
    def work(frame):
        calls.append(len(frame))
        return Result()

    frame = pd.DataFrame({"a": [1, 2]})
    first = work(frame)
    assert work(frame) is first and calls == [2]
    assert work(frame.copy()) is not first  # equal content, another frame: its own entry
    gone = weakref.ref(first)
    del frame, first
    gc.collect()
    assert gone() is None  # the result went with its frame
    assert work(pd.DataFrame({"a": [1]})) and calls == [2, 2, 1]


def test_sources_are_looked_up_by_id_and_an_unknown_id_stands_for_itself(data):
    sources = data["sources"]
    first = sources.iloc[0]
    assert source_ref(sources, first["id"]) == SourceRef(first["id"], first["title"], first["publisher"],
                                                         first["url"] if isinstance(first["url"], str) else None)
    assert source_ref(sources, "no_such_source") == SourceRef("no_such_source", "no_such_source", "", None)


@pytest.mark.parametrize("build, args", [
    (kpis.overview_kpis, ("sq",)),
    (kpis.staff_kpi, ("en",)),
    (kpis.budget_kpi, ("sr",)),
    (kpis.indicator_kpis, (None, "sq", "1999/2024")),
])
def test_kpis_are_computed_once_per_data_version_and_language(data, build, args):
    first = build(data, *args)
    assert build(data, *args) is first
    assert build(dataclasses.replace(data, tables=dict(data.tables)), *args) is not first


# --- the app's memos survive a client's clear_cache -------------------------------------

def counting(builds: dict, name: str, build):
    """``build``, counting its calls in ``builds[name]``."""
    def wrapper(*args, **kwargs):
        builds[name] += 1
        return build(*args, **kwargs)
    return wrapper


def test_a_clients_clear_cache_does_not_make_the_server_rebuild(monkeypatch, data_copy):
    """Any websocket client can send clear_cache, which empties every st.cache_* of
    the server (AppSession._handle_clear_cache_request); the data, maps and figure
    tables are the app's own memos, keyed on the data version, and stay."""
    import streamlit as st

    from conftest import run_page
    from dashboard import cache
    from dashboard.stores import FileStore

    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    builds = {"dataset": 0, "map": 0, "figures": 0}
    counted = functools.partial(counting, builds)

    monkeypatch.setattr(FileStore, "load_dataset", counted("dataset", FileStore.load_dataset))
    monkeypatch.setattr(cache, "map_html", counted("map", cache.map_html))
    monkeypatch.setattr(cache, "_build_figures_table", counted("figures", cache._build_figures_table))
    for page in ("map", "staffing"):
        run_page(page)
    assert builds == {"dataset": 1, "map": 1, "figures": 1}
    for _ in range(3):
        st.cache_data.clear()  # what a client's clear_cache does
        st.cache_resource.clear()
        for page in ("map", "staffing"):
            run_page(page)
    assert builds == {"dataset": 1, "map": 1, "figures": 1}
    (data_copy / "staffing.csv").write_bytes((data_copy / "staffing.csv").read_bytes())  # a new version
    run_page("staffing")
    assert builds == {"dataset": 2, "map": 1, "figures": 2}


def test_the_freshness_and_the_timeline_survive_a_clients_clear_cache(monkeypatch, data_copy):
    """Every page's freshness chip and the History timeline are derived once per data
    version (``cache.per_version``), not in a Streamlit cache a client can empty."""
    import streamlit as st

    from conftest import run_page
    from dashboard.ui import figures, freshness

    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    builds = {"freshness": 0, "timeline": 0}
    counted = functools.partial(counting, builds)

    monkeypatch.setattr(freshness, "_statuses", counted("freshness", freshness._statuses))
    monkeypatch.setattr(figures, "milestones_by_year", counted("timeline", figures.milestones_by_year))
    run_page("history")
    assert builds == {"freshness": 1, "timeline": 1}
    for _ in range(2):
        st.cache_data.clear()  # what a client's clear_cache does
        st.cache_resource.clear()
        run_page("history")
    assert builds == {"freshness": 1, "timeline": 1}
    run_page("history", theme="elections")  # another view of the timeline, the same freshness
    assert builds == {"freshness": 1, "timeline": 2}
    (data_copy / "milestones.csv").write_bytes((data_copy / "milestones.csv").read_bytes())  # a new version
    run_page("history")
    assert builds == {"freshness": 2, "timeline": 3}


def test_a_memo_is_bounded_and_drops_the_least_recently_used():
    from dashboard.cache import Memo

    memo: Memo[int] = Memo(3)
    for key in range(3):
        memo.get(key, lambda k=key: k * 10)
    assert memo.get(0, lambda: -1) == 0  # 0 is now the most recent
    memo.get(3, lambda: 30)
    assert len(memo) == 3
    assert memo.get(1, lambda: -1) == -1  # 1 was the least recently used: dropped, built again
    assert memo.get(0, lambda: -1) == 0


def test_a_memo_builds_a_value_once_for_callers_asking_together():
    import threading

    from dashboard.cache import Memo

    memo: Memo[object] = Memo(4)
    start = threading.Barrier(8)
    builds, results = [], []

    def build():
        builds.append(1)
        return object()

    def ask():
        start.wait()
        results.append(memo.get("version", build))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and all(r is results[0] for r in results)


def test_a_failed_build_is_not_kept():
    from dashboard.cache import Memo

    memo: Memo[int] = Memo(4)

    def fail():
        raise OSError("the database is down")

    with pytest.raises(OSError):
        memo.get("k", fail)
    assert memo.get("k", lambda: 1) == 1 and len(memo) == 1


def test_the_languages_are_listed_once_per_process(monkeypatch):
    from pathlib import Path

    from dashboard.i18n import languages

    first = languages()
    globbed = []
    real = Path.glob
    monkeypatch.setattr(Path, "glob", lambda self, *a, **k: globbed.append(self) or real(self, *a, **k))
    for _ in range(10):
        assert languages() == first == ["en", "sq", "sr"]
    languages().append("xx")  # a caller's copy
    assert languages() == first and globbed == []


def test_the_pages_are_made_once_per_language_and_each_run_gets_its_own(monkeypatch):
    import streamlit as st

    from conftest import run_page
    from dashboard.ui import frame

    made, navigated = [], []
    page, navigation = st.Page, st.navigation
    monkeypatch.setattr(st, "Page", lambda *a, **k: made.append(a[0]) or page(*a, **k))
    monkeypatch.setattr(st, "navigation", lambda pages, **k: navigated.append(pages) or navigation(pages, **k))
    frame._pages.cache_clear()
    for lang in ("sr", "sr", "sq"):
        run_page("staffing", lang=lang)
    # st.Page resolves and checks its script on every call: once per page and language.
    assert sorted(made) == sorted([script for script, *_ in frame.PAGES] * 2)
    first, second, _ = navigated
    # Each run's own pages (st.navigation marks the one it returns as callable, once),
    # for the same scripts.
    assert all(a is not b and a._page == b._page and a.title == b.title for a, b in zip(first, second, strict=True))


def test_the_sources_pages_table_of_tables_is_built_and_converted_once_per_version(monkeypatch, data_copy):
    from conftest import run_page
    from dashboard.ui import freshness

    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    builds = {"frame": 0}
    monkeypatch.setattr(freshness, "tables_frame", functools.partial(counting, builds)("frame", freshness.tables_frame))
    shown = []
    record_list = freshness.record_list
    monkeypatch.setattr(freshness, "record_list",
                        lambda frame, lang, **kw: shown.append(frame) or record_list(frame, lang, **kw))
    for _ in range(3):
        run_page("sources")
    assert builds == {"frame": 1} and shown[0] is shown[1] is shown[2]  # the same frame each run
    run_page("sources", lang="sq")
    assert builds == {"frame": 2}
    (data_copy / "staffing.csv").write_bytes((data_copy / "staffing.csv").read_bytes())  # a new version
    run_page("sources")
    assert builds == {"frame": 3}


def _derived_per_page_run():
    from dashboard.embeds import map_sources
    from dashboard.maps import available_measures
    from dashboard.presence_over_time import presence_years, year_options
    from dashboard.provenance import sources_listing

    return [presence_years, year_options, available_measures, map_sources, sources_listing]


@pytest.mark.parametrize("derive", _derived_per_page_run(), ids=lambda f: f.__name__)
def test_what_the_map_embed_and_sources_pages_derive_is_made_once_per_data_version(data, derive):
    assert derive(data) is derive(data)
    assert derive(load_dataset()) is not derive(data)  # another version: its own
