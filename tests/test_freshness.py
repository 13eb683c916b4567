"""How current each table is: the rule on fixed dates, the last change from the
store's history, the words in three languages, and `python -m dashboard freshness`."""
import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pytest

from dashboard import freshness as fr
from dashboard.cli import main
from dashboard.loading import load_dataset
from dashboard.paths import ROOT
from dashboard.reading import read_table
from dashboard.schema import Resource, resources
from dashboard.storage import Version
from dashboard.stores import FileStore

D = dt.date


def table(frequency, *as_of, name="staffing"):
    descriptor = {"name": name, "title": name.title()} | ({"updateFrequency": frequency} if frequency else {})
    return Resource(name, f"{name}.csv", name.title(), descriptor), pd.DataFrame({"as_of": list(as_of)}, dtype=object)


@pytest.mark.parametrize("day, months, expected", [
    (D(2024, 12, 31), 12, D(2025, 12, 31)), (D(2024, 12, 31), 18, D(2026, 6, 30)),
    (D(2024, 8, 31), 6, D(2025, 2, 28)), (D(2023, 8, 31), 6, D(2024, 2, 29)),
    (D(2024, 2, 29), 12, D(2025, 2, 28)), (D(2024, 1, 15), 0, D(2024, 1, 15)), (D(2024, 6, 30), 18, D(2025, 12, 30)),
])
def test_months_are_added_on_the_calendar(day, months, expected):
    assert fr.add_months(day, months) == expected


@pytest.mark.parametrize("values, newest", [
    (["2019", "2016/2020", "2010-08-01"], "2016/2020"),  # a period is as recent as its end
    (["2024", "2024-06", "2023-12-31"], "2024"), (["2024-06", "2024-05-31"], "2024-06"),
    (["1999/2016-02", "2016-01"], "1999/2016-02"), ([None, "", "2001"], "2001"), ([], None),
])
def test_the_newest_as_of_is_the_one_that_ends_last(values, newest):
    assert fr.newest_as_of(values) == newest


# The yearly rule on the days around each threshold, for a year, a month, a day and a period.
@pytest.mark.parametrize("as_of, today, status", [
    ("2024", D(2024, 3, 1), fr.UP_TO_DATE), ("2024", D(2025, 12, 31), fr.UP_TO_DATE),
    ("2024", D(2026, 1, 1), fr.UPDATE_DUE), ("2024", D(2026, 6, 30), fr.UPDATE_DUE),
    ("2024", D(2026, 7, 1), fr.OVERDUE), ("2024", D(2040, 1, 1), fr.OVERDUE),
    ("2024-06", D(2025, 6, 30), fr.UP_TO_DATE), ("2024-06", D(2025, 7, 1), fr.UPDATE_DUE),
    ("2024-06", D(2025, 12, 30), fr.UPDATE_DUE), ("2024-06", D(2025, 12, 31), fr.OVERDUE),
    ("2024-02-29", D(2025, 2, 28), fr.UP_TO_DATE), ("2024-02-29", D(2025, 3, 1), fr.UPDATE_DUE),
    ("2016/2020", D(2021, 12, 31), fr.UP_TO_DATE), ("2016/2020", D(2022, 7, 1), fr.OVERDUE),
])
def test_a_yearly_table_is_up_to_date_then_due_then_overdue(as_of, today, status):
    item = fr.table_freshness(*table("yearly", "1999", as_of), today)
    assert item.status == status
    assert item.newest_as_of == as_of
    assert item.overdue == (status == fr.OVERDUE)


def test_the_yearly_thresholds_are_the_documented_ones():
    item = fr.table_freshness(*table("yearly", "2024"), D(2025, 1, 1))
    assert (item.due_after, item.overdue_after) == (D(2025, 12, 31), D(2026, 6, 30))
    assert (fr.DUE_AFTER_MONTHS, fr.OVERDUE_AFTER_MONTHS) == (12, 18)


