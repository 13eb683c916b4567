"""Figures as tables for people (``dashboard.display_tables``)."""
import pandas as pd
import pytest

from dashboard.charts import budget_chart, staffing_split_chart
from dashboard.display_tables import figures_table, plotted_table
from dashboard.loading import load_dataset


@pytest.fixture(scope="module")
def data():
    return load_dataset()


def test_figures_table_keeps_the_sources_hedges(data):
    table = figures_table(data, "staffing")
    assert "over 450" in table["Figure"].tolist()
    assert "about 700" in table["Figure"].tolist()
    budget = figures_table(data, "budget")
    assert "about US$30,300,000" in budget["Figure"].tolist()
    indicators = figures_table(data, "indicators")
    assert "about 25,735 cases" in indicators["Figure"].tolist()
    assert "1999–2024" in indicators["Period"].tolist()


def test_an_unknown_table_name_is_refused_by_name(data):
    # It used to be labelled as indicators, silently.
    with pytest.raises(ValueError, match=r"^name must be one of 'staffing', 'budget', 'indicators', 'elections'; "
                                         r"got 'offices'$"):
        figures_table(data, "offices")


def test_units_and_names_are_the_teams_translations_while_the_data_matches(data):
    from dashboard.display_tables import unit_key, unit_text
    from dashboard.kpis import indicator_label

    assert unit_key("% of judges") == "unit.percent_of_judges"
    assert unit_text("officers", "sr") == "policajci" and unit_text("officers", "en") == "officers"
    assert unit_text("a unit nobody translated", "sq") == "a unit nobody translated"
    figures = figures_table(data, "indicators", "sr").iloc[:, 1].tolist()  # the "Figure" column
    assert any(f.endswith("25.735 predmeti") for f in figures) and not any(f.endswith(" cases") for f in figures)
    row = data["indicators"][data["indicators"]["indicator"] == "police_officers_trained"].iloc[0]
    assert indicator_label(row, "sq").startswith("Zyrtarë policorë të trajnuar")
    # Once staff change the English label, the old translation no longer fits: English, marked.
    changed = row.copy()
    changed["label_en"] = "Police officers trained (revised)"
    assert indicator_label(changed, "sr") == "Police officers trained (revised) (samo na engleskom)"
    election = data["elections"].iloc[0]
    assert indicator_label(election, "sr") == "Lokalni izbori na Kosovu"


def test_serbian_dates_close_without_a_second_full_stop():
    from dashboard.provenance import format_as_of

    assert format_as_of("2010-08-01", "sr") == "1. avgust 2010"
    assert format_as_of("2010-08-01", "en") == "1 August 2010"


@pytest.mark.parametrize("lang, header, international, hedge", [
    ("en", ["What", "Figure", "As of", "Source"], "International", "about €18,900,000"),
    ("sq", ["Treguesi", "Shifra", "Gjendja më", "Burimi"], "Ndërkombëtar", None),
    ("sr", ["Pokazatelj", "Vrednost", "Stanje na dan", "Izvor"], "Međunarodno", None),
])
def test_what_a_chart_plots_reads_in_the_language_not_in_the_data_packages_codes(data, lang, header, international,
                                                                              hedge):
    """A chart's "View data": headings, categories and hedges in the reader's
    language, a source by its title; its CSV keeps the codes (``ChartSpec.data``)."""
    split = staffing_split_chart(data, lang)
    table = plotted_table(split.data, data, lang)
    assert list(table.columns) == header
    assert table.iloc[0, 0] == international and table.iloc[0, 1] == "116"
    assert table.iloc[0, 3] == "OSCE Mission in Kosovo (fact sheet)"
    assert "category" in split.data.columns and split.data["category"].iloc[0] == "international"  # the CSV's
    budget = plotted_table(budget_chart(data, lang).data, data, lang)
    codes = {"as_of", "amount", "currency", "qualifier", "source_id", "approximately", "exact", "EUR"}
    assert not codes & ({*budget.columns} | {*budget.to_numpy().ravel()})
    if hedge:
        assert hedge in budget["Figure"].tolist()


def test_a_plotted_table_shows_only_the_columns_its_chart_has_and_unknown_codes_as_written(data):
    frame = pd.DataFrame({"year": [1999], "theme": ["not_a_theme"], "milestones": [3]})
    assert plotted_table(frame, data, "en").to_dict("records") == [{"What": "not_a_theme", "Figure": "3",
                                                                    "As of": "1999"}]
