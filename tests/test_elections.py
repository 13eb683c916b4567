"""The Elections page and the court-monitoring charts: a chart only where two or
more figures compare, every figure once with its source and date, nothing derived."""
import pandas as pd
import pytest

from conftest import run_page
from dashboard import elections, monitoring
from dashboard.charts import figures_bar_chart
from dashboard.loading import load_dataset


@pytest.fixture(scope="module")
def data():
    return load_dataset()


@pytest.fixture(scope="module")
def parts(data):
    return {s.key: s for s in elections.sections(data)}


def plotted(section, measure):
    return next(c for c in section.charts if c.key.endswith(f"_{measure}"))


def test_sections_follow_the_missions_role(parts):
    assert list(parts) == ["organised_kosovo", "facilitated_serbia", "not_facilitated_serbia", "facilitated_kosovo"]
    assert parts["organised_kosovo"].title == "Kosovo elections the Mission organised (2000–2007)"
    assert parts["facilitated_serbia"].title == "Serbian elections the Mission facilitated in Kosovo (2012–2017)"


@pytest.mark.parametrize("key, measures", [
    ("organised_kosovo", ["electorate", "voters", "turnout"]),
    ("facilitated_serbia", ["electorate", "polling_stations", "polling_centres"]),
    ("facilitated_kosovo", ["staff_deployed"]),
    ("not_facilitated_serbia", []),
])
def test_a_measure_is_charted_where_two_or_more_elections_have_it(parts, key, measures):
    charts = parts[key].charts
    assert [c.key for c in charts] == [f"elections_{key}_{m}" for m in measures]
    assert all(c.chart is not None and c.data["item"].nunique() >= 2 for c in charts)


def test_the_turnout_chart_plots_the_sources_figures_and_nothing_else(parts):
    spec = plotted(parts["organised_kosovo"], "turnout")
    assert spec.data["value"].tolist() == [79, 63, 53.9, 53, 31]
    assert spec.data["item"].iloc[-1] == "2007 · Mayoral elections in Kosovo, second round"
    assert "Head of Mission reports on successful Kosovo elections" in spec.caption
    assert "Kosovo election results announced (B92/Beta, 15 December 2007), as of 8 December 2007" in spec.caption


def test_the_serbian_electorate_is_three_elections_exactly_as_published(parts):
    spec = plotted(parts["facilitated_serbia"], "electorate")
    assert spec.data["value"].tolist() == [109113, 107958, 106094]
    assert set(spec.data["qualifier"]) == {"exact"}


def test_every_figure_is_shown_once_in_a_chart_or_a_table(data, parts):
    rows = data["elections"]
    shown = sum(len(c.data) for s in parts.values() for c in s.charts) + sum(len(s.others) for s in parts.values())
    statements = sum(len(s.statements) for s in parts.values())
    assert shown + statements == len(rows)
    for section in parts.values():  # a charted measure is not listed again
        assert not {c.title for c in section.charts} & set(section.others["What"])


def test_other_figures_carry_election_date_source_and_as_of(parts):
    others = parts["organised_kosovo"].others
    assert list(others.columns) == ["Election", "Polling day", "What", "Figure", "As of", "Source", "Note"]
    women = others[others["What"] == "Women elected"].iloc[0]
    assert (women["Figure"], women["Polling day"]) == ("262 women", "26 October 2002")
    assert "Turnout (% of the electorate)" not in set(others["What"])  # charted, not repeated


def test_the_2022_gap_is_told_in_the_sources_words(parts):
    said = parts["not_facilitated_serbia"].statements
    assert [s.title for s in said] == ["Serbian constitutional referendum, 16 January 2022",
                                       "Serbian parliamentary and presidential elections, 3 April 2022"]
    assert "it has not proved possible for the Mission to conduct such an operation" in said[0].note
    assert all(s.caption.startswith("Source: ") for s in said)


def test_in_other_languages_english_text_from_the_data_is_marked(data):
    section = next(s for s in elections.sections(data, "sq") if s.key == "not_facilitated_serbia")
    assert section.statements[0].note.endswith(")") and "(" in section.statements[0].note
    assert section.title.startswith("Votimet e Serbisë")


@pytest.mark.parametrize("rows, items, drawn", [
    ([("a", 5)], ["one"], False), ([("a", 5), ("b", 7)], ["one", "two"], True),
    ([("a", 5), ("b", 7)], ["same", "same"], False), ([], [], False),
])
def test_bars_need_two_items_to_compare(data, rows, items, drawn):
    columns = ["value", "unit", "qualifier", "source_id", "as_of", "id"]
    frame = pd.DataFrame([{"value": v, "unit": "x", "qualifier": "exact", "source_id": "factsheet", "as_of": "2020",
                           "id": i} for i, v in rows], columns=columns)
    spec = figures_bar_chart(frame, data, "k", "Title", items, "Value")
    assert (spec.chart is not None) == drawn
    assert (spec.reason is None) == drawn
    assert spec.data["item"].tolist() == items


