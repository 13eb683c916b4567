"""The data package says what its sources say.

Every row resolves its source; the rows corrected after a line-by-line check against
the sources hold what the sources say (one test per correction); every figure taken
from ``shared/research/omik_more_figures.csv`` is in the package exactly as the
research file gives it, and each figure left out is listed with the reason.
"""
import csv
import re

import pandas as pd
import pytest

from dashboard.loading import load_dataset
from dashboard.paths import DATA_DIR, ROOT
from dashboard.schema import descriptor, resources

SHARED = ROOT.parent / "shared"
RESEARCH = SHARED / "research" / "omik_more_figures.csv"
FACTSHEET = SHARED / "sources" / "001_10e6de36b47b2ed1.txt"
BOOKLET = SHARED / "sources" / "002_3c818121c316e8c9.txt"
needs_shared = pytest.mark.skipif(not RESEARCH.exists(), reason="the project's shared material is not next to the repository")


@pytest.fixture(scope="module")
def data():
    data = load_dataset()
    assert data.valid, [p.describe() for p in data.problems[:5]]
    return data


def one_row(frame, **key):
    """The single row of ``frame`` matching every ``column=value`` of ``key``."""
    mask = True
    for column, value in key.items():
        mask = mask & (frame[column].astype(str) == str(value))
    rows = frame[mask]
    assert len(rows) == 1, f"{len(rows)} rows match {key}"
    return rows.iloc[0]


def words(text: str) -> str:
    """Text with runs of whitespace (line breaks in the sources' copies) as one space."""
    return re.sub(r"\s+", " ", text).strip()


# --- every row names a source the package has -------------------------------------------

@pytest.mark.parametrize("table", [r.name for r in resources() if r.name != "sources"])
def test_every_row_resolves_its_source(data, table):
    ids = set(data["sources"]["id"])
    frame = data[table]
    for column in ("source_id", "location_source_id"):
        if column in frame:
            cited = set(frame[column].dropna())
            assert cited <= ids, sorted(cited - ids)


@needs_shared
def test_every_source_points_at_a_copy_the_project_holds(data):
    for source in data["sources"].itertuples():
        assert (SHARED.parent / source.file).exists(), (source.id, source.file)


# --- the corrections -----------------------------------------------------------------------

@needs_shared
def test_dialogue_academy_period_starts_in_the_year_the_booklet_gives():
    text = words(BOOKLET.read_text(encoding="utf-8"))
    after = text.split("LAUNCHES THE FIRST OSCE DIALOGUE ACADEMY", 1)[1]
    assert re.search(r"\b(?:19|20)\d\d\b(?![-–])", after.split("Upon completion", 1)[1]).group() == "2015"


def test_dialogue_academy_alumnae_period(data):
    row = one_row(data["indicators"], indicator="dialogue_academy_alumnae")
    assert row["period"] == "2015/2024"


@pytest.mark.parametrize("category, currency, as_of", [("supplementary", "EUR", "2002"), ("unified_budget", "USD", "2010")])
def test_rounded_budget_figures_are_approximate(data, category, currency, as_of):
    row = one_row(data["budget"], category=category, currency=currency, as_of=as_of)
    assert row["qualifier"] == "approximately"


@pytest.mark.parametrize("codes, source_id", [
    (["fushe-kosove", "gracanice", "lipjan", "obiliq", "shtime"], "unmik_media_prishtina_declaration"),
    (["gjilan", "kamenice", "ranillug"], "osce_intercommunity_factsheet"),
    (["dragash", "kacanik", "mitrovice-e-veriut", "novoberde", "peje", "prishtine"], "osce_municipal_profiles"),
])
def test_named_municipalities_cite_the_document_that_names_them(data, codes, source_id):
    named = data["municipalities"][data["municipalities"]["region_basis"] == "named"]
    assert sorted(named.loc[named["source_id"] == source_id, "code"]) == codes


def test_peja_region_is_dated_by_its_profile(data):
    municipalities = data["municipalities"]
    assert set(municipalities.loc[municipalities["region_id"] == "peja", "as_of"]) == {"2013-01"}
    assert one_row(data["regions"], id="peja")["as_of"] == "2013-01"


