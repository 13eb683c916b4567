"""The offices-over-time chart drawn on the server as SVG (dashboard/static_charts.py,
ui/static_chart.py): the picture in the reader's language and number format, the
data's text escaped, every figure in its text alternative, and a page that needs
no chart or table script in the browser."""
import base64
import dataclasses
import re

import pandas as pd
import pytest

from conftest import run_page
from dashboard.charts import offices_over_time_chart
from dashboard.loading import load_dataset
from dashboard.static_charts import offices_over_time_svg
from dashboard.ui.static_chart import image, markdown_table

HOSTILE = '<img src=x onerror="alert(1)"> & </text><script>alert(2)</script>'


@pytest.fixture(scope="module")
def data():
    return load_dataset()


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
    chart = offices_over_time_svg(few)
    assert chart.spec.chart is None and not chart.wide and not chart.narrow
    assert offices_over_time_chart(few).reason


def test_the_map_page_shows_the_chart_as_a_picture_and_no_chart_or_table_element():
    at = run_page("map", opened=True)
    assert not at.get("vega_lite_chart") and not at.table  # no renderer or Arrow table script for the browser
    pictures = [h.proto.body for h in at.get("html") if "omik-static-chart" in h.proto.body]
    assert len(pictures) == 1
    assert pictures[0].count('src="data:image/svg+xml;base64,') == 2  # a desktop's and a phone's
    assert 'alt="Chart: The Mission&#x27;s offices over time' in pictures[0]
    assert any("offices over time, as the sources count them" in h.value for h in at.header)
    assert any("View data" in e.label for e in at.expander)
    assert any(m.value.startswith("| period | indicator | value |") for m in at.markdown)


def test_the_map_pages_chart_in_serbian():
    at = run_page("map", lang="sr")
    (picture,) = [h.proto.body for h in at.get("html") if "omik-static-chart" in h.proto.body]
    wide = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', picture).group(1)
    assert "Stanje (godina)" in texts(base64.b64decode(wide).decode("utf-8"))
    assert 'alt="Grafikon: ' in picture
