"""Figures as tables for people (``dashboard.display_tables``)."""
import pytest

from dashboard.display_tables import figures_table
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
