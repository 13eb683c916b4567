"""The printable briefing: an A4 PDF of the headline figures with their sources,
a static map of the presence, the staffing, budget and monitoring figures, the
latest milestones and the sources.

Built with reportlab (real, selectable text; DejaVu Sans embedded, which covers
Albanian and Serbian letters) and matplotlib/geopandas for the map and chart, so it
needs no browser and no network.

Any reader can ask for it, so what the data can make it cost is bounded: every data
string is cut (with "…", in the PDF only) before it is drawn, pictures have a fixed
largest size whatever their labels, each table prints at most ``MAX_ROWS`` rows, one
briefing is built at a time per server, and a built one is kept with its data
version (``build_briefing``).
"""
from __future__ import annotations

import datetime as dt
import html
import io
import textwrap
import threading
from collections import OrderedDict
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
from reportlab.lib.pagesizes import A4  # (these two: a few milliseconds, no more)
from reportlab.lib.units import mm

from . import charts
from .details import region_detail
from .display_tables import figures_table, unit_text
from .formatting import babel_locale, web_url
from .freshness import Freshness, freshness_frame, package_freshness
from .i18n import BIDI_CONTROLS, english_only, place_name, t
from .kpis import CUMULATIVE_PERIOD, indicator_kpis, overview_kpis
from .loading import Dataset
from .maps import OFFICE_STYLES, legend_items, municipality_features
from .paths import app_data_dir
from .places import office_location
from .provenance import SourceRef, format_as_of, source_ref
from .schema import resources

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Image, Paragraph, Table

# matplotlib, geopandas and the rest of reportlab (two seconds and more of imports on
# a new server) are imported by the functions that draw, when a briefing is built:
# every page imports this module for its download button, and a new server's first
# page must not wait for them (bench/cold_start.py; tests/test_cold_start.py).
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
CONTENT_WIDTH = A4[0] - 30 * mm
# The tables the briefing prints figures from, whose freshness it states.
PRINTED_TABLES = ("staffing", "budget", "indicators", "offices", "regions", "municipalities", "milestones")
# The bounds on data text: a label drawn in a picture, a table cell (a narrow column
# of a longer text would not fit on a page), any other paragraph.
FIGURE_TEXT, CELL_TEXT, PARAGRAPH_TEXT = 36, 200, 1500
MAX_ROWS = 60  # rows of one table (or cited sources) printed; the rest is on the dashboard
DPI = 200
# A picture is at most its figure's size plus this margin (inches) on each side,
# whatever sticks out of it: a label cannot make an image of a billion pixels.
FIGURE_MARGIN = 0.5
KEPT_PER_VERSION = 18  # built briefings kept per data version: 6 views x 3 languages
BUILD_WAIT = 120.0  # seconds a request waits for the briefing being built before it gives up


def clip(text: object, limit: int) -> str:
    """Data text as the briefing draws it: on one line, without bidirectional
    controls (neither reportlab nor matplotlib applies them, so they would only
    show as boxes), cut to ``limit`` characters with "…"."""
    flat = " ".join(str(text).translate(_NO_BIDI).split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


_NO_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))


