"""View state in the URL, and downloads that are safe in Excel."""
import io
import zipfile

import pandas as pd
import pytest

from dashboard.export import csv_for_excel, neutralise, package_zip, sanitize_for_spreadsheet
from dashboard.paths import DATA_DIR
from dashboard.state import parse_choice, parse_choices, view_query, view_url
from dashboard.stores import FileStore


def test_parse_choice_accepts_known_values_and_flags_unknown_ones():
    assert parse_choice("prizren", ["all", "prizren"], "all") == ("prizren", False)
    assert parse_choice(None, ["all", "prizren"], "all") == ("all", False)
    assert parse_choice("", ["all", "prizren"], "all") == ("all", False)
    assert parse_choice("atlantis", ["all", "prizren"], "all") == ("all", True)


def test_parse_choices_keeps_option_order_and_reports_strangers():
    choices = parse_choices(["media", "zzz", "elections"], ["elections", "justice", "media"])
    assert choices == (["elections", "media"], ["zzz"])


def test_view_links_are_stable_and_complete():
    assert view_query({"region": "prizren", "theme": ["media", "elections"], "empty": ""}) == \
        "region=prizren&theme=media&theme=elections"
    assert view_query({"b": "1", "a": "2"}) == "a=2&b=1"
    assert view_url("http://host/map", {"region": "prizren"}) == "http://host/map?region=prizren"
    assert view_url("http://host/map?old=1", {}) == "http://host/map"
    assert view_url(None, {"region": "peja"}) == "?region=peja"


@pytest.mark.parametrize("text, safe", [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+1", "'+1"), ("@SUM(A1:A2)", "'@SUM(A1:A2)"), ("-2+3", "'-2+3"), ("\tx", "'\tx"),
    ("Prizren", "Prizren"), ("", ""),
])
def test_formula_like_text_is_neutralised(text, safe):
    assert neutralise(text) == safe


def test_numbers_stay_numbers_even_when_negative():
    frame = pd.DataFrame({"name": ["=1+1", "ok"], "delta": [-12, 5], "share": [-0.5, 1.5]})
    out = sanitize_for_spreadsheet(frame)
    assert out["name"].tolist() == ["'=1+1", "ok"]
    assert out["delta"].tolist() == [-12, 5] and out["share"].tolist() == [-0.5, 1.5]
    assert frame["name"].tolist() == ["=1+1", "ok"], "the input is not modified"


def test_csv_for_excel_is_utf8_with_bom_exactly():
    frame = pd.DataFrame({"name": ["Peć", "@x"], "value": [1, -2]})
    assert csv_for_excel(frame) == "\ufeffname,value\nPeć,1\n'@x,-2\n".encode("utf-8")


def test_package_zip_holds_the_package_as_stored():
    archive = zipfile.ZipFile(io.BytesIO(package_zip(FileStore(DATA_DIR).package_files())))
    names = set(archive.namelist())
    assert {"datapackage.json", "offices.csv", "sources.csv", "milestones.csv"} <= names
    assert archive.read("offices.csv") == (DATA_DIR / "offices.csv").read_bytes()
