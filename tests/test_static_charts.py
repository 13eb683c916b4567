"""Charts drawn on the server as SVG (``ChartSpec.svg``, dashboard/static_charts.py,
ui/static_chart.py): the Presence map's offices over time, the Budget's and Reports'
charts. The picture in the reader's language and number format, every figure written
on it and in its text alternative, the data's text escaped, and pages that need no
chart or table script in the browser."""
import base64
import dataclasses
import re

import pandas as pd
import pytest

from conftest import run_page
from dashboard import charts, monitoring
from dashboard.charts import offices_over_time_chart
from dashboard.loading import load_dataset
from dashboard.static_charts import draw_pictures, image_text
from dashboard.ui.static_chart import image
from dashboard.ui.text import markdown_table

HOSTILE = '<img src=x onerror="alert(1)"> & </text><script>alert(2)</script>'


@pytest.fixture(scope="module")
def data():
    return load_dataset()


@dataclasses.dataclass
class Drawn:
    spec: charts.ChartSpec
    wide: str
    narrow: str
    text: str


def offices_over_time_svg(data, lang="en") -> Drawn:
    """The offices chart as the map page shows it: its two pictures and their text alternative."""
    spec = offices_over_time_chart(data, lang)
    return Drawn(spec, *(spec.svg if spec.chart is not None else ("", "")), image_text(spec, lang))


def with_indicators(data, frame):
    """A Dataset of its own (the charts are memoised per Dataset) with ``frame`` as indicators."""
    return dataclasses.replace(data, tables={**data.tables, "indicators": frame})


def texts(svg: str) -> list[str]:
    """The text of every ``<text>`` element (a wrapped label's lines joined by a space), unescaped."""
    import html

    found = []
    for body in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S):
        lines = re.findall(r"<tspan[^>]*>(.*?)</tspan>", body, flags=re.S) or [body]
        found.append(html.unescape(" ".join(lines)))
    return found


def test_the_chart_is_an_svg_picture_with_every_figure_and_its_text_alternative(data):
    chart = offices_over_time_svg(data)
    for svg in (chart.wide, chart.narrow):
        assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
        shown = texts(svg)
        assert {"15", "21", "9", "1", "5", "over 30"} <= set(shown)  # each figure written on the chart
        assert {"As of (year)", "offices counted", "Field teams in municipalities", "2000", "2020"} <= set(shown)
        assert "aria-label" not in svg  # Vega's own, English, descriptions are off: ours is the alt text
    assert chart.text.startswith("Chart: The Mission's offices over time, as the sources count them. ")
    assert "Field offices, December 1999: 15" in chart.text
    assert "Field teams in municipalities, 2016–2020: over 30." in chart.text
    # the phone's picture is narrower, its legend one column
    width = [int(re.match(r'<svg[^>]* width="(\d+)"', svg).group(1)) for svg in (chart.wide, chart.narrow)]
    assert width[1] < 390 < width[0] < 800


@pytest.mark.parametrize("lang, axis, over", [("sq", "Gjendja më (viti)", "mbi 30"),
                                              ("sr", "Stanje (godina)", "preko 30")])
def test_the_picture_speaks_the_readers_language(data, lang, axis, over):
    chart = offices_over_time_svg(data, lang)
    shown = texts(chart.wide)
    assert axis in shown and over in shown
    assert "As of (year)" not in shown and "over 30" not in shown
    assert chart.text.split(":")[0] == {"sq": "Grafik", "sr": "Grafikon"}[lang]


@pytest.mark.parametrize("lang, thousand", [("en", "1,000"), ("sq", "1\u00a0000"), ("sr", "1.000")])
def test_the_axis_writes_numbers_as_the_language_does(data, lang, thousand):
    indicators = data["indicators"].copy()
    indicators.loc[indicators["indicator"] == "field_teams", "value"] = 1500.0
    chart = offices_over_time_svg(with_indicators(data, indicators), lang)
    assert thousand in texts(chart.wide)  # an axis tick, in the chart's own number locale