def test_nine_offices_of_2002_are_not_counted_as_field_offices(data):
    indicators = data["indicators"]
    assert list(indicators.loc[indicators["indicator"] == "field_offices", "value"]) == [15]
    row = one_row(indicators, indicator="offices_including_regional_centres")
    assert row["value"] == 9 and "regional centres included" in row["label_en"]


def test_offices_before_2002_carry_no_start_year_the_source_lacks(data):
    row = one_row(data["indicators"], indicator="field_offices_and_regional_centres")
    assert (row["value"], row["period"]) == (21, "2002-01")


def test_staff_of_504_is_dated_by_the_page_that_quotes_it(data):
    row = one_row(data["staffing"], measure="staff", category="total", value=504)
    assert row["as_of"] == "2020-06-02"


@pytest.mark.parametrize("source_id, year", [
    ("first_six_months_1999", None), ("ecoi_who_we_are", 2020), ("pr_justice_monitor_3", None),
    ("odihr_hate_crime_kosovo", None),
])
def test_source_years_are_the_documents_own(data, source_id, year):
    value = one_row(data["sources"], id=source_id)["year"]
    assert (None if pd.isna(value) else int(value)) == year


@needs_shared
@pytest.mark.parametrize("year, title_start, phrase, not_phrase", [
    (2019, "Launches a joint OSCE/EU initiative", "initiated a process of implementing EU election observation missions' recommendations",
     "to implement EU election observation recommendations"),
    (2022, "Supports the Assembly of Kosovo's development", "along other actors", "after more than a decade"),
])
def test_milestones_keep_the_booklets_wording(data, year, title_start, phrase, not_phrase):
    milestones = data["milestones"]
    row = milestones[(milestones["year"] == year) & milestones["title_en"].str.startswith(title_start)].iloc[0]
    assert phrase in row["description_en"] and not_phrase not in row["description_en"]
    assert phrase in words(BOOKLET.read_text(encoding="utf-8"))


# --- the research figures ------------------------------------------------------------------