@pytest.mark.parametrize("frequency", ["when_it_happens", "when_sources_change"])
@pytest.mark.parametrize("as_of", [["1999"], ["2016/2020", "2001-05"], []])
def test_tables_without_a_schedule_are_never_late(frequency, as_of):
    item = fr.table_freshness(*table(frequency, *as_of), D(2099, 1, 1))
    assert item.status == fr.NO_SCHEDULE and not item.overdue
    assert item.due_after is None and item.overdue_after is None


@pytest.mark.parametrize("frequency", [None, "monthly", "", "Yearly"])
def test_a_missing_or_unknown_rule_is_said_not_guessed(frequency):
    item = fr.table_freshness(*table(frequency, "1999"), D(2099, 1, 1))
    assert item.status == fr.NO_RULE and not item.overdue


def test_a_yearly_table_with_no_rows_has_no_figures_to_age():
    assert fr.table_freshness(*table("yearly"), D(2099, 1, 1)).status == fr.NO_FIGURES


def test_a_table_without_an_as_of_column_has_no_newest_figure():
    res, _ = table("when_sources_change", name="sources")
    item = fr.table_freshness(res, pd.DataFrame({"id": ["a"]}), D(2020, 1, 1))
    assert item.newest_as_of is None and item.status == fr.NO_SCHEDULE


def version(action, time):
    return Version("abc123abc123", "ana", time, "why", action)


@pytest.mark.parametrize("versions, changed", [
    ([], None),
    ([version("original", "2026-01-01T00:00:00+00:00")], None),  # loaded, not changed
    ([version("original", "2026-01-01T00:00:00+00:00"), version("save", "2026-02-03T10:00:00+00:00")],
     "2026-02-03T10:00:00+00:00"),
    ([version("original", "2026-01-01T00:00:00+00:00"), version("save", "2026-02-03T10:00:00+00:00"),
      version("restore", "2026-03-04T11:00:00+00:00")], "2026-03-04T11:00:00+00:00"),
])
def test_the_last_change_is_the_newest_save_or_restore(versions, changed):
    assert fr.last_changed(versions) == changed


def test_the_last_change_comes_from_the_stores_history(store):
    """On both backends: the package as loaded (a database's first versions are
    ``original``) is not a change; a save is."""
    package_resources = resources(store.descriptor_dir)
    assert set(fr.store_changes(store, package_resources).values()) == {None}
    raw = read_table(store.read_current("budget")[1], "budget.csv")
    raw.rows[0][1] = "18300001"
    saved = store.save_table("budget", raw, "ana", "a test change")
    changes = fr.store_changes(store, package_resources)
    assert changes["budget"] == saved.time
    assert all(v is None for k, v in changes.items() if k != "budget")


@pytest.mark.parametrize("lang", ["en", "sq", "sr"])
def test_every_status_and_rule_has_words_in_every_language(lang):
    items = [fr.table_freshness(*table(f, *a), D(2026, 1, 1), changed, True)
             for f, a, changed in [("yearly", ["2025"], None), ("yearly", ["2024"], "2026-02-03T10:00:00+00:00"),
                                   ("yearly", ["2020"], None), ("when_it_happens", ["2020"], None),
                                   ("when_sources_change", [], None), ("monthly", [], None), ("yearly", [], None)]]
    assert {i.status for i in items} == set(fr.STATUSES)
    lines = [fr.describe(i, lang) for i in items]
    frame = fr.freshness_frame(items, lang)
    assert "{" not in "".join(lines) + frame.to_string()
    if lang != "en":
        assert lines != [fr.describe(i, "en") for i in items]
    assert "2026" in lines[1]  # the date of the last change


def test_an_unknown_history_is_left_unsaid():
    res, frame = table("yearly", "2025")
    item = fr.table_freshness(res, frame, D(2026, 1, 1), changes_known=False)
    assert fr.changed_text(item) is None and " · " not in fr.describe(item)
    assert fr.changed_text(fr.table_freshness(res, frame, D(2026, 1, 1))) == "not changed since the package was loaded"


