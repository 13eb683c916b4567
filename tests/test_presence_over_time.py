"""Presence over time: which years the map offers, what a year shows (only what the
data says for it), the year control and its link."""
import dataclasses

import pandas as pd
import pytest

from conftest import run_page
from dashboard.i18n import languages
from dashboard.loading import load_dataset
from dashboard.maps import map_html, presence_map
from dashboard.presence_over_time import (
    CURRENT_KINDS,
    NOW,
    field_presence,
    map_note,
    offices_in,
    presence_in,
    presence_status,
    presence_text,
    presence_years,
    year_options,
    year_view,
)


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
    # 1999: the first six months; 2000-2001: dated offices; 2002: the restructuring;
    # 2010-2013, 2015, 2018: the municipal profiles' field presence; 2016-2020: the
    # fact sheet (offices, regional centres, field teams); 2023: municipalities covered;
    # 2024: the booklet's named offices. No year the data is silent about (2003-2009,
    # 2014, 2021, 2022).
    assert year_options(data) == [NOW, "1999", "2000", "2001", "2002", "2010", "2011", "2012", "2013", "2015", "2016",
                                  "2017", "2018", "2019", "2020", "2023", "2024"]


@pytest.mark.parametrize("as_of, years", [("2010", ["2010"]), ("2010-05", ["2010"]), ("2010-05-03", ["2010"]),
                                          ("2009-11/2011-02", ["2009", "2010", "2011"])])
def test_a_dated_office_adds_the_years_it_covers(data, as_of, years):
    data = replaced(data, "field_presence", data["field_presence"].iloc[0:0])  # 2010-2013 are the profiles' years
    dated = with_rows(data, "offices", team={"id": "ft-x", "kind": "field_team", "as_of": as_of})
    assert set(presence_years(dated)) - set(presence_years(data)) == set(years)
    assert "ft-x" in set(offices_in(dated, years[-1])["id"])


def test_figures_of_other_groups_add_no_year(data):
    # the court figures of 2014 say nothing about offices
    assert "2014" not in presence_years(data)
    assert (data["indicators"]["period"].str.startswith("2014")).any()


def test_1999_gives_counts_and_the_two_facilities_the_source_places(data):
    view = year_view(data, "1999")
    assert [line.text for line in view.counts] == [
        "Field offices: 15 (OSCE Mission in Kosovo: The first six months, July-December 1999, December 1999); "
        "their places are not listed.",
        "Regional centres: 5 (OSCE Mission in Kosovo: The first six months, July-December 1999, December 1999); "
        "their places are not listed.",
    ]
    assert [line.text.split(",")[0] for line in view.named] == ["NGO resource centres",
                                                                 "Political party service centres"]
    assert set(view.offices["id"]) == {"ngo-peje-1999", "ppsc-prishtine-1999"}
    assert view.presence == []
    assert map_html(presence_map(data, year="1999")).count("L.circleMarker(") == 2


def test_a_year_with_no_dated_office_says_so(data):
    view = year_view(data, "2024")
    assert map_note(view) == "The data dates no office's location to 2024, so the map shows no offices for that year."
    assert "L.circleMarker(" not in map_html(presence_map(data, year="2024"))


# The offices each year's sources place (issue 23: 2000, 2001, 2002 and 2018 show them).
YEAR_OFFICES = {
    "2000": {"kpss-vushtrri-2000", "fo-rahovec-2000", "co-rahovec-2000", "ngo-prizren-2000"},
    "2001": {"fo-viti-2001"},
    "2002": {"so-dragash-2002"},
    "2018": {"hq", "rc-gjilan", "rc-mitrovica", "rc-peja", "rc-prishtina", "rc-prizren", "rco-mitrovice-veriut-2018"},
}


@pytest.mark.parametrize("year", sorted(YEAR_OFFICES))
def test_a_year_shows_the_offices_its_sources_place_and_no_other(data, year):
    assert set(offices_in(data, year)["id"]) == YEAR_OFFICES[year]
    html = map_html(presence_map(data, year=year))
    assert html.count("L.circleMarker(") == len(YEAR_OFFICES[year])
    for office in data["offices"]["id"]:
        assert (f'"{office}"' in html) == (office in YEAR_OFFICES[year]), office  # its click target


def test_now_shows_todays_structure_and_not_the_offices_of_1999_to_2002(data):
    now = offices_in(data, NOW)
    assert set(now["kind"]) <= set(CURRENT_KINDS)
    assert set(now["id"]) == YEAR_OFFICES["2018"]
    assert set(data["offices"]["id"]) - set(now["id"]) == set().union(
        *(YEAR_OFFICES[y] for y in ("2000", "2001", "2002")), {"ngo-peje-1999", "ppsc-prishtine-1999"})


