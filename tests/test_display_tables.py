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
