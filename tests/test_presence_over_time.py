"""Presence over time: which years the map offers, what a year shows (only what the
data says for it), the year control and its link."""
import dataclasses

import pandas as pd
import pytest

from conftest import run_page
from dashboard.i18n import languages
from dashboard.loading import load_dataset
from dashboard.maps import map_html, presence_map
from dashboard.presence_over_time import NOW, map_note, offices_in, presence_years, year_options, year_view


@pytest.fixture(scope="module")
def data():
    return load_dataset()


def replaced(data, name, frame):
    return dataclasses.replace(data, tables={**data.tables, name: frame})


def with_rows(data, name, **changes_by_row):
    """``data`` with rows appended to table ``name``, each a copy of its first row
    with the given cells changed (test-only rows)."""
    table = data[name]
    rows = [table.iloc[[0]].assign(**cells) for cells in changes_by_row.values()]
    return replaced(data, name, pd.concat([table, *rows], ignore_index=True))


def test_the_control_offers_now_then_every_year_the_data_covers(data):
    # 1999: the first six months; 2002: the restructuring; 2016-2020: the fact sheet
    # (offices, regional centres, field teams); 2023: municipalities covered; 2024: the
    # booklet's named offices. No year the data is silent about (2021, 2022).
    assert year_options(data) == [NOW, "1999", "2002", "2016", "2017", "2018", "2019", "2020", "2023", "2024"]


@pytest.mark.parametrize("as_of, years", [("2010", ["2010"]), ("2010-05", ["2010"]), ("2010-05-03", ["2010"]),
                                          ("2009-11/2011-02", ["2009", "2010", "2011"])])
def test_a_dated_office_adds_the_years_it_covers(data, as_of, years):
    dated = with_rows(data, "offices", team={"id": "ft-x", "kind": "field_team", "as_of": as_of})
    assert set(presence_years(dated)) - set(presence_years(data)) == set(years)
    assert "ft-x" in set(offices_in(dated, years[-1])["id"])


def test_figures_of_other_groups_add_no_year(data):
    # the court figures of 2014 say nothing about offices
    assert "2014" not in presence_years(data)
    assert (data["indicators"]["period"].str.startswith("2014")).any()


def test_1999_gives_counts_only_and_says_their_places_are_not_listed(data):
    view = year_view(data, "1999")
    assert [line.text for line in view.counts] == [
        "Field offices: 15 (OSCE Mission in Kosovo: The first six months, July-December 1999, December 1999); "
        "their places are not listed.",
        "Regional centres: 5 (OSCE Mission in Kosovo: The first six months, July-December 1999, December 1999); "
        "their places are not listed.",
    ]
    assert view.named == [] and view.offices.empty
    assert map_note(view) == "The data dates no office's location to 1999, so the map shows no offices for that year."
    assert "L.circleMarker(" not in map_html(presence_map(data, year="1999"))


def test_2002_shows_both_structures_with_their_notes(data):
    view = year_view(data, "2002")
    assert [line.text.split(":")[0] for line in view.counts] == [
        "Field offices and regional centres",
        "Offices, regional centres included (not comparable with the field offices counted without them)"]
    assert all(line.text.endswith("their places are not listed.") for line in view.counts)
    assert "satellite office in Dragash/Dragas" in view.counts[1].note


@pytest.mark.parametrize("year", ["2016", "2018", "2020"])
def test_the_fact_sheet_years_place_its_offices_and_not_its_unlisted_field_teams(data, year):
    view = year_view(data, year)
    regional, teams = view.counts
    assert regional.text == "Regional centres: 5 (OSCE Mission in Kosovo (fact sheet), 2016–2020)"
    assert teams.text == ("Field teams in municipalities: over 30 (OSCE Mission in Kosovo (fact sheet), 2016–2020); "
                          "their places are not listed.")
    assert set(view.offices["id"]) == {"hq", "rc-gjilan", "rc-mitrovica", "rc-peja", "rc-prishtina", "rc-prizren"}
    assert [line.text.split(",")[0] for line in view.named] == ["Headquarters", "Regional centres"]
    assert map_html(presence_map(data, year=year)).count("L.circleMarker(") == 6