# Research id -> the table and key of the row holding the figure.
FOLDED = {
    "M002": ("facts", {"topic": "budget_process", "source_id": "eu_statement_2023_10_19"}),
    "M003": ("facts", {"topic": "budget_process", "source_id": "norway_2024_05_09"}),
    "M007": ("staffing", {"measure": "staff", "category": "international", "as_of": "2000-08-04"}),
    "M008": ("staffing", {"measure": "staff", "category": "local", "as_of": "2000-08-04"}),
    "M009": ("indicators", {"indicator": "kpss_international_instructors", "period": "1999-09"}),
    "M010": ("staffing", {"measure": "posts", "category": "international", "as_of": "2010"}),
    "M011": ("staffing", {"measure": "peak", "category": "international", "as_of": "1999/2016-02"}),
    "M012": ("indicators", {"indicator": "international_police_staff_peak", "period": "1999/2016-02"}),
    "M014": ("indicators", {"indicator": "kpss_regional_training_centres", "period": "2000-05-19"}),
    "M015": ("indicators", {"indicator": "municipalities_with_mission_members", "period": "2023"}),
    "M016": ("indicators", {"indicator": "kpss_class_size", "period": "1999-10-16"}),
    "M017": ("indicators", {"indicator": "kpss_class_size", "period": "2000-05-20"}),
    "M018": ("indicators", {"indicator": "kpss_class_size", "period": "2000-05-19"}),
    "M019": ("indicators", {"indicator": "kpss_class_size", "period": "2000-05-22"}),
    "M020": ("indicators", {"indicator": "police_officers_trained", "period": "1999-09/2000-08"}),
    "M021": ("indicators", {"indicator": "kpss_class_size", "period": "2001-09-15"}),
    "M022": ("indicators", {"indicator": "kps_recertification_participants", "period": "2001-09-13"}),
    "M023": ("indicators", {"indicator": "kpss_basic_training_target", "period": "2002-12"}),
    "M025": ("indicators", {"indicator": "hate_crime_police_trainers", "period": "2011-12"}),
    "M026": ("indicators", {"indicator": "hate_crime_police_trained_by_trainers", "period": "2011-12/2012"}),
    "M027": ("indicators", {"indicator": "hate_crime_senior_police_trained", "period": "2012-10"}),
    "M032": ("indicators", {"indicator": "lpsc_at_executive_council", "period": "2014"}),
    "M033": ("indicators", {"indicator": "lpsc_projects_supported", "period": "2013/2025-04"}),
    "M034": ("indicators", {"indicator": "war_crimes_cases_surveyed", "period": "1999-06/2002-09"}),
    "M036": ("indicators", {"indicator": "court_hearings_monitored_detention_on_remand", "period": "2022"}),
    "M037": ("indicators", {"indicator": "appellate_decisions_reviewed_detention_on_remand", "period": "2023"}),
    "M038": ("indicators", {"indicator": "court_hearings_monitored_organized_crime_corruption", "period": "2021-07/2024-03"}),
    "M039": ("court_monitoring", {"report": "justice_monitor_3", "court": "all", "department": "general_criminal", "measure": "hearings_monitored"}),
    "M040": ("court_monitoring", {"report": "justice_monitor_3", "court": "all", "department": "general_criminal", "measure": "cases_monitored"}),
    "M041": ("court_monitoring", {"report": "justice_monitor_3", "court": "all", "department": "general_civil", "measure": "hearings_monitored"}),
    "M042": ("court_monitoring", {"report": "justice_monitor_3", "court": "all", "department": "general_civil", "measure": "cases_monitored"}),
    "M043": ("court_monitoring", {"report": "justice_monitor_3", "court": "all", "department": "serious_crimes", "measure": "hearings_monitored"}),
    "M044": ("court_monitoring", {"report": "justice_monitor_3", "court": "all", "department": "serious_crimes", "measure": "cases_monitored"}),
    "M045": ("court_monitoring", {"report": "justice_monitor_3", "court": "all", "department": "administrative", "measure": "hearings_monitored"}),
    "M046": ("court_monitoring", {"report": "justice_monitor_3", "court": "all", "department": "administrative", "measure": "cases_monitored"}),
    "M047": ("court_monitoring", {"report": "justice_monitor_3", "court": "all", "department": "juveniles", "measure": "hearings_monitored"}),
    "M048": ("court_monitoring", {"report": "justice_monitor_3", "court": "all", "department": "juveniles", "measure": "cases_monitored"}),
    "M049": ("court_monitoring", {"report": "justice_monitor_3", "court": "mitrovica", "department": "all", "measure": "judges_monitored_share"}),
    "M050": ("court_monitoring", {"report": "justice_monitor_3", "court": "prishtina", "department": "all", "measure": "judges_monitored_share"}),
    "M051": ("court_monitoring", {"report": "justice_monitor_3", "court": "peja", "department": "all", "measure": "judges_monitored_share"}),
    "M052": ("court_monitoring", {"report": "justice_monitor_3", "court": "ferizaj", "department": "all", "measure": "judges_monitored_share"}),
    "M053": ("court_monitoring", {"report": "justice_monitor_3", "court": "gjakova", "department": "all", "measure": "judges_monitored_share"}),
    "M054": ("court_monitoring", {"report": "justice_monitor_3", "court": "gjilan", "department": "all", "measure": "judges_monitored_share"}),
    "M055": ("court_monitoring", {"report": "justice_monitor_3", "court": "prizren", "department": "all", "measure": "judges_monitored_share"}),
    "M056": ("indicators", {"indicator": "unproductive_hearings_share", "period": "2016-01/2016-11"}),
    "M057": ("indicators", {"indicator": "fundamental_rights_appeal_grounds_share", "period": "2016-01/2016-11"}),
    "M059": ("indicators", {"indicator": "election_rounds_organised", "period": "2000/2007"}),
    "M060": ("elections", {"election": "kosovo_municipal_2000", "measure": "registered", "as_of": "2000-07-19"}),
    "M061": ("elections", {"election": "kosovo_municipal_2000", "measure": "turnout", "as_of": "2000-10-28"}),
    "M062": ("elections", {"election": "kosovo_assembly_2001", "measure": "electorate", "as_of": "2001-11-17"}),
    "M063": ("elections", {"election": "kosovo_assembly_2001", "measure": "turnout", "as_of": "2001-11-19"}),
    "M064": ("elections", {"election": "kosovo_assembly_2001", "measure": "special_needs_voters", "as_of": "2001-11-17"}),
    "M065": ("elections", {"election": "kosovo_assembly_2001", "measure": "postal_voters", "as_of": "2001-11-17"}),
    "M066": ("elections", {"election": "kosovo_assembly_2001", "measure": "registration_visits_communities_not_registered", "as_of": "2001-09-05"}),
    "M067": ("elections", {"election": "kosovo_assembly_2001", "measure": "voter_services_visits", "as_of": "2001-09-05"}),
    "M068": ("elections", {"election": "kosovo_assembly_2001", "measure": "registration_centres", "as_of": "2001-07-16"}),
    "M070": ("elections", {"election": "kosovo_municipal_2002", "measure": "electorate", "as_of": "2002-10-26"}),
    "M071": ("elections", {"election": "kosovo_municipal_2002", "measure": "voters", "as_of": "2002-10-26"}),
    "M072": ("elections", {"election": "kosovo_municipal_2002", "measure": "turnout", "as_of": "2002-10-26"}),
    "M073": ("elections", {"election": "kosovo_municipal_2002", "measure": "women_elected", "as_of": "2002-10-26"}),
    "M074": ("elections", {"election": "kosovo_assembly_2004", "measure": "political_entities", "as_of": "2004-10-23"}),
    "M075": ("elections", {"election": "kosovo_assembly_2004", "measure": "voters", "as_of": "2004-10-23"}),
    "M076": ("elections", {"election": "kosovo_general_2007", "measure": "polling_stations", "as_of": "2007-11-17"}),
    "M077": ("elections", {"election": "kosovo_general_2007", "measure": "electorate", "as_of": "2007-11-17"}),
    "M079": ("elections", {"election": "kosovo_mayoral_runoff_2007", "measure": "turnout", "as_of": "2007-12-08"}),
    "M080": ("elections", {"election": "kosovo_municipal_north_repeat_2013", "measure": "staff_deployed", "as_of": "2013-11-15"}),
    "M081": ("elections", {"election": "kosovo_assembly_north_2019", "measure": "staff_deployed", "as_of": "2019-09-16"}),
    "M082": ("elections", {"election": "serbia_general_2012", "measure": "electorate", "as_of": "2012-05-06"}),
    "M083": ("elections", {"election": "serbia_general_2012", "measure": "polling_stations", "as_of": "2012-05-06"}),
    "M084": ("elections", {"election": "serbia_general_2012", "measure": "polling_centres", "as_of": "2012-05-06"}),
    "M085": ("elections", {"election": "serbia_general_2012", "measure": "setup_hours", "as_of": "2012-05-06"}),
    "M086": ("elections", {"election": "serbia_general_2012", "measure": "staff_per_centre", "as_of": "2012-05-06"}),
    "M087": ("elections", {"election": "serbia_general_2012", "measure": "turnout_interim", "as_of": "2012-05-06"}),
    "M089": ("elections", {"election": "serbia_general_2012", "measure": "polling_days", "as_of": "2012-05"}),
    "M090": ("elections", {"election": "serbia_parliamentary_2014", "measure": "electorate", "as_of": "2014-03-16"}),
    "M091": ("elections", {"election": "serbia_parliamentary_2014", "measure": "polling_centres", "as_of": "2014-03-16"}),
    "M092": ("elections", {"election": "serbia_parliamentary_2014", "measure": "voters", "as_of": "2014-03-16"}),
    "M093": ("elections", {"election": "serbia_parliamentary_2016", "measure": "polling_centres", "as_of": "2016-04-24"}),
    "M094": ("elections", {"election": "serbia_parliamentary_2016", "measure": "polling_stations", "as_of": "2016-04-24"}),
    "M095": ("elections", {"election": "serbia_parliamentary_2016", "measure": "electorate", "as_of": "2016-04-24"}),
    "M096": ("indicators", {"indicator": "serbian_election_facilitation_operations", "period": "2012/2016"}),
    "M097": ("elections", {"election": "serbia_presidential_2017", "measure": "polling_centres", "as_of": "2017-04-02"}),
    "M098": ("elections", {"election": "serbia_referendum_2022", "measure": "operations", "as_of": "2022-01-16"}),
    "M099": ("elections", {"election": "serbia_general_2022", "measure": "operations", "as_of": "2022-04-03"}),
}