def test_the_datas_text_is_escaped_in_the_picture_and_its_text_alternative(data):
    indicators = data["indicators"].copy()
    indicators.loc[indicators["indicator"] == "field_teams", "label_en"] = HOSTILE
    chart = offices_over_time_svg(with_indicators(data, indicators))
    assert HOSTILE in " ".join(texts(chart.wide))  # shown, as text
    assert "<script" not in chart.wide and "<img" not in chart.wide
    tag = image(chart.wide, chart.text, "omik-chart-wide")
    assert "<script" not in tag and HOSTILE not in tag and tag.count("<img ") == 1
    alt = re.search(r'alt="([^"]*)"', tag).group(1)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in alt
    source = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', tag).group(1)
    assert base64.b64decode(source).decode("utf-8") == chart.wide


def test_the_view_data_table_is_escaped_markdown_with_the_languages_numbers():
    frame = pd.DataFrame({"what": ["**x** | y", None], "value": [1500.0, 2.5]})
    table = markdown_table(frame, "sr").splitlines()
    assert table[:2] == ["| what | value |", "| --- | --- |"]
    assert table[2] == "| \\*\\*x\\*\\* \\| y | 1\\.500 |"  # shown as 1.500
    assert table[3] == "|  | 2,5 |"


def test_too_few_figures_draw_no_picture(data):
    indicators = data["indicators"]
    few = with_indicators(data, indicators[indicators["indicator"] == "field_offices"])
    spec = offices_over_time_chart(few)
    assert spec.chart is None and spec.reason
    with pytest.raises(ValueError, match="no chart to draw"):
        assert spec.svg


def test_the_map_page_shows_the_chart_as_a_picture_and_no_chart_or_table_element():
    at = run_page("map", opened=True)
    assert not at.get("vega_lite_chart") and not at.table  # no renderer or Arrow table script for the browser
    pictures = [h.proto.body for h in at.get("html") if "omik-static-chart" in h.proto.body]
    assert len(pictures) == 1
    assert pictures[0].count('src="data:image/svg+xml;base64,') == 2  # a desktop's and a phone's
    assert 'alt="Chart: The Mission&#x27;s offices over time' in pictures[0]
    assert any("offices over time, as the sources count them" in h.value for h in at.header)
    assert any("View data" in e.label for e in at.expander)
    assert any(m.value.startswith("| What | Period | Figure | As of | Source |") for m in at.markdown)


def test_the_map_pages_chart_in_serbian():
    at = run_page("map", lang="sr")
    (picture,) = [h.proto.body for h in at.get("html") if "omik-static-chart" in h.proto.body]
    wide = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', picture).group(1)
    assert "Stanje (godina)" in texts(base64.b64decode(wide).decode("utf-8"))
    assert 'alt="Grafikon: ' in picture


# --- the Budget's and Reports' charts: every figure written on the picture -------------

def reports_and_budget_charts(data, lang="en"):
    return [charts.budget_chart(data, lang),
            *(charts.indicator_chart(data, indicator, lang) for indicator in charts.CHARTED_INDICATORS),
            *(build(data, lang) for build in (monitoring.department_chart, monitoring.court_chart,
                                              monitoring.period_chart))]


@pytest.mark.parametrize("lang", ["en", "sr"])
def test_every_figure_is_written_on_the_budget_and_reports_pictures(data, lang):
    for spec in reports_and_budget_charts(data, lang):
        assert spec.chart is not None and len(spec.in_words) == len(spec.data), spec.key
        figures = [words.rsplit(": ", 1)[1] for words in spec.in_words]  # "2015: about €18,900,000"
        for svg in spec.svg:
            assert svg.startswith("<svg ") and "aria-label" not in svg
            shown = texts(svg)
            assert [f for f in figures if f not in shown] == [], spec.key
    assert "oko 7.000" in texts(charts.indicator_chart(data, "police_officers_trained", "sr").svg[0])


def test_the_line_charts_write_each_figure_as_the_source_hedges_it(data):
    budget = charts.budget_chart(data)
    for svg in budget.svg:
        assert {"about €18,900,000", "€17,462,600"} <= set(texts(svg))
    police = charts.indicator_chart(data, "police_officers_trained")
    assert {"1,383", "4,105", "about 7,000"} <= set(texts(police.svg[1]))  # the phone's too


