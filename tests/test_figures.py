"""Headline figures, their provenance and their formatting."""
import datetime as dt
import re

import pytest

from dashboard.formatting import format_money, format_number, qualify
from dashboard.kpis import latest, overview_kpis
from dashboard.loading import load_dataset
from dashboard.provenance import as_of_bounds, format_as_of


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
    assert kpis["kpi.field_teams"].detail == ("Working in 38 municipalities, as sources of 2010–2018 say. "
                                              "For 24 of them this is inferred from their region.")
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
    assert {"2016/2020", "2019"} <= set(eur["as_of"])  # a period that ends later, and a dated year
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


# --- "View data" tables: figures as the page writes them, the CSV exact -------------

def test_a_shown_table_writes_figures_as_the_page_does_and_the_csv_keeps_the_values(data):
    import pandas as pd

    from dashboard.charts import budget_chart, milestones_chart
    from dashboard.export import csv_for_excel
    from dashboard.ui.text import shown_table

    def seen(table, column: str) -> list[str]:  # what a reader sees of each Markdown cell
        return [re.sub(r"\\(.)", r"\1", cell) for cell in table.column(column).to_pylist()]

    spec = budget_chart(data, "sr")
    amounts = seen(shown_table(spec.data, "sr"), "amount")
    assert "17.462.600" in amounts  # not 17,462,600.0000
    assert not any(cell.endswith((",0", ".0")) for cell in amounts)
    assert b"17462600" in csv_for_excel(spec.data)  # the download: the value as it is
    years = seen(shown_table(milestones_chart(data["milestones"], data, "en").data, "en"), "year")
    assert "2019" in years and not any("," in y for y in years)
    # text is escaped as before; a missing figure is an empty cell, not "nan" or "<NA>"
    frame = pd.DataFrame({"what": ["**x**", "y"], "value": pd.array([42.6629, None], dtype="Float64")})
    assert shown_table(frame, "sq").to_pandas().to_dict("list") == {"what": ["\\*\\*x\\*\\*", "y"],
                                                                    "value": ["42,6629", ""]}


@pytest.mark.parametrize("lang, texts", [
    ("en", ["17,462,600", "42.6629", "53.9", "1,250", "0"]),
    ("sq", ["17\u00a0462\u00a0600", "42,6629", "53,9", "1\u00a0250", "0"]),
    ("sr", ["17.462.600", "42,6629", "53,9", "1.250", "0"]),
])
def test_figures_as_text_have_every_digit_and_no_more(lang, texts):
    import pandas as pd

    from dashboard.formatting import figures_as_text

    frame = pd.DataFrame({"v": [17462600.0, 42.6629, 53.9, 1250.0, 0.0], "year": [1999, 2019, 2024, 2000, 2100],
                          "ok": [True] * 5})
    shown = figures_as_text(frame, lang)
    assert shown["v"].tolist() == texts
    assert shown["year"].tolist() == ["1999", "2019", "2024", "2000", "2100"]
    assert shown["ok"].tolist() == [True] * 5
    assert frame["v"].tolist() == [17462600.0, 42.6629, 53.9, 1250.0, 0.0]  # the frame itself untouched


def test_every_year_field_of_the_package_is_written_as_a_year():
    """YEAR_COLUMNS against the descriptor: a new year field would otherwise be
    shown grouped (2,019)."""
    import json

    from dashboard.formatting import YEAR_COLUMNS
    from dashboard.paths import DATA_DIR

    fields = [f for r in json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))["resources"]
              for f in r["schema"]["fields"] if f["type"] in ("integer", "number")]
    years = {f["name"] for f in fields if f.get("description", "").startswith("The year")}
    assert years == {"year", "term_start", "term_end"}  # (the check finds them)
    assert years <= YEAR_COLUMNS
    assert not YEAR_COLUMNS & ({f["name"] for f in fields} - years)


def test_a_shown_table_is_made_once_per_frame_and_language():
    import pandas as pd

    from dashboard.ui.text import shown_table

    frame = pd.DataFrame({"n": [1250]})
    assert shown_table(frame, "sr") is shown_table(frame, "sr")
    assert shown_table(frame, "en").column("n").to_pylist() == ["1,250"]
    assert shown_table(frame, "sr").column("n").to_pylist() == ["1\\.250"]  # (Markdown: 1.250)


def test_page_blocks_name_the_argument_they_refuse(data):
    import pandas as pd

    from dashboard.charts import budget_chart
    from dashboard.ui.figures import chart_block, collapsed_table, kpi_cards

    with pytest.raises(ValueError, match="level must be one of"):
        chart_block(budget_chart(data, "en"), "en", level=4)
    with pytest.raises(ValueError, match="first must be at least 1"):
        kpi_cards(overview_kpis(data), "en", first=0)
    with pytest.raises(ValueError, match="counting must be"):
        collapsed_table("t", pd.DataFrame({"a": [1]}), "Title", "en", counting="bytes")
