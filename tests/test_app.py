"""The app's pages under Streamlit's AppTest (no browser)."""
import re

from streamlit.testing.v1 import AppTest

from dashboard.i18n import t
from dashboard.kpis import headline, overview_kpis
from dashboard.loading import load_dataset
from dashboard.paths import ROOT
from dashboard.ui import md_escape
from support.html_lists import ListReader, app_lists, read_list
from support.kpi_strip import figure_values, strip_of

APP = str(ROOT / "app.py")


def run_app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    return at


def test_app_and_overview_run_without_exception():
    at = run_app()
    assert not at.exception
    assert at.title[0].value == "OSCE Mission in Kosovo"


def test_overview_shows_every_kpi_with_year_and_source():
    at = run_app()
    assert figure_values(at) == {
        "Staff (posts)": "503", "Budget": "€17,462,600", "Regional centres": "5",
        "Field teams": "over 30", "Reports produced": "over 280", "Court cases monitored": "about 25,735",
    }
    kpis = overview_kpis(load_dataset())
    strip = strip_of(at)
    # each figure's year under it, and its detail, source and date behind its "Source"
    # disclosure, in order
    assert [f.years for f in strip] == [k.years() for k in kpis]
    assert all(f.summary == "Source" for f in strip)
    assert [f.about for f in strip] == [[p for p in (k.detail, k.caption()) if p] for k in kpis]
    assert strip[0].about == ["116 international, 387 local",
                              "Source: OSCE Mission in Kosovo (fact sheet) · as of 2016–2020"]
    assert not at.metric  # one element, not nineteen: no metric script before the map
    captions = [c.value for c in at.caption]
    footnote = next(c for c in captions if c.startswith("Sources\\: "))
    assert all(md_escape(k.source.title) in footnote for k in kpis if k.source)
    assert any("geoBoundaries" in c and "OpenStreetMap" in c for c in captions)


def in_order(node, out=None) -> list:
    """The page's elements in document order."""
    out = [] if out is None else out
    out.append(node)
    for child in getattr(node, "children", {}).values():
        in_order(child, out)
    return out


def test_overview_leads_with_the_headline_then_the_figures_then_the_map():
    at = run_app()
    order = [(e.type, getattr(e, "value", None)) for e in in_order(at.main)]
    lead = order.index(("markdown", md_escape(headline(load_dataset()))))
    first_figure = next(i for i, (kind, value) in enumerate(order)
                        if kind == "html" and value.startswith('<ul class="omik-kpis">'))
    first_header = next(i for i, (kind, _) in enumerate(order) if kind == "header")
    assert lead < first_figure < first_header and order[first_header][1] == "Presence"
    assert not any(kind == "header" and value == "Key figures" for kind, value in order)


def test_overview_ends_with_the_mandate_its_departments_principles_and_source_in_one_element():
    at = run_app()
    order = [(e.type, getattr(e, "value", None)) for e in in_order(at.main)]
    heading = order.index(("header", "Mandate"))
    kind, body = order[heading + 1]
    assert kind == "html" and body.startswith('<div class="omik-mandate">')
    assert not [kind for kind, _ in order[heading + 1:] if kind in ("markdown", "caption")]
    mandate = ListReader(body)
    assert mandate.problems == []
    assert [item.lines for item in mandate.items] == [
        ["Human Rights and Communities"], ["Democratization"], ["Security and Public Safety"],
        ["Mainstreaming multi-ethnicity, tolerance and reconciliation"],
        ["Promoting transparency and accountability to counter discrimination"],
        ["Sustainability"], ["Gender mainstreaming"]]
    assert [text for text in mandate.between if text.strip()] == [
        t("overview.mandate"), "Three programmatic departments", "Four guiding principles",
        t("overview.mandate_source")]


def test_overview_empty_state_invents_nothing(empty_data_dir, monkeypatch):
    monkeypatch.setenv("OMIK_DATA_DIR", str(empty_data_dir))
    at = run_app()
    assert not at.exception
    assert set(figure_values(at).values()) == {"No sourced figure"}
    assert not at.warning  # an empty but valid package is not a data problem


def test_invalid_data_shows_a_notice_not_a_crash(data_copy, monkeypatch):
    (data_copy / "staffing.csv").write_text("measure,category\nposts,total\n", encoding="utf-8")
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    at = run_app()
    assert not at.exception
    assert "problems" in at.warning[0].value
    metrics = figure_values(at)
    assert metrics["Staff (posts)"] == "No sourced figure"
    assert metrics["Budget"] == "€17,462,600"


def test_a_changed_file_on_disk_shows_at_the_next_run(data_copy, monkeypatch):
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    at = run_app()
    assert figure_values(at)["Staff (posts)"] == "503"
    path = data_copy / "staffing.csv"
    # a synthetic edit to a temporary copy, as a staff save would make
    path.write_text(path.read_text(encoding="utf-8").replace("posts,total,503", "posts,total,510"), encoding="utf-8")
    at.run()
    assert figure_values(at)["Staff (posts)"] == "510"


def test_sources_page_lists_every_source_and_the_map_attribution():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/sources.py")
    at.run()
    assert not at.exception
    assert not at.dataframe  # a list: no data grid script for the browser to fetch
    [listing] = [items for body in app_lists(at) if "Rows citing it: " in body for items in [read_list(body)]]
    assert len(listing) == len(load_dataset()["sources"])
    booklet = next(item for item in listing if any("Id: booklet_25" in line for line in item.lines))
    assert "25 Years Together" in booklet.title
    assert booklet.links == ["https://www.osce.org/kosovo"] and "www.osce.org" in booklet.lines
    factsheet = next(item for item in listing if any("Id: factsheet" in line for line in item.lines))
    assert int(re.search(r"Rows citing it: (\d+)", " ".join(factsheet.lines)).group(1)) > 10
    assert any("geoBoundaries" in m.value and "OpenStreetMap" in m.value for m in at.markdown)
    assert any("CC BY-SA" in c.value or "ShareAlike" in c.value for c in at.caption)


def test_sources_page_with_no_data_says_so(empty_data_dir, monkeypatch):
    monkeypatch.setenv("OMIK_DATA_DIR", str(empty_data_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/sources.py")
    at.run()
    assert not at.exception
    assert "The data package lists no sources yet." in [i.value for i in at.info]
