"""Each page under AppTest: the view a URL asks for, fallbacks, and empty states."""
import pytest

from conftest import open_all, run_page
from support.html_lists import app_lists, read_list

PAGES = ["overview", "map", "staffing", "budget", "reports", "elections", "history", "data", "sources", "embed"]




def texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "header", "subheader", "title")
                     for e in getattr(at, kind))


@pytest.mark.parametrize("page", [p for p in PAGES if p != "embed"])
def test_every_page_runs_and_offers_a_share_link_and_the_briefing(page):
    at = run_page(page, opened=True)
    assert at.title
    assert any(code.value.startswith("?") or "http" in code.value for code in at.code) or page == "overview"
    assert "Download briefing (PDF)" in [b.label for b in at.get("download_button")]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_has_an_honest_empty_state(page, empty_data_dir, monkeypatch):
    monkeypatch.setenv("OMIK_DATA_DIR", str(empty_data_dir))
    at = run_page(page)
    assert not at.warning  # an empty but valid package is not a data problem


def test_presence_opens_a_region_from_the_url():
    at = run_page("map", region="prizren")
    assert at.pills(key="region").value == "prizren"
    assert "Region Prizren" in texts(at)
    assert "Dragash/Dragaš" in texts(at)


def test_presence_opens_a_municipality_and_an_office_from_the_url():
    at = run_page("map", municipality="gjilan")
    assert at.selectbox(key="municipality").value == "gjilan"
    assert "Gjilan/Gnjilane" in [s.value for s in at.header]
    at = run_page("map", office="hq")
    assert "Abdyl Frashëri 37" in texts(at)


def test_presence_without_selection_invites_a_click():
    at = run_page("map")
    assert "Click a municipality or an office" in at.info[0].value


@pytest.mark.parametrize("params", [{"region": "atlantis"}, {"office": "<script>"}, {"measure": "gdp"}])
def test_unknown_parameters_fall_back_with_a_notice(params):
    at = run_page("map", **params)
    [(name, value)] = params.items()
    assert any(f'"{name}" value' in c.value for c in at.caption)
    widget = at.selectbox(key=name) if name == "office" else at.pills(key=name)
    assert widget.value in ("all", "", "region")
    at.run()  # a rerun (any click) keeps the notice
    assert any(f'"{name}" value' in c.value for c in at.caption)


def test_the_notice_goes_once_the_reader_chooses_a_value():
    at = run_page("history", theme=["media", "atlantis"])
    assert any('"theme" value "atlantis"' in c.value for c in at.caption)
    at.pills(key="theme").select("elections").run()
    assert not any('"theme" value' in c.value for c in at.caption)


def test_changing_the_region_updates_the_url_and_clears_the_selection():
    at = run_page("map", office="hq")
    at.pills(key="region").set_value("peja").run()
    assert at.query_params["region"] in ("peja", ["peja"])
    assert "office" not in at.query_params
    assert "Region Pejë/Peć" in texts(at)


def test_share_link_carries_the_view():
    at = run_page("map", region="peja", opened=True)
    assert any("region=peja" in code.value for code in at.code)


def test_staffing_shows_latest_split_and_trend():
    at = run_page("staffing")
    assert {m.label: m.value for m in at.metric}["Staff (posts)"] == "503"
    # Both drawn on the server, every figure written on them: no chart renderer for the browser
    assert not at.get("vega_lite_chart")
    split, trend = pictures(at)
    assert split.endswith("International: 116; Local: 387.")
    assert "International, December 1999: over 450; " in trend and trend.endswith("Total, 2 June 2020: 504.")
    assert trend.count(": ") == 1 + 10  # the title's and the ten figures'
    assert "Staffing by region: the sources give no split" in texts(at)


def pictures(at) -> list[str]:
    """The text alternatives of the charts on the page drawn as pictures (each a
    desktop's and a phone's ``<img>`` with the same one), unescaped."""
    import html
    import re

    found = []
    for element in at.get("html"):
        if "omik-static-chart" in element.proto.body:
            alts = re.findall(r'<img [^>]*alt="([^"]*)" src="data:image/svg\+xml;base64,', element.proto.body)
            assert len(alts) == 2 and alts[0] == alts[1], element.proto.body[:200]
            found.append(html.unescape(alts[0]))
    return found