def test_2002_shows_both_structures_with_their_notes(data):
    view = year_view(data, "2002")
    assert [line.text.split(":")[0] for line in view.counts] == [
        "Field offices and regional centres",
        "Offices, regional centres included (not comparable with the field offices counted without them)",
        "Satellite offices"]
    assert all(line.text.endswith("their places are not listed.") for line in view.counts[:2])
    assert view.counts[2].text.endswith("9 January 2002)")  # its one place is listed: Dragash/Dragaš
    assert "satellite office in Dragash/Dragas" in view.counts[1].note
    assert [line.text.split(",")[0] for line in view.named] == ["Satellite offices"]


def test_a_count_of_which_the_data_places_some_says_how_many(data):
    dated = with_rows(data, "offices", office={"id": "fo-x", "kind": "field_office", "as_of": "1999-12"})
    assert year_view(dated, "1999").counts[0].text.endswith("; the data places 1 of them.")


@pytest.mark.parametrize("year", ["2016", "2018", "2020"])
def test_the_fact_sheet_years_place_its_offices_and_not_its_unlisted_field_teams(data, year):
    view = year_view(data, year)
    regional, teams = view.counts
    assert regional.text == "Regional centres: 5 (OSCE Mission in Kosovo (fact sheet), 2016–2020)"
    assert teams.text == ("Field teams in municipalities: over 30 (OSCE Mission in Kosovo (fact sheet), 2016–2020); "
                          "their places are not listed.")
    second = {"rco-mitrovice-veriut-2018"} if year == "2018" else set()  # the profile of 2018
    assert set(view.offices["id"]) == {"hq", "rc-gjilan", "rc-mitrovica", "rc-peja", "rc-prishtina",
                                       "rc-prizren"} | second
    assert [line.text.split(",")[0] for line in view.named] == ["Headquarters", "Regional centres"] + (
        ["Regional centre offices"] if second else [])
    assert map_html(presence_map(data, year=year)).count("L.circleMarker(") == 6 + len(second)


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


def test_now_is_every_office_of_todays_kinds_whatever_its_date(data):
    dated = with_rows(data, "offices", old={"id": "ft-old", "kind": "field_team", "as_of": "2001"})
    assert "ft-old" in set(offices_in(dated, NOW)["id"])
    assert "ft-old" not in set(offices_in(dated, "2018")["id"])
    assert map_html(presence_map(dated)).count("L.circleMarker(") == len(YEAR_OFFICES["2018"]) + 1


# --- field presence: where a source says a team works -------------------------------------

def test_now_takes_each_municipalitys_newest_statement(data):
    found = field_presence(data)
    assert sorted(found) == sorted(data["municipalities"]["code"])  # 2013-2018: every municipality
    assert (found["peje"].as_of, found["peje"].source_ids) == ("2013-01", ("profile_peje_2013",))
    # the 2018 profiles, not the undated one of 2010-2013; two documents say it
    assert (found["lipjan"].as_of, found["lipjan"].source_ids) == ("2018", ("profile_gracanice_2018",
                                                                           "profile_prishtine_2018"))
    assert (found["gjilan"].as_of, found["dragash"].as_of) == ("2015-09", "2018")


def test_coverage_is_inferred_exactly_where_the_region_is(data):
    found = field_presence(data)
    basis = data["municipalities"].set_index("code")["region_basis"]
    assert {code: p.inferred for code, p in found.items()} == {code: b == "inferred" for code, b in basis.items()}


@pytest.mark.parametrize("year, regions", [("2000", set()), ("2010", {"prishtina"}), ("2013", {"peja", "prishtina"}),
                                           ("2015", {"gjilan"}), ("2018", {"mitrovica", "prishtina", "prizren"}),
                                           ("2020", set())])
def test_a_year_covers_the_regions_whose_statement_it_falls_in(data, year, regions):
    found = field_presence(data, year)
    municipalities = data["municipalities"].set_index("code")
    assert {municipalities.loc[code, "region_id"] for code in found} == regions
    assert len(found) == int(municipalities["region_id"].isin(regions).sum())
    assert len(presence_in(data, year)) >= len(found)


def test_the_presence_text_gives_date_and_source_or_says_not_known(data):
    found = field_presence(data)
    assert presence_text(data, found["dragash"]) == (
        "a Mission team works here (2018; Municipal Profile 2018, Prizren region: Dragash/Dragaš)")
    assert presence_text(data, found["rahovec"]).startswith("a Mission team works here, inferred:")
    assert presence_text(data, None).startswith("not known")
    assert [presence_status(p) for p in (found["dragash"], found["rahovec"], None)] == ["stated", "inferred", "unknown"]


