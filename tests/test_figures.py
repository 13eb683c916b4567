"""Headline figures, their provenance and their formatting."""
import pytest

from dashboard.formatting import format_money, format_number, qualify
from dashboard.kpis import latest, overview_kpis
from dashboard.loading import load_dataset
from dashboard.provenance import as_of_bounds, format_as_of
import datetime as dt


@pytest.fixture(scope="module")
def data():
    return load_dataset()


def test_overview_kpis_are_the_sourced_figures(data):
    kpis = {k.key: k for k in overview_kpis(data)}
    assert kpis["kpi.staff"].display_value() == "503"
    assert kpis["kpi.staff"].detail == "116 international, 387 local"
    assert kpis["kpi.staff"].source.id == "factsheet"
    assert kpis["kpi.budget"].display_value() == "€17,462,600"
    assert kpis["kpi.budget"].as_of == "2019"
    assert kpis["kpi.regional_centres"].display_value() == "5"
    assert kpis["kpi.field_teams"].display_value() == "over 30"
    assert kpis["kpi.field_teams"].detail == "0 with a location on the map"
    assert kpis["kpi.reports"].display_value() == "over 280"
    assert kpis["kpi.court_cases"].display_value() == "about 25,735"
    assert kpis["kpi.court_cases"].caption().startswith("Source: 25 Years Together")


def test_every_kpi_names_its_source_and_date(data):
    for kpi in overview_kpis(data):
        assert kpi.source is not None and kpi.as_of, kpi.key
        assert "as of" in kpi.caption()


def test_kpis_without_rows_say_so_instead_of_inventing(empty_data_dir):
    for kpi in overview_kpis(load_dataset(empty_data_dir)):
        assert kpi.value is None
        assert kpi.display_value() == "No sourced figure"
        assert "nothing is estimated" in kpi.caption()


def test_latest_prefers_a_dated_figure_over_an_older_period(data):
    budget = data["budget"]
    eur = budget[(budget["currency"] == "EUR") & (budget["category"] == "unified_budget")]
    assert set(eur["as_of"]) == {"2016/2020", "2019"}
    assert latest(eur)["as_of"] == "2019"


@pytest.mark.parametrize("value, start, end", [
    ("2019", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
    ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
    ("2023-12", dt.date(2023, 12, 1), dt.date(2023, 12, 31)),
    ("2010-08-01", dt.date(2010, 8, 1), dt.date(2010, 8, 1)),
    ("2016/2020", dt.date(2016, 1, 1), dt.date(2020, 12, 31)),
])
def test_as_of_bounds(value, start, end):
    assert as_of_bounds(value) == (start, end)


@pytest.mark.parametrize("value, text", [
    ("2019", "2019"), ("2024-06", "June 2024"), ("2010-08-01", "1 August 2010"), ("2016/2020", "2016–2020"),
])
def test_as_of_reads_naturally(value, text):
    assert format_as_of(value) == text


def test_numbers_and_amounts_are_formatted_for_europeans():
    assert format_number(25735) == "25,735"
    assert format_money(17510500, "EUR") == "€17,510,500"
    assert format_money(17510500, "EUR", "sq") == "17\u00a0510\u00a0500\u00a0€"
    assert format_money(17510500, "EUR", "sr") == "17.510.500\u00a0€"
    assert format_money(12.5, "EUR") == "€12.50"


@pytest.mark.parametrize("qualifier, text", [
    ("exact", "280"), ("more_than", "over 280"), ("approximately", "about 280"), ("at_least", "at least 280"),
])
def test_qualifiers_are_shown_honestly(qualifier, text):
    assert qualify("280", qualifier) == text