def test_budget_draws_the_trend_of_its_dated_euro_figures_as_a_picture():
    at = run_page("budget", opened=True)
    assert {m.label: m.value for m in at.metric}["Budget"] == "€17,462,600"
    # 2015 (rounded) and 2019, drawn on the server: no chart renderer for the browser
    assert not at.get("vega_lite_chart")
    assert pictures(at) == ["Chart: Unified Budget allocation over time (EUR). "
                            "2015: about €18,900,000; 2019: €17,462,600."]
    assert any(h.value.startswith("Unified Budget allocation over time") for h in at.header)
    view_data = next(e for e in at.expander if e.label == "View data")
    table = view_data.markdown[0].value.splitlines()
    # read as people read it (the figure with its hedge, the date, the source's title);
    # the CSV keeps the data package's columns
    assert table[0] == "| Figure | As of | Source |" and len(table) == 2 + 2
    assert table[2].startswith("| about €18,900,000 | 2015 | ") and table[3].startswith("| €17,462,600 | 2019 | ")
    assert [b.label for b in view_data.get("download_button")] == ["Download CSV"]
    assert any("Dashed lines only join the figures" in c.value for c in at.caption)


def test_budget_without_a_trend_shows_its_figures_titled_and_says_why(data_copy, monkeypatch):
    budget = data_copy / "budget.csv"
    budget.write_text("\n".join(line for line in budget.read_text(encoding="utf-8").splitlines()
                                if ",pc_brief_2015_w11,2015," not in line) + "\n", encoding="utf-8")
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    at = run_page("budget")
    assert len(at.get("vega_lite_chart")) == 0 and not at.info  # no empty chart slot over a notice
    assert "The Mission's budget figures, as published" in [h.value for h in at.header]
    assert any("fewer than two are" in c.value for c in at.caption)


def test_reports_show_cumulative_figures_with_their_hedges():
    at = run_page("reports", opened=True)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Reports produced"] == "over 280"
    assert metrics["Court cases monitored"] == "about 25,735"
    assert metrics["Court hearings monitored"] == "about 37,311"
    assert metrics["Pieces of legislation reviewed and commented on"] == "about 450"


def test_reports_draws_every_chart_as_a_picture_with_its_data_a_click_away():
    at = run_page("reports", opened=True)
    assert not at.get("vega_lite_chart")
    shown = pictures(at)
    assert len(shown) == 3 + 2  # the court monitoring's three tabs, the two indicators over time
    assert "Serious Crimes Department, Hearings monitored: 781" in shown[0]
    assert "Basic Court of Gjakovë/Đakovica: 96%" in shown[1]
    assert shown[3].startswith("Chart: Police officers trained") and "June 2005: about 7,000" in shown[3]
    # the tabs' charts under the section's heading (h2), a level below it
    assert any(h.value.startswith("Hearings and cases monitored by court department") for h in at.subheader)
    assert "Hate incidents the Mission reported to ODIHR" in [h.value for h in at.header]
    folds = [e for e in at.expander if e.label == "View data"]
    assert len(folds) == 5
    for fold in folds:
        assert fold.markdown[0].value.startswith("| ") and not fold.table  # Markdown: no Arrow table script
        assert [b.label for b in fold.get("download_button")] == ["Download CSV"]


def test_reports_in_serbian_writes_the_pictures_text_in_serbian():
    shown = pictures(run_page("reports", lang="sr", group="justice"))
    assert len(shown) == 3 and all(s.startswith("Grafikon: ") for s in shown)
    assert "januar 2016–novembar 2016, Praćena sudska ročišta: 2.191" in shown[2]


def test_reports_filter_by_field_from_the_url():
    at = run_page("reports", group="justice")
    labels = {m.label for m in at.metric}
    assert "Court cases monitored" in labels and "Reports produced" not in labels
    assert at.query_params["group"] in ("justice", ["justice"])


def test_history_filters_milestones_by_theme_from_the_url():
    at = run_page("history", theme=["elections", "media"])
    assert at.pills(key="theme").value == ["elections", "media"]
    [timeline] = app_lists(at)
    listed = "\n".join(line for item in read_list(timeline) for line in item.lines)
    assert "Administers the first democratic municipal elections in Kosovo" in listed
    assert "Establishes the Kosovo Bar Association" not in listed


def test_history_lists_every_milestone_under_its_year_in_one_element():
    from dashboard.loading import load_dataset
    from support.html_lists import ListReader

    milestones = load_dataset()["milestones"]
    at = run_page("history")
    [timeline] = app_lists(at)
    reader = ListReader(timeline)
    assert reader.problems == []  # each year a bold line, not a heading: the outline stays the page's
    assert reader.between == [str(y) for y in sorted(set(milestones["year"]))]
    assert len(reader.items) == len(milestones)


def test_history_lists_the_eight_heads_of_mission():
    at = run_page("history", opened=True)
    frames = [d.value for d in at.table]
    hom = next(f for f in frames if "Name" in f.columns)
    assert len(hom) == 8 and "Daan Everts" in set(hom["Name"])
    assert list(hom.columns) == ["Name", "Country", "Term", "Source"]
    assert hom["Term"].iloc[0] == "1999–2001" and hom["Term"].iloc[-1].endswith("–present")