def test_two_figures_of_one_election_get_distinct_bars(data):
    rows = data["elections"]
    rows = rows[rows["measure"] == "turnout"].head(2).copy()
    rows["election"] = rows["election"].iloc[0]
    rows["label_en"] = rows["label_en"].iloc[0]
    rows["election_date"] = rows["election_date"].iloc[0]
    spec = elections.measure_chart(rows, data, "x", "turnout")
    assert spec.data["item"].nunique() == 2


# --- court monitoring -----------------------------------------------------------------

def test_departments_chart_has_hearings_and_cases_of_each_department(data):
    spec = monitoring.department_chart(data)
    assert spec.chart is not None and len(spec.data) == 10
    assert set(spec.data["series"]) == {"Hearings monitored", "Cases monitored"}
    serious = spec.data[spec.data["item"] == "Serious Crimes Department"].set_index("series")["value"]
    assert serious.to_dict() == {"Hearings monitored": 781, "Cases monitored": 280}
    assert "January 2016–November 2016" in spec.title


def test_courts_chart_has_the_seven_basic_courts(data):
    spec = monitoring.court_chart(data)
    assert len(spec.data) == 7 and spec.data["value"].max() == 96
    assert "Basic Court of Gjakovë/Đakovica" in set(spec.data["item"])


def test_period_chart_never_draws_a_total_beside_its_parts(data):
    spec = monitoring.period_chart(data)
    assert sorted(spec.data["value"].tolist()) == [763, 1107, 1257, 2191]  # not the 25,735 or 37,311 of 1999–2024
    assert spec.data["item"].iloc[0] == "January 2014–June 2014"


@pytest.mark.parametrize("periods, kept", [
    (["1999/2024", "2014-01/2014-06", "2016-01/2016-11"], ["2014-01/2014-06", "2016-01/2016-11"]),
    (["2014-01/2014-06", "2014-01/2014-06"], ["2014-01/2014-06", "2014-01/2014-06"]),
    (["2014", "2014-03"], ["2014-03"]), (["2014", "2015"], ["2014", "2015"]), ([], []),
])
def test_separate_periods_drop_totals_that_contain_others(periods, kept):
    assert monitoring.separate_periods(pd.DataFrame({"period": periods}))["period"].tolist() == kept


# --- the pages -------------------------------------------------------------------------

def test_the_elections_page_draws_its_charts_and_tells_the_2022_gap():
    at = run_page("elections")
    assert len(at.get("vega_lite_chart")) == 7
    assert [h.value for h in at.header][:2] == ["In short", "Kosovo elections the Mission organised (2000–2007)"]
    text = "\n".join(m.value for m in at.markdown)
    assert "has not proved possible for the Mission to conduct such an operation" in text
    metrics = {m.label: m.value for m in at.metric}
    # "In short" counts what the sections list: four Serbian elections (2012-2017),
    # not a source's "third operation" of April 2016.
    assert [v for label, v in metrics.items() if label.startswith("Serbian elections the Mission facilitated")] == ["4"]
    assert not any(label.startswith("Operations to facilitate Serbian elections") for label in metrics)


def test_in_short_and_the_sections_are_one_count(data, parts):
    cards = elections.summary(data)
    counts = {k.label(): k.display_value() for k in cards if isinstance(k, elections.CountKpi)}
    assert counts == {s.title: str(s.elections) for s in parts.values()}
    serbia = data["elections"][(data["elections"]["kind"] == "facilitated")
                               & (data["elections"]["jurisdiction"] == "serbia")]
    assert parts["facilitated_serbia"].elections == serbia["election"].nunique() == 4
    # The indicators that count the same elections at an earlier date are left to the
    # Reports page; the others stay.
    keys = [k.key for k in cards]
    assert "indicator.serbian_election_facilitation_operations" not in keys
    assert "indicator.voters_facilitated_serbian_elections" in keys
    assert all(k.caption() for k in cards)


@pytest.mark.parametrize("lang, heading", [("sq", "Zgjedhjet"), ("sr", "Izbori")])
def test_the_elections_page_in_other_languages(lang, heading):
    at = run_page("elections", lang=lang)
    assert at.title[0].value == heading
    assert len(at.get("vega_lite_chart")) == 7


def test_the_elections_page_without_election_rows_says_so(empty_data_dir, monkeypatch):
    monkeypatch.setenv("OMIK_DATA_DIR", str(empty_data_dir))
    at = run_page("elections")
    assert any("No election figures in the data yet" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")


def test_reports_chart_court_monitoring_and_fold_the_long_list():
    at = run_page("reports")
    titles = [s.value for s in at.subheader]
    assert any("by court department" in s for s in titles) and any("by Basic Court" in s for s in titles)
    assert len(at.tabs) == 3
    folded = [e for e in at.expander if "figures)" in e.label]
    assert len(folded) == 8 and folded[0].label.startswith("Reports (")
    assert not any(e.proto.expanded for e in folded)


def test_reports_of_one_field_open_its_list_and_skip_other_charts():
    at = run_page("reports", group="governance")
    folded = [e for e in at.expander if "figures)" in e.label]
    assert [e.label for e in folded] == ["Democratization and governance (4 figures)"]
    assert folded[0].proto.expanded and not at.tabs