LEFT_OUT = {
    "M001": "a share of the whole OSCE budget (press report, medium-low): not the Mission's own figure, and no page uses it",
    "M004": "OSCE-wide Unified Budget total 2017: not the Mission's figure, and no page uses it",
    "M005": "OSCE-wide Unified Budget total 2018: not the Mission's figure, and no page uses it",
    "M006": "OSCE-wide budget 2014 ('gut 142 Millionen', rounded): not the Mission's figure, and no page uses it",
    "M013": "locations of the predecessor CSCE mission of 1992-1993, not of this Mission",
    "M024": "a forecast ('It is anticipated that over 7,500 cadets will graduate'), not a count",
    "M028": "the page is undated: its as-of date would be an estimate",
    "M029": "the page is undated: its as-of date would be an estimate",
    "M030": "the page is undated: its as-of date would be an estimate",
    "M031": "undated third-party page (low-medium) on a differently named body (Local Community Safety Councils)",
    "M035": "the report's year is not shown: its as-of date would be an estimate",
    "M058": "resignations in the justice system: context, not a figure of the Mission's work",
    "M069": "an estimate of people from Kosovo living in Serbia and Montenegro, not a figure of the Mission's work",
    "M078": "the cost of the 2007 elections ('just under EUR 6mn'): not the Mission's budget, and 'just under' has no qualifier",
    "M088": "polling stations in 'Kosovska Mitrovica' (2012), an area no current municipality matches",
}

