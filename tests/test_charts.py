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
    drawn = spec.chart.to_dict()
    encoding = drawn["encoding"] if "encoding" in drawn else drawn["layer"][0]["encoding"]  # a line's, under its labels
    return [encoding[ch].get("title") or encoding[ch].get("axis", {}).get("title")
            for ch in ("x", "y") if encoding[ch].get("title") or encoding[ch].get("axis", {}).get("title")]


def test_staff_over_time_plots_the_dated_staff_counts_and_the_sources_totals(data):
    spec = charts.staffing_chart(data)
    assert spec.chart is not None
    dated = data["staffing"][(data["staffing"]["measure"] == "staff") & data["staffing"]["as_of"].map(charts.is_dated)]
    assert len(spec.data) == len(dated)
    # The 2020 total is a source's own figure (504, ecoi.net), drawn alone: never a sum.
    assert ("total", "2020-06-02", 504) in set(zip(spec.data["category"], spec.data["as_of"], spec.data["value"]))
    assert set(spec.data["category"]) == {"international", "local", "total"}
    assert "Staff (people)" in axis_titles(spec) and "As of (year)" in axis_titles(spec)
    assert "The first six months" in spec.caption and "Review of Political Missions 2010" in spec.caption
    assert "not comparable" in spec.caption  # staff are people, posts are positions


@pytest.fixture(scope="module")
def one_dated_budget(data):
    """The budget as it stood with one dated euro figure (2019) and undated or other ones."""
    budget = data["budget"]
    keep = (budget["as_of"] == "2019") | (budget["currency"] != "EUR") | ~budget["as_of"].map(charts.is_dated) \
        | (budget["category"] != "unified_budget")
    return dataclasses.replace(data, tables={**data.tables, "budget": budget[keep]})


def test_budget_with_one_dated_figure_draws_no_trend(one_dated_budget):
    spec = charts.budget_chart(one_dated_budget)
    assert spec.chart is None
    assert "Fewer than two dated figures" in spec.reason
    assert spec.data["amount"].tolist() == [17462600.0]


def test_budget_trend_appears_once_there_are_two_dated_years(one_dated_budget):
    budget = one_dated_budget["budget"]
    extra = budget[budget["as_of"] == "2019"].assign(as_of="2018", amount=1.0)  # synthetic row
    more = dataclasses.replace(one_dated_budget, tables={**one_dated_budget.tables,
                                                         "budget": pd.concat([budget, extra])})
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

    at = AppTest.from_function(_draw_both, args=(view, lang), default_timeout=60).run()
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


# --- the conventions every chart follows -------------------------------------------

def _all_chart_specs(data, lang="en"):
    from dashboard import elections, monitoring
    from dashboard.embeds import CHART_VIEWS

    specs = [view(data, lang) for view in CHART_VIEWS.values()]
    specs += [charts.heads_of_mission_chart(data, 2026, lang)]
    specs += [build(data, lang) for build in (monitoring.department_chart, monitoring.court_chart,
                                              monitoring.period_chart)]
    specs += [c for section in elections.sections(data, lang) for c in section.charts]
    return [s for s in specs if s.chart is not None]


def _layers(chart_dict):
    return chart_dict.get("layer", [chart_dict])


@pytest.mark.parametrize("top, expected", [(504, (600, 200)), (1000, (1000, 200)), (36, (40, 10)),
                                           (7000, (8000, 2000)), (3, (3, 1)), (1_500_000, (1_500_000, 500_000)),
                                           (781, (800, 200))])
def test_value_axes_end_at_a_round_number_just_above_the_data(top, expected):
    assert charts.nice_scale(top) == expected
    assert charts.nice_scale(79, percent=True) == (100, 20)


def test_year_ticks_are_whole_years_each_once():
    assert charts.year_ticks(2000, 2006) == [2000, 2002, 2004, 2006]
    assert charts.year_ticks(2018, 2019) == [2018, 2019]
    assert charts.year_ticks(1999, 2027) == [2000, 2005, 2010, 2015, 2020, 2025]