def test_the_package_has_a_rule_for_every_table():
    items = fr.package_freshness(load_dataset(), resources(), D(2026, 1, 1))
    assert [i.table for i in items] == [r.name for r in resources()]
    assert all(i.status != fr.NO_RULE for i in items)
    assert {i.table for i in items if i.frequency == "yearly"} == {"staffing", "budget", "indicators"}


# --- python -m dashboard freshness -----------------------------------------------

def test_nothing_overdue_exits_0(capsys):
    # 2021-06-01: staffing and budget (newest 2016–2020) and indicators are all within 12 months.
    assert main(["freshness", "--today", "2021-06-01"]) == 0
    out = capsys.readouterr().out
    assert "Up to date" in out and "Overdue" not in out and "Staffing" in out


def test_something_overdue_exits_1(capsys):
    assert main(["freshness", "--today", "2030-01-01"]) == 1
    assert "Overdue" in capsys.readouterr().out


def test_json_gives_codes_and_dates(capsys, data_copy):
    raw = read_table((data_copy / "staffing.csv").read_bytes(), "staffing.csv")
    raw.rows[0][2] = "117"
    saved = FileStore(data_copy).save_table("staffing", raw, "ana", "test")
    assert main(["freshness", "--json", "--today", "2022-03-01", "--data", str(data_copy)]) == 0
    items = {i["table"]: i for i in json.loads(capsys.readouterr().out)}
    assert items["staffing"] == {"table": "staffing", "title": "Staffing", "update_frequency": "yearly",
                                 "newest_as_of": "2016/2020", "status": "update_due", "due_after": "2021-12-31",
                                 "overdue_after": "2022-06-30", "last_changed": saved.time, "changes_known": True}
    assert items["elections"]["status"] == "no_schedule" and items["elections"]["last_changed"] is None


def test_the_table_speaks_the_language_asked_for(capsys):
    main(["freshness", "--today", "2030-01-01", "--lang", "sr"])
    assert "Zakasnelo" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["--today", "2021-13-01"], ["--today", "yesterday"], ["--lang", "xx"],
                                  ["--data", "/no/such/folder"], ["--colour"]])
def test_usage_errors_exit_2(args):
    result = subprocess.run([sys.executable, "-m", "dashboard", "freshness", *args], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_a_database_and_a_data_folder_together_is_a_usage_error(monkeypatch, data_copy, capsys):
    monkeypatch.setenv("OMIK_DATABASE_URL", "postgresql://nobody@localhost:1/none")
    assert main(["freshness", "--data", str(data_copy)]) == 2
    assert "OMIK_DATABASE_URL" in capsys.readouterr().err


# --- the chip under every page's title ---------------------------------------------

def test_the_chip_gives_the_years_of_the_newest_figures_and_the_tables_due():
    items = [fr.table_freshness(*table("yearly", "2016/2020", name="staffing"), D(2026, 1, 1)),
             fr.table_freshness(*table("yearly", "2025-04-10", name="indicators"), D(2026, 1, 1)),
             fr.table_freshness(*table("when_sources_change", "2018", name="regions"), D(2026, 1, 1))]
    assert fr.chip_text(items) == "Figures 2016–2025 · Staffing due for update"


def test_the_chip_says_up_to_date_and_a_single_year_once():
    items = [fr.table_freshness(*table("yearly", "2025", name="budget"), D(2026, 1, 1))]
    assert fr.chip_text(items) == "Figures 2025 · up to date"


def test_a_chip_without_dated_figures_invents_no_years():
    items = [fr.table_freshness(*table("yearly", name="budget"), D(2026, 1, 1))]
    assert fr.chip_text(items) == "How current the data is"
    assert fr.chip_text([]) == "How current the data is"


@pytest.mark.parametrize("lang, expected", [
    ("sq", "Shifrat 2016–2020 · Stafi: koha për përditësim"),  # the table's name translated too
    ("sr", "Podaci 2016–2020 · Osoblje: vreme za ažuriranje"),
])
def test_the_chip_in_albanian_and_serbian(lang, expected):
    items = [fr.table_freshness(*table("yearly", "2016/2020"), D(2026, 1, 1))]
    assert fr.chip_text(items, lang) == expected