# Read from a copy other than the research file's link; the row or source note names it.
OTHER_COPY = {"M010", "M056", "M057"}


@pytest.fixture(scope="module")
def research():
    with RESEARCH.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


@needs_shared
def test_every_research_figure_is_folded_in_or_listed_as_left_out(research):
    assert not set(FOLDED) & set(LEFT_OUT)
    assert set(FOLDED) | set(LEFT_OUT) == set(research)


@needs_shared
@pytest.mark.parametrize("research_id", sorted(FOLDED))
def test_folded_figure_is_in_the_package_as_the_research_gives_it(data, research, research_id):
    table, key = FOLDED[research_id]
    figure = research[research_id]
    row = one_row(data[table], **key)
    if table == "facts":
        assert row["text_en"] == figure["quote"]
    else:
        assert float(row["value"]) == float(figure["value"])
    source = one_row(data["sources"], id=row["source_id"])
    if research_id not in OTHER_COPY:
        assert source["url"] == figure["url"]
    if "medium" in figure["confidence"] or "low" in figure["confidence"]:
        assert "medium" in f"{row['note']} {source['note']}".lower(), "a medium-confidence figure must say so"


@needs_shared
def test_budget_holds_no_figure_that_is_not_the_missions(data, research):
    context = {float(r["value"]) for r in research.values() if r["topic"] == "budget_context"}
    assert not context & set(data["budget"]["amount"].astype(float))
    for row in data["facts"][data["facts"]["topic"] == "budget_process"].itertuples():
        assert row.note.startswith("Context"), row.text_en


# --- the new tables ------------------------------------------------------------------------

@needs_shared
@pytest.mark.parametrize("source_id, path", [("factsheet", FACTSHEET), ("booklet_25", BOOKLET)])
def test_facts_are_in_their_sources_words(data, source_id, path):
    text = words(path.read_text(encoding="utf-8"))
    facts = data["facts"][data["facts"]["source_id"] == source_id]
    assert len(facts) >= 5
    for fact in facts["text_en"]:
        assert words(fact) in text, fact


def test_facts_hold_the_mandate_departments_principles_and_offices(data):
    facts = data["facts"]
    def listed(topic, source_id):
        rows = facts[(facts["topic"] == topic) & (facts["source_id"] == source_id)].sort_values("position")
        return list(rows["text_en"])
    assert listed("mandate_basis", "factsheet") == ["United Nations Security Council Resolution 1244",
                                                    "OSCE Permanent Council Decision No. 305 of 1 July 1999"]
    assert len(listed("mandate_task", "booklet_25")) == 4
    assert listed("programmatic_department", "factsheet") == ["Human Rights and Communities", "Democratization",
                                                              "Security and Public Safety"]
    assert len(listed("guiding_principle", "factsheet")) == 4
    assert listed("size_rank", "factsheet") == ["the second largest OSCE field operation"]
    assert listed("size_rank", "booklet_25") == ["currently the largest OSCE field operation"]
    assert listed("regional_office", "booklet_25") == ["Gjilan/Gnjilane", "Mitrovicë/Mitrovica", "Pejë/Peć", "Prizren",
                                                       "Prishtinë/Priština"]