def test_every_value_axis_ends_at_the_rounded_maximum_with_at_most_five_gridlines(data):
    for spec in _all_chart_specs(data):
        chart = spec.chart.to_dict()
        for layer in _layers(chart):
            for channel in ("x", "y"):
                encoding = layer.get("encoding", {}).get(channel, {})
                if encoding.get("type") != "quantitative" or "scale" not in encoding:
                    continue
                start, end = encoding["scale"]["domain"]
                value = next((c for c in ("value", "amount") if c in spec.data), None)
                top = float(spec.data[value].max() if value
                            else spec.data.groupby("year")["milestones"].sum().max())  # stacked
                if len(_layers(chart)) > 1 and _layers(chart)[0]["mark"]["type"] == "line":
                    top *= charts.LABEL_ROOM  # each figure written over its point: room for the top one
                unit = spec.data["unit"].iloc[0] if "unit" in spec.data else ""
                percent = isinstance(unit, str) and unit.startswith("%")
                assert start == 0 and end >= top, spec.key
                assert (end == 100) if percent else (end < top * 1.25 or end - top <= charts.nice_scale(top)[1]), \
                    (spec.key, end, top)
                ticks = encoding.get("axis", {}).get("values")
                assert ticks is None or len(ticks) <= charts.MOST_GRIDLINES + 1, spec.key


def test_time_axes_tick_whole_years_each_once(data):
    for spec in _all_chart_specs(data):
        for layer in _layers(spec.chart.to_dict()):
            encoding = layer.get("encoding", {}).get("x", {})
            if encoding.get("type") == "temporal":
                years = [v["year"] for v in encoding["axis"]["values"]]
                assert years == sorted(set(years)) and len(years) <= 6, spec.key
                assert encoding["axis"]["format"] == "%Y"


def _contrast(colour: str, background: str = "#FFFFFF") -> float:
    def luminance(c):
        linear = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
                  for v in (int(c[i:i + 2], 16) / 255 for i in (1, 3, 5))]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(colour), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("lang, thousands, decimal", [("en", ",", "."), ("sq", "\u00a0", ","), ("sr", ".", ",")])
def test_every_chart_reads_in_the_languages_numbers_with_readable_axis_text(data, lang, thousands, decimal):
    for spec in _all_chart_specs(data, lang):
        config = spec.chart.to_dict()["config"]
        number = config["locale"]["number"]
        assert (number["thousands"], number["decimal"]) == (thousands, decimal), spec.key
        for part in ("axis", "legend"):
            assert _contrast(config[part]["labelColor"]) >= 4.5 and _contrast(config[part]["titleColor"]) >= 4.5
            assert config[part]["labelLimit"] == 0  # nothing cut: long labels are wrapped instead


def test_long_labels_wrap_instead_of_being_cut(data):
    spec = charts.heads_of_mission_chart(data, current_year=2026)
    chart = spec.chart.to_dict()
    assert chart["encoding"]["y"]["axis"]["labelExpr"] == charts.WRAPPED
    rows = next(iter(chart["datasets"].values()))
    assert "Jean-Claude\nSchlumberger" in [r["name_lines"] for r in rows]
    assert charts.wrap("2007 · Kosovo Assembly, municipal and mayoral elections") == \
        "2007 · Kosovo Assembly,\nmunicipal and mayoral\nelections"


def test_bar_labels_sit_inside_long_bars_and_after_short_ones(data):
    spec = charts.staffing_split_chart(data)
    chart = spec.chart.to_dict()
    rows = next(iter(chart["datasets"].values()))
    inside = {r["category"]: r["inside"] for r in rows}
    assert inside == {"international": False, "local": True}  # 116 and 387 on an axis to 400
    filters = [layer.get("transform", [{}])[0].get("filter") for layer in chart["layer"]]
    assert filters == [None, "datum.inside", "!datum.inside"]
    # The value axis gives way to the labels but keeps its title (the unit).
    axis = chart["layer"][0]["encoding"]["x"]["axis"]
    assert axis["labels"] is False and axis["title"] == "Posts (number)"


def test_turnout_runs_from_0_to_100_percent(data):
    from dashboard import elections

    turnout = next(c for s in elections.sections(data) for c in s.charts if c.key.endswith("_turnout"))
    x = turnout.chart.to_dict()["layer"][0]["encoding"]["x"]
    assert x["scale"]["domain"] == [0, 100]
    rows = next(iter(turnout.chart.to_dict()["datasets"].values()))
    assert rows[0]["figure"] == "79%"


def test_a_stacked_chart_has_at_most_four_colours_and_other(data):
    spec = charts.milestones_chart(data["milestones"], data)
    colour = spec.chart.to_dict()["encoding"]["color"]["scale"]
    assert len(colour["domain"]) == charts.MOST_COLOURS + 1 and colour["domain"][-1] == "Other themes"
    assert spec.data["milestones"].sum() == len(data["milestones"])  # the CSV keeps every theme
    assert set(spec.data["theme"]) == set(data["milestones"]["theme"])