def test_history_unknown_theme_gets_a_notice():
    at = run_page("history", theme="nonsense")
    assert any('"theme" value "nonsense"' in c.value for c in at.caption)


def test_sources_page_offers_every_table_and_the_zip():
    at = run_page("sources", opened=True)
    from dashboard.loading import load_dataset

    labels = [e.label for e in at.expander]
    assert any(label.startswith(f"Offices ({len(load_dataset()['offices'])} rows)") for label in labels)
    assert len(at.get("download_button")) >= 1 + 9


def test_presence_measure_from_the_url_colours_by_field_teams(data_copy, monkeypatch):
    offices = data_copy / "offices.csv"
    lines = offices.read_text(encoding="utf-8").splitlines()
    prizren = next(line for line in lines if line.startswith("rc-prizren,"))
    # a synthetic field team in a temporary copy of the data (test-only)
    lines.append(prizren.replace("rc-prizren,regional_centre,", "ft-test,field_team,", 1)
                 .replace(",prizren,prizren,", ",dragash,prizren,", 1))
    offices.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    at = run_page("map", measure="field_teams")
    assert at.pills(key="measure").value == "field_teams"
    from dashboard.cache import rendered_presence_map

    # the legend is inside the map's page (the map's frame is not an element AppTest reads)
    legend = rendered_presence_map("en", None, "field_teams", layer_control=True)
    assert "Field teams listed: lighter is fewer" in legend


def test_share_control_offers_the_embed_snippet_and_the_briefing_link():
    at = run_page("staffing", opened=True)
    codes = [c.value for c in at.code]
    assert any(c.startswith("<iframe") and "view=staffing_over_time" in c and "embed=true" in c for c in codes)
    assert any("view=briefing" in c for c in codes)


@pytest.mark.parametrize("view", ["staffing_over_time", "milestones_per_year", "budget_over_time"])
def test_embed_shows_one_chart_alone(view):
    at = run_page("embed", view=view)
    assert not at.title
    assert len(at.subheader) == 1
    assert "Embed and more" not in [p.label for p in at.get("popover")]


def test_the_map_pages_embed_snippet_keeps_its_language_region_measure_and_year():
    at = run_page("map", lang="sq", region="prizren", year="2002", municipality="gjilan", opened=True)
    snippet = next(c.value for c in at.code if c.value.startswith("<iframe"))
    assert 'src="embed?embed=true&lang=sq&region=prizren&view=map&year=2002"' in snippet
    briefing = next(c.value for c in at.code if "view=briefing" in c.value)
    assert briefing == "embed?embed=true&lang=sq&region=prizren&view=briefing"


def test_an_embedded_map_shows_the_year_and_measure_of_its_link():
    now = run_page("embed", view="map")
    then = run_page("embed", view="map", year="2002", measure="region")
    assert not any('value "' in c.value for c in then.caption)  # both values known: no notice
    assert then.get("iframe")[0].proto.srcdoc != now.get("iframe")[0].proto.srcdoc
    unknown = run_page("embed", view="map", year="1066")
    assert any('"year" value "1066"' in c.value for c in unknown.caption)
    assert unknown.get("iframe")[0].proto.srcdoc == now.get("iframe")[0].proto.srcdoc


def test_embed_briefing_view_offers_the_download():
    at = run_page("embed", view="briefing", region="prizren")
    assert [b.label for b in at.get("download_button")] == ["Download briefing (PDF)"]


def test_embed_unknown_view_falls_back_to_the_map_with_a_notice():
    at = run_page("embed", view="gdp")
    assert any('"view" value "gdp"' in c.value for c in at.caption)


def test_the_embed_menu_entry_is_a_gallery_of_every_view_with_its_snippet():
    from dashboard.embeds import VIEWS

    at = run_page("embed")
    assert at.title[0].value == "Embed a view"
    snippets = [c.value for c in at.code if c.value.startswith("<iframe")]
    for view in VIEWS:
        assert sum(f"view={view}\"" in c for c in snippets) == 1, view
    assert "Budget" in " ".join(s.value for s in at.subheader)


def test_sources_page_leads_readers_to_the_embed_gallery_without_command_lines():
    at = run_page("sources")
    assert any(link.proto.page == "embed" for link in at.get("page_link"))
    assert "python -m" not in texts(at)


def chip(at) -> str:
    """The freshness chip's text (a link to Sources)."""
    [link] = [e for e in at.get("page_link") if e.proto.page == "sources"]
    return link.proto.label


@pytest.mark.parametrize("page, tables", [
    ("overview", ["Staffing", "Budget", "Indicators"]), ("staffing", ["Staffing"]), ("budget", ["Budget"]),
    ("reports", ["Indicators"]), ("elections", ["Indicators"]),
])
def test_every_figure_page_says_in_one_chip_how_current_its_figures_are(page, tables):
    """The chip names the years of the page's newest figures and the yearly tables due
    for an update (they are, on today's data), and links to the details on Sources."""
    text = chip(run_page(page))
    assert text.startswith("Figures ") and text.endswith(" ›")
    assert f"{', '.join(tables)} due for update" in text