def test_each_election_is_described_the_same_on_all_its_rows(data):
    elections = data["elections"]
    for election, rows in elections.groupby("election"):
        assert len(rows[["label_en", "kind", "jurisdiction", "election_date"]].drop_duplicates()) == 1, election


def test_elections_the_mission_did_not_facilitate_say_why(data):
    elections = data["elections"]
    missing = elections[elections["kind"] == "not_facilitated"]
    assert set(missing["election"]) == {"serbia_referendum_2022", "serbia_general_2022"}
    assert (missing["measure"] == "operations").all() and (missing["value"] == 0).all()
    assert missing["note"].str.startswith("No operation:").all()


def test_organised_elections_are_kosovos_of_2000_to_2007(data):
    organised = data["elections"][data["elections"]["kind"] == "organised"]
    assert set(organised["jurisdiction"]) == {"kosovo"}
    assert {str(d)[:4] for d in organised["election_date"]} <= {str(y) for y in range(2000, 2008)}


@pytest.mark.parametrize("measure, indicator", [("hearings_monitored", "court_hearings_monitored"),
                                                ("cases_monitored", "court_cases_monitored")])
def test_department_breakdown_adds_up_to_the_reports_total(data, measure, indicator):
    breakdown = data["court_monitoring"]
    parts = breakdown[(breakdown["report"] == "justice_monitor_3") & (breakdown["measure"] == measure)]
    total = one_row(data["indicators"], indicator=indicator, period="2016-01/2016-11")["value"]
    assert len(parts) == 5 and parts["value"].sum() == total


# --- freshness -----------------------------------------------------------------------------

def test_every_table_says_how_often_it_is_updated():
    package = descriptor()
    vocabulary = set(package["updateFrequencies"])
    assert vocabulary == {"yearly", "when_it_happens", "when_sources_change"}
    frequency = {r["name"]: r.get("updateFrequency") for r in package["resources"]}
    assert set(frequency.values()) <= vocabulary
    assert frequency["staffing"] == frequency["budget"] == "yearly"
    assert frequency["milestones"] == frequency["elections"] == "when_it_happens"


def test_every_data_file_is_stored_as_a_save_would_write_it():
    """So a version id names the content whichever way it was written (a restore of
    the original gives back the original id, db load then export is byte-identical)."""
    from dashboard.storage import to_csv_bytes
    from dashboard.validation import validate_package

    report = validate_package(DATA_DIR)
    for name, table in report.tables.items():
        assert to_csv_bytes(table.header, table.rows) == (DATA_DIR / table.resource.path).read_bytes(), name


# --- field presence, and the budget and staff series (issue 23) --------------------------

PRESENCE_RESEARCH = SHARED / "research" / "omik_field_presence.csv"
SERIES_RESEARCH = SHARED / "research" / "omik_budget_staff_series.csv"


