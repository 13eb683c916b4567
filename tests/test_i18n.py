"""Three languages: complete catalogues, the language in the URL, every page in
every language, and the validator's messages translated."""
import re

import pytest

from conftest import FIXTURES, run_page
from dashboard.i18n import LANGUAGE_NAMES, catalogue, english_only, languages, t
from dashboard.validation import validate_file
from support.kpi_strip import figure_values

LANGS = ["en", "sq", "sr"]
PAGES = ["overview", "map", "staffing", "budget", "reports", "elections", "history", "data", "sources"]


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"\{(\w+)\}", text))


def test_three_languages_are_available():
    assert languages() == LANGS
    assert set(LANGUAGE_NAMES) == set(LANGS)


@pytest.mark.parametrize("lang", ["sq", "sr"])
def test_every_key_is_translated_with_the_same_placeholders(lang):
    english, other = catalogue("en"), catalogue(lang)
    assert set(other) == set(english), set(english) ^ set(other)
    for key, text in english.items():
        assert other[key].strip(), key
        assert placeholders(other[key]) == placeholders(text), key


@pytest.mark.parametrize("lang", ["sq", "sr"])
def test_translations_are_not_just_english(lang):
    english, other = catalogue("en"), catalogue(lang)
    same = [k for k in english if english[k] == other[k] and len(english[k]) > 25]
    assert len(same) < 0.05 * len(english), same


def test_english_only_content_is_marked_outside_english():
    assert english_only("Launches the Skopje Process", "en") == "Launches the Skopje Process"
    assert english_only("Launches the Skopje Process", "sq").startswith("Launches the Skopje Process ")
    assert english_only("Launches the Skopje Process", "sq") != english_only("Launches the Skopje Process", "sr")


@pytest.mark.parametrize("lang", LANGS)
def test_validator_messages_in_each_language(lang):
    [problem] = validate_file(FIXTURES / "bad" / "offices_outside_kosovo.csv").errors
    text = problem.describe(lang)
    assert "45.8" in text and "offices_outside_kosovo.csv" in text and "{" not in text
    if lang != "en":
        assert text != problem.describe("en")
        assert "is outside Kosovo" not in text




@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_in_every_language(page, lang):
    at = run_page(page, lang=lang)
    assert at.pills(key="lang").value == lang
    title_key = {"map": "presence.title", "data": "edit.title"}.get(page, f"{page}.title")
    assert at.title[0].value == t(title_key, lang)


def test_numbers_follow_the_language():
    def budget(lang: str) -> str:
        return figure_values(run_page("overview", lang=lang))[t("kpi.budget", lang)]

    assert budget("sr") == "17.462.600\u00a0€"
    assert budget("sq") == "17\u00a0462\u00a0600\u00a0€"


def test_unknown_language_falls_back_to_english_with_a_notice():
    at = run_page("overview", lang="de")
    assert at.pills(key="lang").value == "en"
    assert any('"lang" value "de"' in c.value for c in at.caption)
    assert at.title[0].value == t("overview.title", "en")


def test_place_names_follow_the_language():
    at = run_page("map", lang="sr", region="prishtina")
    assert any("Priština" in s.value and "Prishtinë/" not in s.value for s in at.header)


@pytest.mark.parametrize("lang", ["sq", "sr"])
def test_save_refusals_and_diffs_are_translated(lang):
    from dashboard.diffing import diff_records
    from dashboard.storage import StaleVersion

    error = StaleVersion("storage.stale", file="staffing.csv", expected="aaa", current="bbb")
    assert "staffing.csv" in error.message(lang) and error.message(lang) != str(error)
    diff = diff_records([{"id": "a", "v": "1"}], [{"id": "a", "v": "2"}], ["id"])
    assert diff.lines(lang) != diff.lines("en") and "'1' -> '2'" in diff.lines(lang)[0]


def test_the_teams_translations_of_the_datas_names_match_the_data():
    """Each catalogue translation of an indicator, election or unit is of the data's
    current English (a stale one is not used, so the name would show in English)."""
    import pandas as pd

    from dashboard.display_tables import unit_key
    from dashboard.paths import DATA_DIR

    english = catalogue("en")
    names = {}
    for table, column in (("indicators", "indicator"), ("elections", "election")):
        frame = pd.read_csv(DATA_DIR / f"{table}.csv")
        names.update({f"{column}.{i}": label for i, label in zip(frame[column], frame["label_en"])})
        names.update({unit_key(u): u for u in frame["unit"].dropna()})
    units = pd.read_csv(DATA_DIR / "court_monitoring.csv")["unit"].dropna()
    names.update({unit_key(u): u for u in units})
    stale = {k: v for k, v in english.items() if k.startswith(("indicator.", "election.", "unit."))
             and names.get(k) != v}
    assert stale == {}
    missing = sorted(k for k in names if k not in english)
    assert missing == []