def _fonts() -> None:
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        font_dir = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        pdfmetrics.registerFont(TTFont(FONT, str(font_dir / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(font_dir / "DejaVuSans-Bold.ttf")))


@cache
def _styles() -> dict[str, ParagraphStyle]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    return {
        "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=4),
        "h2": ParagraphStyle("h2", fontName=FONT_BOLD, fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=4,
                             keepWithNext=1),
        "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12),
        "h3": ParagraphStyle("h3", fontName=FONT_BOLD, fontSize=9, leading=12, spaceBefore=4, keepWithNext=1),
        "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5,
                                textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
        "head": ParagraphStyle("head", fontName=FONT_BOLD, fontSize=8, leading=10),
    }


def _p(text: object, style: str = "body", limit: int = PARAGRAPH_TEXT) -> Paragraph:
    # Paragraph reads a little HTML (<a href>, <img src> that it would fetch while
    # building the PDF); text from the data must not be taken as markup.
    from reportlab.platypus import Paragraph

    return Paragraph(html.escape(clip(text, limit), quote=False), _styles()[style])


def _table(header: list[str], rows: list[list[object]], widths: list[float]) -> Table:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table([[_p(h, "head", CELL_TEXT) for h in header]]
                  + [[_p(c, "cell", CELL_TEXT) for c in row] for row in rows[:MAX_ROWS]],
                  colWidths=[w * CONTENT_WIDTH for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def _png(fig: Figure) -> io.BytesIO:
    # Figures are matplotlib.figure.Figure, not pyplot's: no backend to choose at
    # import (nor a display a server lacks), no global list of figures to close, and
    # a briefing built in one session's thread cannot draw on another's figure.
    # Cropped to what is drawn, as bbox_inches="tight" does, but never past the
    # figure's size and a margin: "tight" grows the image to hold any label.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    width, height = fig.get_size_inches()
    drawn = fig.get_tightbbox(FigureCanvasAgg(fig).get_renderer()).padded(0.1)
    box = Bbox.intersection(drawn, Bbox.from_extents(-FIGURE_MARGIN, -FIGURE_MARGIN, width + FIGURE_MARGIN,
                                                     height + FIGURE_MARGIN))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches=box or "tight")
    buffer.seek(0)
    return buffer


def _image(png: io.BytesIO, width: float) -> Image:
    """The picture ``width`` points wide, at its own proportions."""
    from PIL import Image as PILImage
    from reportlab.platypus import Image

    with PILImage.open(png) as picture:
        pixels_wide, pixels_high = picture.size
    png.seek(0)
    return Image(png, width=width, height=width * pixels_high / pixels_wide)


def static_map_png(data: Dataset, lang: str = "en", region: str | None = None) -> io.BytesIO:
    """The presence as a PNG: municipalities by region (the others faded when
    ``region`` is given) and the offices, drawn from the same geography as the app,
    with its key."""
    return _png(static_map_figure(data, lang, region))


def static_map_figure(data: Dataset, lang: str = "en", region: str | None = None) -> Figure:
    """``static_map_png``'s figure."""
    import geopandas as gpd
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    features = municipality_features(data, lang, region)
    frame = gpd.GeoDataFrame.from_features(features["features"], crs="EPSG:4326")
    fig = Figure(figsize=(7.4, 5.2))
    ax = fig.add_axes((0, 0, 0.74, 1))  # the key to its right (fixed places: no layout engine to grow them)
    frame.plot(ax=ax, color=frame["colour"], alpha=[min(1.0, o + 0.3) for o in frame["opacity"]],
               edgecolor="#444444", linewidth=0.4)
    # Where the app's map draws each office: its point, or its municipality's seat.
    places = [office_location(row) for _, row in data["offices"].iterrows()]
    offices = data["offices"].assign(lat=[p.lat if p else None for p in places],
                                     lon=[p.lon if p else None for p in places]).dropna(subset=["lat", "lon"])
    for kind in ("field_team", "regional_centre", "headquarters"):
        rows = offices[offices["kind"] == kind]
        style = OFFICE_STYLES[kind]
        ax.scatter(rows["lon"].astype(float), rows["lat"].astype(float), s=style["radius"] ** 2 * 1.6,
                   c=style["fill_color"], edgecolors=style["color"], linewidths=1, zorder=3,
                   label=t(f"office.kind_plural.{kind}", lang) if len(rows) else None)
    regions = data["regions"].set_index("id")
    for _, row in offices[offices["kind"] == "regional_centre"].iterrows():
        if row["region_id"] in regions.index:
            ax.annotate(clip(place_name(regions.loc[row["region_id"]], lang), FIGURE_TEXT),
                        (float(row["lon"]), float(row["lat"])),
                        xytext=(6, 4), textcoords="offset points", fontsize=7, parse_math=False,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#888888", "lw": 0.5})
    if region:
        west, south, east, north = frame[frame["region_id"] == region].total_bounds
        ax.set_xlim(west - 0.05, east + 0.05)
        ax.set_ylim(south - 0.05, north + 0.05)
    ax.set_aspect(1 / 0.74)  # at 42.6° N a degree of longitude is about 0.74 of one of latitude
    ax.set_axis_off()
    # The key, as the app's map has it: the regional centres' areas (the colours),
    # then the offices, beside the map rather than over Kosovo.
    areas = [Patch(facecolor=colour, edgecolor="#444444", linewidth=0.4,
                   label=textwrap.fill(clip(name, FIGURE_TEXT), KEY_LINE))
             for (colour, name), shown in zip(legend_items(data, lang), data["regions"]["id"])
             if region in (None, shown)][:MAX_LEGEND_AREAS]
    handles, _ = ax.get_legend_handles_labels()
    if areas or handles:
        key = fig.legend(handles=[*areas, *handles], loc="center left", bbox_to_anchor=(0.75, 0.5), fontsize=7,
                         frameon=False, title=textwrap.fill(t("map.legend_title", lang), KEY_LINE) if areas else None,
                         title_fontsize=7.5, alignment="left")
        for text in key.get_texts():
            text.set_parse_math(False)  # a region's name is data: "$" is not LaTeX
    return fig


MAX_LEGEND_AREAS = 12  # the regions table holds up to 100 rows; a key of 100 would hide the map
KEY_LINE = 20  # characters per line of the map's key, which has a quarter of the figure's width


def trend_png(spec: charts.ChartSpec, y_title: str, lang: str = "en") -> io.BytesIO | None:
    """A trend chart as a PNG, from exactly the rows the app's chart plots
    (``as_of``, ``value`` or ``amount`` and, where present, ``category``); ``None`` when the app
    draws no chart either (fewer than two dated figures)."""
    if spec.chart is None:
        return None
    return _png(trend_figure(spec, y_title, lang))


MAX_YEAR_TICKS = 7


def trend_figure(spec: charts.ChartSpec, y_title: str, lang: str = "en") -> Figure:
    """``trend_png``'s figure. The x axis is marked in whole years, each once, at
    most ``MAX_YEAR_TICKS`` of them (every second year, or fifth, on a long span):
    a date locator marked months on a short span, each labelled with its year."""
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.ticker import NullLocator

    fig = Figure(figsize=(6.2, 2.2))
    ax = fig.subplots()
    column = "value" if "value" in spec.data else "amount"  # (budget rows have an amount)
    groups = spec.data.groupby("category") if "category" in spec.data else [(None, spec.data)]
    for category, group in groups:
        # as timestamps, which matplotlib plots as it does dates and its type stubs accept
        dates = pd.to_datetime([charts.as_of_bounds(v)[0] for v in group["as_of"]])
        ax.plot(dates, group[column].astype(float), linestyle="--", marker="o",
                color=charts.CATEGORY_COLOURS.get(category, charts.PALETTE[0]) if category else charts.PALETTE[0],
                label=clip(t(f"staffing.category.{category}", lang), FIGURE_TEXT) if category else None)
    every = pd.to_datetime([charts.as_of_bounds(v)[0] for v in spec.data["as_of"]])
    first, last = every.min().year, every.max().year
    # From a little before the first figure's year begins to a little after the last
    # figure: at least one new year inside, so at least one tick.
    ax.set_xlim(pd.Timestamp(first, 1, 1) - pd.Timedelta(days=60),
                max(every.max(), pd.Timestamp(first, 1, 1)) + pd.Timedelta(days=120))
    step = max(1, -(-(last - first + 1) // MAX_YEAR_TICKS))
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, step) if s >= step)
    ax.xaxis.set_major_locator(mdates.YearLocator(base=step))
    ax.xaxis.set_minor_locator(mdates.YearLocator(base=1) if step > 1 else NullLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_ylabel(clip(y_title, FIGURE_TEXT), parse_math=False)  # the unit is data: "$" is not LaTeX
    ax.set_xlabel(t("chart.axis.as_of", lang))
    ax.set_ylim(bottom=0)
    if "category" in spec.data:
        ax.legend(fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _chart(story: list, spec: charts.ChartSpec, y_title: str, lang: str) -> None:
    png = trend_png(spec, y_title, lang)
    if png is not None:
        story.append(_p(spec.title, "h3"))
        story.append(_image(png, CONTENT_WIDTH * 0.6))
        story.append(_p(spec.caption, "small"))


_BUILDING = threading.Lock()


class BriefingBusy(RuntimeError):
    """Another briefing took longer than ``BUILD_WAIT`` to build."""


def build_briefing(data: Dataset, region: str | None = None, lang: str = "en",
                   today: dt.date | None = None, freshness: list[Freshness] | None = None) -> bytes:
    """The briefing PDF, in ``lang``; with ``region`` (an id in regions.csv) it
    opens with that region's centre and municipalities and its map is zoomed there.

    ``freshness``: the tables' statuses with their last change (``freshness.
    package_freshness`` with the store's history); without it the statuses are
    worked out from ``data`` on ``today``, and the last change is left unsaid.

    Built once per Dataset (one data version in the app), view, language, day and
    statuses, and kept with the Dataset (``KEPT_PER_VERSION`` at most); one at a
    time per server, so readers asking together wait for one build and share it,
    and a build uses one core, never the server's every core. Streamlit runs a
    download's callable off the page's script thread, so no page run waits for it.
    ``BriefingBusy`` after ``BUILD_WAIT`` seconds of waiting for another one."""
    today = today or dt.date.today()
    if freshness is None:
        freshness = package_freshness(data, resources(app_data_dir()), today)
    key = (region, lang, today, tuple(freshness))
    kept: OrderedDict = data.derived.setdefault(build_briefing, OrderedDict())
    if key in kept:
        return kept[key]
    if not _BUILDING.acquire(timeout=BUILD_WAIT):
        raise BriefingBusy(f"another briefing has been building for over {BUILD_WAIT:.0f} s")
    try:
        if key not in kept:  # (built while this one waited)
            kept[key] = _build(data, region, lang, today, freshness)
            while len(kept) > KEPT_PER_VERSION:
                kept.popitem(last=False)
        return kept[key]
    finally:
        _BUILDING.release()


def _build(data: Dataset, region: str | None, lang: str, today: dt.date, freshness: list[Freshness]) -> bytes:
    from reportlab.platypus import SimpleDocTemplate

    _fonts()
    story = []
    title = t("briefing.title", lang)
    if region:
        title = t("briefing.title_region", lang,
                  region=clip(place_name(data["regions"].set_index("id").loc[region], lang), FIGURE_TEXT))
    story += [_p(title, "title"),
              _p(t("briefing.date", lang, date=format_as_of(today.isoformat(), lang)), "small"),
              _p(t("briefing.intro", lang), "body")]

    story.append(_p(t("overview.kpis", lang), "h2"))
    kpis = overview_kpis(data, lang)
    story.append(_table([t("table.what", lang), t("table.figure", lang), t("table.source", lang),
                         t("table.as_of", lang)],
                        [[k.label(lang), k.display_value(lang) + (f" ({k.detail})" if k.detail else ""),
                          k.source.title if k.source else t("kpi.no_source", lang),
                          format_as_of(k.as_of, lang) if k.as_of else ""] for k in kpis],
                        [0.2, 0.25, 0.4, 0.15]))

    if region:
        detail = region_detail(data, region, lang)
        story.append(_p(detail.title, "h2"))
        story += [_p(f"{label}: {clip(value, CELL_TEXT)}") for label, value in detail.facts if value]
        story.append(_p(f"{detail.members_title}: {', '.join(clip(m, FIGURE_TEXT) for m in detail.members)}"))
        story += [_p(note, "small") for note in detail.notes]

    story.append(_p(t("overview.map", lang), "h2"))
    story.append(_image(static_map_png(data, lang, region), CONTENT_WIDTH * 0.75))
    story.append(_p(t("map.attribution", lang), "small"))

    story.append(_p(t("staffing.title", lang), "h2"))
    _chart(story, charts.staffing_chart(data, lang), t("staffing.axis.people", lang), lang)
    _figures(story, data, "staffing", lang)

    story.append(_p(t("budget.title", lang), "h2"))
    _chart(story, charts.budget_chart(data, lang), t("budget.axis.eur", lang), lang)
    _figures(story, data, "budget", lang)

    story.append(_p(t("reports.title", lang), "h2"))
    cumulative = indicator_kpis(data, None, lang, period=CUMULATIVE_PERIOD)
    story.append(_table([t("table.what", lang), t("table.figure", lang), t("table.source", lang)],
                        [[k.label(lang), k.display_value(lang),
                          k.source.title if k.source else t("kpi.no_source", lang)] for k in cumulative],
                        [0.45, 0.2, 0.35]) if cumulative else _p(t("reports.no_cumulative", lang)))
    story += _more(len(cumulative), lang)
    for indicator in charts.CHARTED_INDICATORS:
        spec = charts.indicator_chart(data, indicator, lang)
        unit = unit_text(spec.data["unit"].iloc[0], lang) if len(spec.data) else ""  # as the page's axis has it
        _chart(story, spec, t("chart.axis.count", lang, unit=unit), lang)

    story.append(_p(t("briefing.milestones", lang), "h2"))
    latest = data["milestones"].sort_values("year", kind="stable").tail(8)
    printed = [data["staffing"], data["budget"], data["offices"], data["regions"], latest,
               *(charts.indicator_chart(data, i, lang).data for i in charts.CHARTED_INDICATORS)]
    story += ([_p(f"{int(r['year'])}: {english_only(clip(r['title_en'], CELL_TEXT), lang)}")
               for _, r in latest.iterrows()]
              or [_p(t("history.no_milestones", lang))])

    story.append(_p(t("freshness.briefing_title", lang), "h2"))
    current = freshness_frame([f for f in freshness if f.table in PRINTED_TABLES], lang)
    story.append(_table(list(current.columns), current.values.tolist(), [0.16, 0.12, 0.16, 0.34, 0.22]))

    story.append(_p(t("briefing.sources", lang), "h2"))
    cited = _cited_sources(data, printed, [k.source for k in [*kpis, *cumulative] if k.source])
    # Only a web address is printed: the PDF is for people, and a reader's viewer may make it a link.
    story += [_p(" ".join(filter(None, [f"{clip(s.title, CELL_TEXT)}. {clip(s.publisher, CELL_TEXT)}.",
                                        clip(web_url(s.url) or "", CELL_TEXT)])), "small") for s in cited[:MAX_ROWS]]
    story += _more(len(cited), lang)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=title, author="OSCE Mission in Kosovo dashboard",
                            lang=babel_locale(lang).replace("_", "-"), initialFontName=FONT)
    doc.build(story, onFirstPage=_footer(lang), onLaterPages=_footer(lang))
    return buffer.getvalue()


def _figures(story: list, data: Dataset, name: str, lang: str) -> None:
    frame = figures_table(data, name, lang)
    columns = [t("table.what", lang), t("table.figure", lang), t("table.as_of", lang), t("table.source", lang)]
    story.append(_table(columns, frame[columns].values.tolist(), [0.3, 0.2, 0.15, 0.35]))
    story += _more(len(frame), lang)


def _more(count: int, lang: str) -> list[Paragraph]:
    """The note under a list cut at ``MAX_ROWS``."""
    return [_p(t("briefing.more_rows", lang, count=count - MAX_ROWS), "small")] if count > MAX_ROWS else []


def _cited_sources(data: Dataset, frames: list[pd.DataFrame], refs: list[SourceRef]) -> list[SourceRef]:
    """The sources of what the briefing prints (``frames``' rows and the figures'
    ``refs``), in the order of sources.csv: a briefing cites what it shows, not the
    whole package."""
    ids = {r.id for r in refs}
    for frame in frames:
        for column in ("source_id", "location_source_id"):
            if column in frame:
                ids.update(frame[column].dropna())
    return [source_ref(data["sources"], s) for s in data["sources"]["id"] if s in ids]


def _footer(lang: str):
    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 8 * mm, t("briefing.footer", lang))
        canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, t("briefing.page", lang, page=doc.page))
        canvas.restoreState()
    return draw
