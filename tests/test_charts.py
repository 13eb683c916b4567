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
