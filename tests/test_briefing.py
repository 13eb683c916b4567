"""The printable briefing: a real PDF with the figures and sources as text."""
import io
import re
import subprocess
import sys

import pytest
from pypdf import PdfReader

from dashboard.briefing import build_briefing
from dashboard.cli import main
from dashboard.loading import load_dataset
from dashboard.paths import ROOT


@pytest.fixture(scope="module")
def data():
    return load_dataset()


@pytest.fixture(scope="module")
def pdf(data):
    return PdfReader(io.BytesIO(build_briefing(data)))


def text_of(reader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_importing_the_briefing_sets_up_no_plotting():
    # Figures are matplotlib Figures, not pyplot's: importing the module chooses no
    # backend and loads no pyplot (the app imports it on every page that offers one).
    code = ("import sys\n"
            "import dashboard.briefing\n"
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_briefing_leaves_no_figure_open(pdf):
    # geopandas draws the map through pyplot's module; nothing may stay in its figure
    # list, which would grow with every briefing a server builds.
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []


def test_the_briefing_is_two_to_six_a4_pages(pdf):
    # (four until the data gained the budget trend, the field presence and more staffing figures)
    assert 2 <= len(pdf.pages) <= 6
    width, height = (float(v) for v in pdf.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_kpis_and_their_sources_are_real_text(pdf):
    text = text_of(pdf)
    for figure in ("503", "€17,462,600", "over 30", "over 280", "about 25,735"):
        assert figure in text
    for title in ("OSCE Mission in Kosovo (fact sheet)", "25 Years Together", "Review of Political Missions 2010"):
        assert title in text
    assert "geoBoundaries" in text and "2016–2020" in text


def test_fonts_are_embedded(pdf):
    # reportlab lists Helvetica in every page's resources; what matters is that every
    # font the text is actually set in (``/Fn size Tf``) is embedded.
    used = 0
    for page in pdf.pages:
        fonts = page["/Resources"]["/Font"]
        for name in set(re.findall(rb"(/F[\w+]+) [\d.]+ Tf", page.get_contents().get_data())):
            font = fonts[name.decode()].get_object()
            assert "DejaVuSans" in font["/BaseFont"] and "/FontFile2" in font["/FontDescriptor"].get_object()
            used += 1
    assert used >= 4


def test_a_region_briefing_names_its_centre_and_municipalities(data):
    text = text_of(PdfReader(io.BytesIO(build_briefing(data, region="prizren"))))
    assert "briefing on the Prizren" in text
    assert "Regional Centre Prizren" in text
    assert "Dragash/Dragaš" in text


def test_an_empty_package_still_gives_an_honest_briefing(empty_data_dir):
    text = text_of(PdfReader(io.BytesIO(build_briefing(load_dataset(empty_data_dir)))))
    assert "No sourced figure" in text


def test_cli_writes_the_pdf(tmp_path, capsys):
    out = tmp_path / "briefing.pdf"
    assert main(["briefing", "--out", str(out), "--region", "peja"]) == 0
    assert PdfReader(out).pages and "Pejë/Peć" in text_of(PdfReader(out))


@pytest.mark.parametrize("args, message", [
    (["--out", "brief.txt"], "must name a .pdf"),
    (["--out", "/no/such/folder/b.pdf"], "does not exist"),
    (["--out", "b.pdf", "--region", "skopje"], 'no region "skopje"'),
    (["--out", "b.pdf", "--lang", "xx"], 'no interface language "xx"'),
    ([], "required: --out"),
])
def test_cli_bad_arguments_exit_2_with_a_clear_message(args, message, tmp_path):
    result = subprocess.run([sys.executable, "-m", "dashboard", "briefing", *args], cwd=tmp_path,
                            capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("lang, amount", [("sq", "17 462 600 €"), ("sr", "17.462.600 €")])
def test_the_briefing_speaks_the_chosen_language(data, lang, amount):
    from dashboard.i18n import t

    text = " ".join(text_of(PdfReader(io.BytesIO(build_briefing(data, lang=lang)))).replace("\u00a0", " ").split())
    assert t("briefing.title", lang) in text
    assert amount in text


def test_the_monitoring_trends_are_charted(pdf):
    text = text_of(pdf)
    assert "Police officers trained at the Kosovo Police Service School" in text


# --- text from the data is text in the PDF too ------------------------------------------

@pytest.fixture
def local_server():
    """A tiny HTTP server on this machine that records every request it gets: a
    briefing that fetched anything named in the data would show up here."""
    import http.server
    import threading

    hits = []

    class Record(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Record)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.hits = hits
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def with_text(data, table: str, columns: list[str], text: str):
    import dataclasses

    frame = data[table].copy()
    for column in columns:
        frame[column] = text
    return dataclasses.replace(data, tables={**data.tables, table: frame})


def squeezed(text: str) -> str:
    return "".join(text.split())  # the PDF's text wraps lines wherever it likes


@pytest.mark.parametrize("table, columns, template", [
    ("sources", ["title"], '<img src="{url}/title.png" width="20" height="20"/>'),
    ("sources", ["publisher"], '<a href="{url}/publisher">publisher</a>'),
    ("indicators", ["label_en"], "<img src='{url}/label.png'/> & <b>bold</b> &amp;"),
    ("milestones", ["title_en"], '<font color="red">{url}/milestone</font> <link href="{url}/l">x</link>'),
    ("regions", ["name_en"], '$\\frac{{$ <img src="{url}/region.png"/>'),  # also matplotlib's LaTeX
    ("indicators", ["unit"], "$\\frac{{$ {url}/unit"),  # only on a chart's axis (a picture): it must not break it
])
def test_markup_in_the_data_is_printed_as_text_and_fetches_nothing(data, local_server, table, columns, template):
    payload = template.format(url=local_server.url)
    hostile = with_text(data, table, columns, payload)
    text = text_of(PdfReader(io.BytesIO(build_briefing(hostile, region="prizren"))))
    assert local_server.hits == []
    assert squeezed(payload) in squeezed(text) or columns == ["unit"]


def test_only_web_addresses_of_sources_are_printed(data):
    sources = data["sources"].copy()
    sources["url"] = ["javascript:alert(1)" if i % 2 else "https://example.org/source" for i in range(len(sources))]
    import dataclasses

    text = text_of(PdfReader(io.BytesIO(build_briefing(dataclasses.replace(data, tables={**data.tables,
                                                                                           "sources": sources})))))
    assert "https://example.org/source" in text and "javascript" not in text


def test_the_briefing_carries_the_tables_status(data):
    import datetime as dt

    from dashboard.freshness import package_freshness
    from dashboard.schema import resources

    early = " ".join(text_of(PdfReader(io.BytesIO(build_briefing(data, today=dt.date(2021, 6, 1))))).split())
    assert "How current these figures are" in early and "Up to date" in early and "Overdue" not in early
    changed = package_freshness(data, resources(), dt.date(2030, 1, 1), {"budget": "2029-03-04T10:00:00+00:00"})
    late = PdfReader(io.BytesIO(build_briefing(data, today=dt.date(2030, 1, 1), freshness=changed)))
    text = " ".join(text_of(late).split())  # (cells wrap their lines)
    assert "Overdue" in text and "last changed 4 March 2029" in text
    assert "not changed since the package was loaded" in text
    assert 2 <= len(late.pages) <= 6


# --- the briefing's charts and map say what they show ----------------------------------

def _tick_years(fig) -> list[str]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    axis = fig.axes[0]
    low, high = axis.get_xlim()  # (the locator also names the ticks just outside, which are not drawn)
    return [label.get_text() for tick, label in zip(axis.get_xticks(), axis.get_xticklabels())
            if low <= tick <= high and label.get_text()]


def _spec(as_of: list[str]):
    import pandas as pd

    from dashboard.charts import ChartSpec

    return ChartSpec("x", "x", pd.DataFrame({"as_of": as_of, "value": range(len(as_of))}), object(), None, "")


@pytest.mark.parametrize("as_of", [
    ["2018", "2019"],  # the hate incidents: a date locator marked months, "2018 2018 2018..."
    ["2000-08-04", "2001-09-15", "2005-06"],  # police trained
    ["2001-03", "2001-09"],  # two figures of one year
    ["2001-03-01", "2001-03-02"],
    ["1999-12", "2010-08-01", "2024"],
    [str(y) for y in range(1950, 2025, 3)],  # a long series
    ["1999", "2000", "2001", "2002", "2003", "2004", "2005", "2006", "2007"],
])
def test_chart_years_are_whole_years_each_once(as_of):
    from dashboard.briefing import MAX_YEAR_TICKS, trend_figure

    years = _tick_years(trend_figure(_spec(as_of), "people"))
    assert years, "no year on the axis"
    assert all(re.fullmatch(r"\d{4}", y) for y in years), years
    assert len(years) == len(set(years)) <= MAX_YEAR_TICKS, years
    first, last = int(as_of[0][:4]), int(as_of[-1][:4])
    assert all(first - 1 <= int(y) <= last + 1 for y in years)


@pytest.mark.parametrize("indicator", ["police_officers_trained", "hate_incidents_reported"])
def test_the_briefing_charts_of_the_monitoring_trends_repeat_no_year(data, indicator):
    from dashboard.briefing import trend_figure
    from dashboard.charts import indicator_chart

    years = _tick_years(trend_figure(indicator_chart(data, indicator, "en"), "people"))
    assert len(years) == len(set(years)) >= 2


@pytest.mark.parametrize("lang, region", [("en", None), ("sr", None), ("sq", "prizren")])
def test_the_briefing_map_has_a_key(data, lang, region):
    from dashboard.briefing import static_map_figure
    from dashboard.i18n import place_name, t

    fig = static_map_figure(data, lang, region)
    assert len(fig.legends) == 1
    key = fig.legends[0]
    assert " ".join(key.get_title().get_text().split()) == t("map.legend_title", lang)
    labels = [" ".join(text.get_text().split()) for text in key.get_texts()]
    shown = [place_name(row, lang) for _, row in data["regions"].iterrows() if region in (None, row["id"])]
    assert labels[:len(shown)] == shown
    assert t("office.kind_plural.regional_centre", lang) in labels


@pytest.mark.parametrize("lang", ["sq", "sr"])
def test_the_briefing_charts_name_their_unit_in_the_chosen_language(data, lang, monkeypatch):
    """The y-axis of a trend says its unit as the page's chart does ("Numri (kadetë)"),
    not as the data package writes it ("cadets")."""
    from dashboard import briefing
    from dashboard.i18n import t

    titles: list[str] = []
    monkeypatch.setattr(briefing, "_chart", lambda _story, _spec, y_title, _lang: titles.append(y_title))
    monkeypatch.delitem(data.derived, build_briefing, raising=False)  # built here, not one another test kept
    build_briefing(data, lang=lang)
    assert t("chart.axis.count", lang, unit=t("unit.cadets", lang)) in titles
    assert not any("cadets" in title or "incidents" in title for title in titles)
