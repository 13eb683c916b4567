"""Chart builders: honest trends, units on axes, sources in captions."""
import dataclasses

import pandas as pd
import pytest

from dashboard import charts
from dashboard.loading import load_dataset


@pytest.fixture(scope="module")
def data():
    return load_dataset()


def axis_titles(spec) -> list[str]:
    encoding = spec.chart.to_dict()["encoding"]
    return [encoding[ch]["title"] for ch in ("x", "y") if encoding[ch].get("title")]


def test_staff_over_time_plots_the_dated_staff_counts(data):
    spec = charts.staffing_chart(data)
    assert spec.chart is not None
    assert sorted(spec.data["as_of"]) == ["1999-12", "1999-12", "2000-08-04", "2000-08-04", "2010-08-01", "2010-08-01"]
    assert set(spec.data["category"]) == {"international", "local"}
    assert "Staff (people)" in axis_titles(spec) and "As of (year)" in axis_titles(spec)
    assert "The first six months" in spec.caption and "Review of Political Missions 2010" in spec.caption


def test_budget_with_one_dated_figure_draws_no_trend(data):
    spec = charts.budget_chart(data)
    assert spec.chart is None
    assert "Fewer than two dated figures" in spec.reason
    assert spec.data["amount"].tolist() == [17462600.0]


def test_budget_trend_appears_once_there_are_two_dated_years(data):
    budget = data["budget"]
    extra = budget[budget["as_of"] == "2019"].assign(as_of="2018", amount=1.0)  # synthetic row
    more = dataclasses.replace(data, tables={**data.tables, "budget": pd.concat([budget, extra])})
    spec = charts.budget_chart(more)
    assert spec.chart is not None and len(spec.data) == 2
    assert "Budget (euros)" in axis_titles(spec)


def test_indicator_trend_needs_two_dated_points(data):
    assert charts.indicator_chart(data, "police_officers_trained").chart is not None
    single = charts.indicator_chart(data, "reports_produced")
    assert single.chart is None and len(single.data) == 1


def test_latest_split_of_posts(data):
    spec = charts.staffing_split_chart(data)
    assert dict(zip(spec.data["category"], spec.data["value"])) == {"international": 116, "local": 387}


def test_heads_of_mission_chart_has_all_eight_and_a_running_term(data):
    spec = charts.heads_of_mission_chart(data, current_year=2026)
    assert len(spec.data) == 8
    values = spec.chart.to_dict()["datasets"]
    rows = next(iter(values.values()))
    davenport = next(r for r in rows if r["name"] == "Michael Davenport")
    assert davenport["term"] == "2021–present" and davenport["end"].startswith("2026-12-31")


def test_milestones_chart_counts_per_year_and_theme(data):
    spec = charts.milestones_chart(data["milestones"], data)
    assert spec.data["milestones"].sum() == len(data["milestones"])
    only_2000 = data["milestones"][data["milestones"]["year"] == 2000]
    assert charts.milestones_chart(only_2000, data).chart is None


def test_palettes_are_the_colour_blind_safe_ones():
    assert charts.PALETTE[:3] == ["#332288", "#CC6677", "#117733"]  # Paul Tol, muted


def test_empty_data_gives_reasons_not_charts(empty_data_dir):
    empty = load_dataset(empty_data_dir)
    for spec in (charts.staffing_chart(empty), charts.budget_chart(empty), charts.staffing_split_chart(empty),
                 charts.heads_of_mission_chart(empty, 2026), charts.milestones_chart(empty["milestones"], empty)):
        assert spec.chart is None and spec.reason
        assert spec.data.empty


# --- once per data version: memoised builders, the Vega-Lite spec made once ------

def _draw_both(view: str, lang: str) -> None:
    import streamlit as st

    from dashboard.cache import dataset
    from dashboard.embeds import chart_for

    spec = chart_for(view, dataset(), lang)
    st.altair_chart(spec.chart, width="stretch")
    st.vega_lite_chart(spec.vega_lite, width="stretch")
    st.vega_lite_chart(spec.vega_lite, width="stretch")  # the shared spec, drawn again


def _chart_views():
    from dashboard.embeds import CHART_VIEWS

    data = load_dataset()
    return [view for view in CHART_VIEWS if CHART_VIEWS[view](data, "en").chart is not None]


@pytest.mark.parametrize("lang", ["en", "sq"])
@pytest.mark.parametrize("view", _chart_views())
def test_the_cached_vega_lite_spec_draws_what_altair_chart_draws(view, lang):
    # ui.chart_block draws spec.vega_lite with st.vega_lite_chart: the browser must
    # get the very message st.altair_chart(spec.chart) sends (spec, Arrow data, theme).
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_draw_both, args=(view, lang)).run()
    assert not at.exception
    altair, cached, again = [e.proto for e in at.get("vega_lite_chart")]
    assert altair.spec and altair.datasets
    assert cached == altair and again == altair


@pytest.mark.parametrize("build, args", [
    (charts.staffing_chart, ("sq",)),
    (charts.staffing_split_chart, ()),
    (charts.budget_chart, ("en",)),
    (charts.indicator_chart, ("police_officers_trained", "sr")),
    (charts.heads_of_mission_chart, (2026, "en")),
    (charts.themes_milestones_chart, (("justice",), "sq")),
])
def test_charts_are_built_once_per_data_version_and_view(build, args):
    data = load_dataset()
    spec = build(data, *args)
    assert build(data, *args) is spec
    assert spec.vega_lite is spec.vega_lite  # converted once
    other_language = build(data, *args[:-1], "sr" if args[-1:] != ("sr",) else "en")
    assert other_language is not spec
    # Another version of the data (a Dataset is one) is built anew.
    new_version = dataclasses.replace(data, tables=dict(data.tables))
    assert build(new_version, *args) is not spec


def test_defaults_count_as_given():
    data = load_dataset()
    assert charts.staffing_chart(data) is charts.staffing_chart(data, "en") is charts.staffing_chart(data, lang="en")


def test_milestones_of_chosen_themes(data):
    spec = charts.themes_milestones_chart(data, ("justice",), "en")
    assert set(spec.data["theme"]) == {"justice"}
    assert spec.data["milestones"].sum() == (data["milestones"]["theme"] == "justice").sum()
    everything = charts.themes_milestones_chart(data, (), "en")
    assert everything.data["milestones"].sum() == len(data["milestones"])