def test_2018_lists_each_profiles_statement_with_its_inferred_count(data):
    lines = [line.text for line in year_view(data, "2018").presence]
    assert len(lines) == 4
    assert ("Region Prizren: Mission teams working in all 6 of its municipalities (5 of them inferred), as stated in "
            "Municipal Profile 2018, Prizren region: Dragash/Dragaš, 2018") in lines
    assert ("Region Prishtinë/Priština: Mission teams working in all 6 of its municipalities, as stated in "
            "Municipal Profile 2018, Prishtinë/Priština region: Prishtinë/Priština, 2018") in lines


def test_the_measure_colours_stated_inferred_and_unknown_apart(data):
    from dashboard.maps import municipality_features
    from dashboard.presence_over_time import INFERRED_DASH, PRESENCE_COLOURS

    def props(year):
        shown = replaced(data, "field_presence", presence_in(data, year))
        return {f["properties"]["code"]: f["properties"]
                for f in municipality_features(shown, measure="field_presence")["features"]}
    now, in_2015 = props(NOW), props("2015")
    assert now["dragash"]["colour"] == PRESENCE_COLOURS["stated"] and now["dragash"]["dash"] is None
    assert now["rahovec"]["colour"] == PRESENCE_COLOURS["inferred"] and now["rahovec"]["dash"] == INFERRED_DASH
    assert in_2015["dragash"]["colour"] == PRESENCE_COLOURS["unknown"] and "not known" in in_2015["dragash"]["label"]
    assert "September 2015" in in_2015["viti"]["label"] and "inferred" in in_2015["viti"]["label"]


def test_the_map_of_a_year_wears_the_year_as_a_badge(data):
    assert '"Year 2002"' in map_html(presence_map(data, year="2002"))
    assert "omik-year-badge" not in map_html(presence_map(data))


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
    assert any("the data dates to 1999" in c.value and "2" in c.value for c in at.caption)


def test_choosing_a_year_writes_it_to_the_link_and_now_removes_it():
    at = run_page("map")
    # pills, even for 17 years: their script is on the page already, a select box's is not
    assert at.pills(key="year").label == "Year" and at.pills(key="year").options[0] == "Now"
    at.pills(key="year").set_value("2002").run()
    assert at.query_params["year"] in ("2002", ["2002"])
    assert any("Field offices and regional centres" in m.value for m in at.markdown)
    at.pills(key="year").set_value(NOW).run()
    assert "year" not in at.query_params


@pytest.mark.parametrize("year, shown", [("2018", True), ("2000", False)])
def test_the_field_presence_measure_by_link_says_where_a_year_has_no_statement(year, shown):
    at = run_page("map", measure="field_presence", year=year)
    assert (at.session_state["measure"], at.session_state["year"]) == ("field_presence", year)
    empty = [c.value for c in at.caption if "every municipality is shown as not known" in c.value]
    assert bool(empty) != shown
    text = "\n".join(m.value for m in at.markdown)
    assert ("Mission teams working in all 9 of its municipalities" in text) == shown


def test_a_municipality_chosen_by_link_gives_its_teams_year_basis_and_source():
    at = run_page("map", measure="field_presence", municipality="rahovec")
    text = "\n".join(m.value for m in at.markdown)
    assert "Mission team working here" in text and "2018, inferred" in text
    assert "Municipal Profile 2018, Prizren region\\: Dragash/Dragaš" in text


def test_the_map_page_charts_the_offices_counted_over_time():
    at = run_page("map", opened=True)
    assert any("offices over time, as the sources count them" in h.value for h in at.header)
    (table,) = [m.value for m in at.markdown if m.value.startswith("| What | Period | Figure |")]
    values = [row.split(" | ")[2].removeprefix("over ").split(" ")[0] for row in table.splitlines()[2:]]
    assert {"15", "21", "9", "1", "5", "30"} <= set(values)  # every count, none summed
    assert len(values) == 7
    assert table.splitlines()[2].startswith("| Field offices | December 1999 | 15 field offices |")


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


def test_the_offices_chart_places_dated_counts_as_points_and_the_fact_sheets_as_a_span(data):
    from dashboard.charts import offices_over_time_chart

    spec = offices_over_time_chart(data)
    assert list(spec.data["indicator"]) == ["field_offices", "regional_centres", "field_offices_and_regional_centres",
                                            "offices_including_regional_centres", "satellite_offices",
                                            "regional_centres", "field_teams"]
    layers = spec.vega_lite["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["rule", "point", "text"]
    assert "nothing joins or adds them" in spec.caption
    few = replaced(data, "indicators", data["indicators"][data["indicators"]["indicator"] == "field_offices"])
    assert offices_over_time_chart(few).chart is None
