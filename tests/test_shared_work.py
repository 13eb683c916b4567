"""Work done once per data version, not per page run: tables shown (escaped and
converted once per frame), sources looked up by id, KPIs memoised per Dataset."""
from __future__ import annotations

import dataclasses
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