def research_rows(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


# Research id -> the table and key of the row that holds it. A regional centre's
# statement that it "has (field) teams working in all" its municipalities is a row per
# municipality of the region (the key without a municipality: all of them).
PRESENCE_FOLDED = {
    "F001": ("indicators", {"indicator": "field_offices", "period": "1999-12"}),
    "F002": ("offices", {"id": "ngo-peje-1999"}),
    "F003": ("offices", {"id": "ppsc-prishtine-1999"}),
    "F004": ("offices", {"id": "kpss-vushtrri-2000"}),
    "F005": ("offices", {"id": "fo-rahovec-2000"}),
    "F006": ("offices", {"id": "co-rahovec-2000"}),
    "F007": ("offices", {"id": "ngo-prizren-2000"}),
    "F010": ("offices", {"id": "fo-viti-2001"}),
    "F011": ("indicators", {"indicator": "field_offices_and_regional_centres", "period": "2002-01"}),
    "F012": ("indicators", {"indicator": "offices_including_regional_centres", "period": "2002-01"}),
    "F013": ("offices", {"id": "so-dragash-2002"}),
    "F016": ("field_presence", {"municipality_code": "peje", "source_id": "profile_peje_2013"}),
    "F017": ("field_presence", {"region_id": "peja", "source_id": "profile_peje_2013"}),
    "F018": ("field_presence", {"municipality_code": "fushe-kosove", "source_id": "profile_fushe_kosove"}),
    "F019": ("field_presence", {"region_id": "prishtina", "source_id": "profile_fushe_kosove"}),
    "F020": ("field_presence", {"municipality_code": "gjilan", "source_id": "profile_gjilan_2015"}),
    "F021": ("field_presence", {"region_id": "gjilan", "source_id": "profile_gjilan_2015"}),
    "F022": ("offices", {"id": "rco-mitrovice-veriut-2018"}),
    "F023": ("field_presence", {"municipality_code": "mitrovice-e-veriut", "source_id": "profile_mitrovice_veriut_2018"}),
    "F024": ("field_presence", {"region_id": "mitrovica", "source_id": "profile_mitrovice_veriut_2018"}),
    "F025": ("field_presence", {"municipality_code": "gracanice", "source_id": "profile_gracanice_2018"}),
    "F026": ("field_presence", {"region_id": "prishtina", "source_id": "profile_prishtine_2018"}),
    "F027": ("field_presence", {"municipality_code": "dragash", "source_id": "profile_dragash_2018"}),
    "F028": ("field_presence", {"region_id": "prizren", "source_id": "profile_dragash_2018"}),
}
PRESENCE_LEFT_OUT = {
    "F008": "a plan ('A further seven NGO centres will be open around Kosovo by the summer'), not a count",
    "F009": "a plan ('will establish ten Political Party Service Centres'), from an undated fact sheet (medium)",
    "F014": "a press report (medium) of damage at OSCE premises in Pec: context, about a regional centre already in "
            "the data, with the place name garbled",
    "F015": "an undated page (c. 2010 from context): its as-of date would be an estimate, and it names one staff "
            "member's team, not where the Mission's teams work",
}
# The counts, as the quotes write them in words or digits.
PRESENCE_COUNTS = {"F001": 15, "F011": 21, "F012": 9}
# Dated differently from the research file, each for the reason the source's note gives.
PRESENCE_REDATED = {"F018": "2010/2013", "F019": "2010/2013"}  # undated profile: 2013 was the research's estimate

SERIES_FOLDED = {
    "B001": ("budget", {"category": "unified_budget", "currency": "USD", "as_of": "2010"}),
    "B002": ("staffing", {"measure": "staff", "category": "international", "as_of": "2010-08-01"}),
    "B003": ("staffing", {"measure": "staff", "category": "local", "as_of": "2010-08-01"}),
    "B004": ("staffing", {"measure": "posts", "category": "international", "as_of": "2010"}),
    "B005": ("budget", {"category": "unified_budget", "currency": "EUR", "as_of": "2015"}),
    "B006": ("budget", {"category": "unified_budget", "currency": "EUR", "as_of": "2019"}),
    "B007": ("staffing", {"measure": "staff", "category": "total", "as_of": "2020-06-02"}),
    "B008": ("budget", {"category": "supplementary", "currency": "EUR", "as_of": "2002"}),
    "B009": ("staffing", {"measure": "planned", "category": "total", "as_of": "1999-07"}),
    "B010": ("staffing", {"measure": "planned", "category": "international", "as_of": "1999"}),
    "B011": ("staffing", {"measure": "planned", "category": "total", "as_of": "1999"}),
    "B012": ("staffing", {"measure": "staff", "category": "international", "as_of": "1999-12"}),
    "B013": ("staffing", {"measure": "staff", "category": "local", "as_of": "1999-12"}),
    "B014": ("staffing", {"measure": "staff", "category": "international", "as_of": "2000-08-04"}),
    "B015": ("staffing", {"measure": "staff", "category": "local", "as_of": "2000-08-04"}),
    "B016": ("staffing", {"measure": "ceiling", "category": "international", "as_of": "2006/2008"}),
    "B017": ("staffing", {"measure": "ceiling", "category": "local", "as_of": "2006/2008"}),
    "B018": ("staffing", {"measure": "staff", "category": "total", "as_of": "2008-12"}),
    "B019": ("staffing", {"measure": "staff", "category": "international", "as_of": "2008-12"}),
    "B020": ("staffing", {"measure": "staff", "category": "local", "as_of": "2008-12"}),
    "B022": ("staffing", {"measure": "peak", "category": "international", "as_of": "1999/2016-02"}),
    "B023": ("indicators", {"indicator": "international_police_staff_peak", "period": "1999/2016-02"}),
}
SERIES_LEFT_OUT = {
    "B021": "'knapp 170 Mitarbeiter' (dpa, low confidence): whether it counts international staff only is not said, "
            "so its category would be a guess",
}
# Read from a copy other than the research file's link; the row or source note names it.
SERIES_OTHER_COPY = {"B004"}


def confidence_is_said(figure, row, source):
    said = f"{row['note']} {source['note']}".lower()
    return all(level not in figure["confidence"] or level in said for level in ("medium", "low"))


@needs_shared
@pytest.mark.parametrize("path, folded, left_out", [(PRESENCE_RESEARCH, PRESENCE_FOLDED, PRESENCE_LEFT_OUT),
                                                    (SERIES_RESEARCH, SERIES_FOLDED, SERIES_LEFT_OUT)])
def test_every_row_of_the_new_research_is_folded_in_or_left_out_with_a_reason(path, folded, left_out):
    assert not set(folded) & set(left_out)
    assert set(folded) | set(left_out) == set(research_rows(path))
    assert all(reason.strip() for reason in left_out.values())


@needs_shared
@pytest.mark.parametrize("research_id", sorted(PRESENCE_FOLDED))
def test_presence_research_is_in_the_package_with_its_quote_date_and_source(data, research_id):
    figure = research_rows(PRESENCE_RESEARCH)[research_id]
    table, key = PRESENCE_FOLDED[research_id]
    frame = data[table]
    mask = True
    for column, value in key.items():
        mask = mask & (frame[column] == value)
    rows = frame[mask]
    assert len(rows) >= 1
    for _, row in rows.iterrows():
        source = one_row(data["sources"], id=row["source_id"])
        assert source["url"] == figure["url"]
        assert confidence_is_said(figure, row, source), "a medium-confidence row must say so"
        if table == "indicators":
            assert row["value"] == PRESENCE_COUNTS[research_id]
            assert row["period"] in (figure["as_of"], "2002-01")  # the 21 of 2001: see test above
            continue
        assert words(figure["quote"]).rstrip(".") in words(row["note"]), row["note"]
        assert row["as_of"] == PRESENCE_REDATED.get(research_id, figure["as_of"])
    if table == "field_presence" and "region_id" in key:
        # "covers N municipalities ... teams working in all of them": one row for each
        region = one_row(data["regions"], id=key["region_id"])
        members = data["municipalities"][data["municipalities"]["region_id"] == key["region_id"]]
        assert len(rows) == region["municipality_count"] == len(members)
        assert re.search(rf"\b{len(rows)}\b|\({len(rows)}\)", figure["quote"])


def test_field_presence_is_inferred_exactly_where_the_region_is(data):
    presence = data["field_presence"].merge(data["municipalities"], left_on="municipality_code", right_on="code",
                                            suffixes=("", "_m"))
    assert (presence["region_id"] == presence["region_id_m"]).all()
    assert ((presence["basis"] == "inferred") == (presence["region_basis"] == "inferred")).all()
    inferred = presence[presence["basis"] == "inferred"]
    assert inferred["note"].str.contains("so its coverage is inferred").all()


def test_field_presence_covers_every_municipality_and_only_the_profiles_say_so(data):
    presence = data["field_presence"]
    assert set(presence["municipality_code"]) == set(data["municipalities"]["code"])
    assert set(presence["source_id"]) == {"profile_peje_2013", "profile_fushe_kosove", "profile_gjilan_2015",
                                          "profile_mitrovice_veriut_2018", "profile_gracanice_2018",
                                          "profile_prishtine_2018", "profile_dragash_2018"}


def test_offices_known_only_by_municipality_say_so(data):
    offices = data["offices"]
    unplaced = offices[offices["lat"].isna()]
    assert len(unplaced) == 9
    assert unplaced["note"].str.contains("the source gives only the (?:town|municipality)").all()


@needs_shared
@pytest.mark.parametrize("research_id", sorted(SERIES_FOLDED))
def test_budget_and_staff_series_are_in_the_package_as_researched(data, research_id):
    figure = research_rows(SERIES_RESEARCH)[research_id]
    table, key = SERIES_FOLDED[research_id]
    row = one_row(data[table], **key)
    assert float(row["amount" if table == "budget" else "value"]) == float(figure["value"])
    source = one_row(data["sources"], id=row["source_id"])
    if research_id not in SERIES_OTHER_COPY:
        assert source["url"] == figure["url"]
    assert confidence_is_said(figure, row, source), "a medium- or low-confidence figure must say so"