@pytest.mark.parametrize("page", ["map", "history"])
def test_a_page_of_tables_without_schedule_has_nothing_due(page):
    assert chip(run_page(page)).endswith("· up to date ›")


def test_the_chip_links_to_sources_in_the_readers_language():
    at = run_page("staffing", lang="sr")
    [link] = at.get("page_link")
    assert link.proto.label.startswith("Podaci ") and "lang=sr" in link.proto.query_string


def test_sources_page_says_what_each_table_holds_and_how_current_it_is():
    from dashboard.schema import resources

    at = run_page("sources")
    assert not at.table  # a list: no table script on the page's first screen
    [listing] = [read_list(body) for body in app_lists(at) if "Update rule: " in body]
    assert len(listing) == len(resources())
    items = {item.title: item.lines for item in listing}
    assert items["Elections"][0] == "Elections · No schedule"
    assert items["Regions"][1].startswith("The areas covered by the Mission")
    assert items["Municipalities"][2].startswith("Rows: 38 · ")
    assert "Update rule: yearly: up to date until 31 December 2021" in items["Staffing"][2]


# --- reading order: headings, summaries first, figures as the page writes them ----------

def heading_levels(at) -> list[int]:
    """The page's headings in document order as levels (title 1, header 2, subheader 3),
    expanders and tabs included."""
    levels = {"title": 1, "header": 2, "subheader": 3}
    out = []

    def walk(node):
        if node.type in levels:
            out.append(levels[node.type])
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at.main)
    return out


@pytest.mark.parametrize("page, params", [(p, {}) for p in PAGES if p != "embed"]
                         + [("reports", {"group": "justice"}), ("reports", {"group": "governance"})])
def test_headings_go_down_one_level_at_a_time(page, params):
    levels = heading_levels(run_page(page, **params))
    assert levels and levels[0] == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


def test_reports_shows_three_cumulative_figures_first_and_the_others_folded():
    at = run_page("reports")
    more = [e for e in at.expander if e.label.startswith("More figures (")]
    assert len(more) == 1 and not more[0].proto.expanded and not more[0].children  # filled when opened
    more = [e for e in open_all(at).expander if e.label.startswith("More figures (")]
    shown = [m for m in at.metric if not any(m in e.metric for e in more)]
    assert len(shown) == 3 and len(more[0].metric) == int(more[0].label.split("(")[1].rstrip(")"))


@pytest.mark.parametrize("page, label", [("staffing", "All staffing figures ("), ("budget", "All budget figures (")])
def test_full_tables_are_folded_under_their_count(page, label):
    at = run_page(page)
    folded = [e for e in at.expander if e.label.startswith(label)]
    assert len(folded) == 1 and not folded[0].proto.expanded and not folded[0].children  # filled when opened
    folded = [e for e in open_all(at).expander if e.label.startswith(label)]
    assert folded[0].label == f"{label}{len(folded[0].table[0].value)} figures)"


def test_view_data_shows_figures_as_the_page_writes_them():
    at = run_page("budget", opened=True)
    table = next(e for e in at.expander if e.label == "View data").markdown[0].value  # a picture's: Markdown
    cells = [c.strip() for line in table.splitlines()[2:] for c in line.strip("|").split("|")]
    assert "€17,462,600" in cells and "about €18,900,000" in cells
    assert not any(c.endswith(".0000") or c.endswith(".0") for c in cells)
    at = run_page("history", opened=True)
    terms = [str(v) for table in at.table if "Term" in table.value.columns for v in table.value["Term"]]
    assert "1999–2001" in terms and not any("," in y for y in terms)  # years, not thousands


@pytest.mark.parametrize("page, params", [("overview", {}), ("map", {}), ("embed", {"view": "map"})])
def test_a_map_without_its_local_leaflet_says_so(page, params, monkeypatch):
    from dashboard.i18n import t
    from dashboard.ui import map_widgets

    monkeypatch.setattr(map_widgets, "local_leaflet_installed", lambda: False)
    at = run_page(page, **params)
    assert t("map.assets_missing") in [w.value for w in at.warning]


@pytest.mark.parametrize("page", ["staffing", "budget", "reports", "elections", "history"])
def test_a_first_visit_gets_the_tables_under_charts_only_when_opened(page):
    # A closed expander's content is still sent, and makes the browser fetch the
    # table's code: the tables and their CSV buttons are built when opened.
    at = run_page(page)
    assert at.expander and not at.table
    assert open_all(at).table