def test_2024_lists_the_places_the_booklet_names_and_draws_no_office(data):
    view = year_view(data, "2024")
    assert view.counts == [] and view.offices.empty
    assert [line.text for line in view.named] == [
        "Headquarters, as named in 25 Years Together: OSCE Mission in Kosovo 1999-2024 (25th-anniversary "
        "booklet), 2024: Prishtinë/Priština",
        "Regional offices, as named in 25 Years Together: OSCE Mission in Kosovo 1999-2024 (25th-anniversary "
        "booklet), 2024: Gjilan/Gnjilane, Mitrovicë/Mitrovica, Pejë/Peć, Prizren, Prishtinë/Priština",
    ]


def test_a_field_team_dated_for_the_year_lists_the_field_teams_places(data):
    dated = with_rows(data, "offices", team={"id": "ft-dragash", "kind": "field_team", "name_en": "Field Team Dragash",
                                             "municipality_code": "dragash", "lat": pd.NA, "lon": pd.NA})
    teams = year_view(dated, "2018").counts[1]
    assert not teams.text.endswith("their places are not listed.")
    assert "Field teams, as named in OSCE Mission in Kosovo (fact sheet), 2016–2020: Field Team Dragash" in \
        [line.text for line in year_view(dated, "2018").named]
    # drawn, at its municipality's seat
    assert "[42.0265, 20.65333]" in map_html(presence_map(dated, year="2018"))


def test_now_is_every_office_whatever_its_date(data):
    dated = with_rows(data, "offices", old={"id": "ft-old", "kind": "field_team", "as_of": "2001"})
    assert len(offices_in(dated, NOW)) == len(dated["offices"])
    assert "ft-old" not in set(offices_in(dated, "2018")["id"])
    assert map_html(presence_map(dated)).count("L.circleMarker(") == 7


@pytest.mark.parametrize("lang", languages())
@pytest.mark.parametrize("year", ["1999", "2018", "2024"])
def test_every_year_reads_in_every_language(data, lang, year):
    view = year_view(data, year, lang)
    assert view.counts or view.named
    assert map_note(view, lang)


# --- the page ----------------------------------------------------------------------

def test_the_default_is_the_current_presence_with_no_year_panel():
    at = run_page("map")
    assert at.session_state["year"] == NOW
    assert "year" not in at.query_params
    assert not [m for m in at.markdown if "what the sources say" in m.value]


def test_a_year_link_opens_that_year_and_keeps_it_in_the_url():
    at = run_page("map", year="1999")
    assert at.session_state["year"] == "1999"
    assert at.query_params["year"] in ("1999", ["1999"])
    text = "\n".join(m.value for m in at.markdown)
    assert "1999\\: what the sources say about the presence" in text
    assert "Field offices\\: 15" in text and "their places are not listed" in text
    assert any("shows no offices for that year" in c.value for c in at.caption)


def test_choosing_a_year_writes_it_to_the_link_and_now_removes_it():
    at = run_page("map")
    assert at.pills(key="year").label == "Year"
    at.pills(key="year").set_value("2002").run()
    assert at.query_params["year"] in ("2002", ["2002"])
    assert any("Field offices and regional centres" in m.value for m in at.markdown)
    at.pills(key="year").set_value(NOW).run()
    assert "year" not in at.query_params


@pytest.mark.parametrize("bad", ["1850", "2021", "now2", "<b>x</b>", "2018/2019"])
def test_an_unknown_year_falls_back_to_now_with_the_escaped_notice(bad):
    at = run_page("map", year=bad)
    assert at.session_state["year"] == NOW
    notices = [c.value for c in at.caption if 'The link\'s "year" value' in c.value]
    assert len(notices) == 1
    assert "<b>" not in notices[0]


# --- escaping (the contract of tests/test_injection.py) ----------------------------------

from test_injection import URL_PAYLOADS, assert_shown_as_text, hostile_data, hostile_dir  # noqa: E402,F401


@pytest.mark.usefixtures("hostile_data")
@pytest.mark.parametrize("year", ["1999", "2002", "2018", "2024"])
def test_a_year_view_of_hostile_data_is_shown_as_text(year):
    at = run_page("map", year=year)
    assert any("what the sources say" in m.value for m in at.markdown)  # the panel is there to check
    assert_shown_as_text(at)


@pytest.mark.parametrize("payload", URL_PAYLOADS)
def test_a_hostile_year_in_the_link_is_shown_as_text(payload):
    at = run_page("map", year=payload)
    assert at.session_state["year"] == NOW
    assert_shown_as_text(at)