def test_each_charts_figures_in_words_for_its_text_alternative(data):
    assert charts.budget_chart(data).in_words == ("2015: about €18,900,000", "2019: €17,462,600")
    assert charts.indicator_chart(data, "hate_incidents_reported", "sq").in_words == ("2018: 36", "2019: 7")
    assert charts.indicator_chart(data, "police_officers_trained").in_words == (
        "4 August 2000: 1,383", "15 September 2001: 4,105", "June 2005: about 7,000")
    departments = monitoring.department_chart(data)
    assert departments.in_words[:2] == ("Serious Crimes Department, Hearings monitored: 781",
                                        "Serious Crimes Department, Cases monitored: 280")
    assert "Basic Court of Gjakovë/Đakovica: 96%" in monitoring.court_chart(data).in_words
    assert "January 2014–June 2014, Court hearings monitored: 1,107" in monitoring.period_chart(data).in_words
    for spec in reports_and_budget_charts(data):
        assert len(spec.in_words) == len(spec.data), spec.key  # one for each figure plotted
        assert image_text(spec).startswith(f"Chart: {spec.title}. ")


def test_charts_without_their_figures_written_on_them_stay_in_the_browser(data):
    from dashboard import elections

    browser = [*(c for section in elections.sections(data, "en") for c in section.charts),
               charts.heads_of_mission_chart(data, 2026), charts.themes_milestones_chart(data)]
    assert all(spec.chart is not None and spec.in_words == () for spec in browser)


def test_labels_of_points_near_each_other_go_on_either_side_of_the_line(data):
    # The staffing trend's points of 1999 and 2000, and of 2008 and 2010, are months
    # apart: above both, their labels would run into each other.
    def labels(spec):  # the rows of the labels' layer
        return next(rows for rows in spec.chart.to_dict()["datasets"].values() if "below" in rows[0])

    below = {(row["category"], row["as_of"]): row["below"] for row in labels(charts.staffing_chart(data))}
    assert below[("local", "1999-12")] is False and below[("local", "2000-08-04")] is True
    assert below[("international", "2008-12")] is False and below[("international", "2010-08-01")] is True
    assert below[("total", "2008-12")] is False and below[("total", "2020-06-02")] is False  # twelve years apart
    assert [row["below"] for row in labels(charts.budget_chart(data))] == [False, False]  # 2015 and 2019: room enough


def test_a_chart_is_drawn_once_per_spec_at_a_desktops_and_a_phones_width(data, monkeypatch):
    from dashboard import static_charts

    spec = monitoring.court_chart(with_indicators(data, data["indicators"].copy()))  # a version of its own
    drawn = []
    convert = static_charts.to_svg
    monkeypatch.setattr(static_charts, "to_svg", lambda chart: drawn.append(chart.width) or convert(chart))
    wide, narrow = spec.svg
    # its phone's plot narrower than PHONE, its courts' names taking more than a phone's margin
    assert drawn[0] == static_charts.WIDE and all(width < static_charts.PHONE for width in drawn[1:])
    assert 2 <= len(drawn) <= 2 + 3
    times = len(drawn)
    assert spec.svg == (wide, narrow) and len(drawn) == times  # drawn once: kept on the spec
    assert static_charts.svg_width(narrow) <= static_charts.PHONE_COLUMN < 390 < static_charts.svg_width(wide) < 800


def test_every_phones_picture_fits_a_phones_column_with_its_text_unscaled(data):
    from dashboard.static_charts import PHONE_COLUMN, svg_width

    for lang in ("en", "sr"):
        assert [svg_width(narrow) for _, narrow in draw_pictures(data, lang) if svg_width(narrow) > PHONE_COLUMN] == []


def test_warming_up_draws_every_picture_of_the_default_views(data):
    pictures = draw_pictures(data)
    specs = [offices_over_time_chart(data), charts.staffing_split_chart(data), charts.staffing_chart(data),
             *reports_and_budget_charts(data)]
    assert len(pictures) == len(specs) and all("svg" in spec.__dict__ for spec in specs)  # drawn, kept on the spec
