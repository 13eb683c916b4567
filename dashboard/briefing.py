"""The printable briefing: an A4 PDF of the headline figures with their sources,
a static map of the presence, the staffing, budget and monitoring figures, the
latest milestones and the sources.

Built with reportlab (real, selectable text; DejaVu Sans embedded, which covers
Albanian and Serbian letters) and matplotlib/geopandas for the map and chart, so it
needs no browser and no network.
"""
from __future__ import annotations

import datetime as dt
import html
import io
from pathlib import Path

import geopandas as gpd
import matplotlib
import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table, TableStyle

from . import charts
from .details import region_detail
from .display_tables import figures_table
from .formatting import babel_locale, web_url
from .freshness import Freshness, freshness_frame, package_freshness
from .i18n import english_only, place_name, t
from .kpis import CUMULATIVE_PERIOD, indicator_kpis, overview_kpis
from .loading import Dataset
from .maps import OFFICE_STYLES, municipality_features
from .paths import app_data_dir
from .places import office_location
from .provenance import SourceRef, format_as_of, source_ref
from .schema import resources

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
CONTENT_WIDTH = A4[0] - 30 * mm
# The tables the briefing prints figures from, whose freshness it states.
PRINTED_TABLES = ("staffing", "budget", "indicators", "offices", "regions", "municipalities", "milestones")


def _fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))


STYLES = {
    "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=18, leading=22, spaceAfter=4),
    "h2": ParagraphStyle("h2", fontName=FONT_BOLD, fontSize=12.5, leading=16, spaceBefore=10, spaceAfter=4,
                         keepWithNext=1),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12),
    "h3": ParagraphStyle("h3", fontName=FONT_BOLD, fontSize=9, leading=12, spaceBefore=4, keepWithNext=1),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444")),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
    "head": ParagraphStyle("head", fontName=FONT_BOLD, fontSize=8, leading=10),
}


def _p(text: object, style: str = "body") -> Paragraph:
    # Paragraph reads a little HTML (<a href>, <img src> that it would fetch while
    # building the PDF); text from the data must not be taken as markup.
    return Paragraph(html.escape(str(text), quote=False), STYLES[style])


def _table(header: list[str], rows: list[list[object]], widths: list[float]) -> Table:
    table = Table([[_p(h, "head") for h in header]] + [[_p(c, "cell") for c in row] for row in rows],
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
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200, bbox_inches="tight")
    buffer.seek(0)
    return buffer


def static_map_png(data: Dataset, lang: str = "en", region: str | None = None) -> io.BytesIO:
    """The presence as a PNG: municipalities by region (the others faded when
    ``region`` is given) and the offices, drawn from the same geography as the app."""
    features = municipality_features(data, lang, region)
    frame = gpd.GeoDataFrame.from_features(features["features"], crs="EPSG:4326")
    fig = Figure(figsize=(6.2, 5.2))
    ax = fig.subplots()
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
            ax.annotate(place_name(regions.loc[row["region_id"]], lang), (float(row["lon"]), float(row["lat"])),
                        xytext=(6, 4), textcoords="offset points", fontsize=7, parse_math=False,
                        bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#888888", "lw": 0.5})
    if region:
        west, south, east, north = frame[frame["region_id"] == region].total_bounds
        ax.set_xlim(west - 0.05, east + 0.05)
        ax.set_ylim(south - 0.05, north + 0.05)
    ax.set_aspect(1 / 0.74)  # at 42.6° N a degree of longitude is about 0.74 of one of latitude
    ax.set_axis_off()
    if len(offices):
        ax.legend(loc="lower left", fontsize=7, frameon=True)
    return _png(fig)


def trend_png(spec: charts.ChartSpec, y_title: str, lang: str = "en") -> io.BytesIO | None:
    """A trend chart as a PNG, from exactly the rows the app's chart plots
    (``as_of``, ``value`` and, where present, ``category``); ``None`` when the app
    draws no chart either (fewer than two dated figures)."""
    if spec.chart is None:
        return None
    fig = Figure(figsize=(6.2, 2.2))
    ax = fig.subplots()
    groups = spec.data.groupby("category") if "category" in spec.data else [(None, spec.data)]
    for category, group in groups:
        # as timestamps, which matplotlib plots as it does dates and its type stubs accept
        dates = pd.to_datetime([charts.as_of_bounds(v)[0] for v in group["as_of"]])
        ax.plot(dates, group["value"].astype(float), linestyle="--", marker="o",
                color=charts.CATEGORY_COLOURS.get(category, charts.PALETTE[0]) if category else charts.PALETTE[0],
                label=t(f"staffing.category.{category}", lang) if category else None)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_ylabel(y_title, parse_math=False)  # the unit comes from the data: "$" is not LaTeX
    ax.set_xlabel(t("chart.axis.as_of", lang))
    ax.set_ylim(bottom=0)
    if "category" in spec.data:
        ax.legend(fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _png(fig)


def _chart(story: list, spec: charts.ChartSpec, y_title: str, lang: str) -> None:
    png = trend_png(spec, y_title, lang)
    if png is not None:
        story.append(_p(spec.title, "h3"))
        story.append(Image(png, width=CONTENT_WIDTH * 0.7, height=CONTENT_WIDTH * 0.7 * 0.36))
        story.append(_p(spec.caption, "small"))


def build_briefing(data: Dataset, region: str | None = None, lang: str = "en",
                   today: dt.date | None = None, freshness: list[Freshness] | None = None) -> bytes:
    """The briefing PDF, in ``lang``; with ``region`` (an id in regions.csv) it
    opens with that region's centre and municipalities and its map is zoomed there.

    ``freshness``: the tables' statuses with their last change (``freshness.
    package_freshness`` with the store's history); without it the statuses are
    worked out from ``data`` on ``today``, and the last change is left unsaid."""
    _fonts()
    today = today or dt.date.today()
    if freshness is None:
        freshness = package_freshness(data, resources(app_data_dir()), today)
    story = []
    title = t("briefing.title", lang)
    if region:
        title = t("briefing.title_region", lang, region=place_name(data["regions"].set_index("id").loc[region], lang))
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
        story += [_p(f"{label}: {value}") for label, value in detail.facts if value]
        story.append(_p(f"{detail.members_title}: {', '.join(detail.members)}"))
        story += [_p(note, "small") for note in detail.notes]

    story.append(_p(t("overview.map", lang), "h2"))
    story.append(Image(static_map_png(data, lang, region), width=CONTENT_WIDTH * 0.7,
                       height=CONTENT_WIDTH * 0.7 * 0.84))
    story.append(_p(t("map.attribution", lang), "small"))

    story.append(_p(t("staffing.title", lang), "h2"))
    _chart(story, charts.staffing_chart(data, lang), t("staffing.axis.people", lang), lang)
    story.append(_figures(data, "staffing", lang))

    story.append(_p(t("budget.title", lang), "h2"))
    _chart(story, charts.budget_chart(data, lang), t("budget.axis.eur", lang), lang)
    story.append(_figures(data, "budget", lang))

    story.append(_p(t("reports.title", lang), "h2"))
    cumulative = indicator_kpis(data, None, lang, period=CUMULATIVE_PERIOD)
    story.append(_table([t("table.what", lang), t("table.figure", lang), t("table.source", lang)],
                        [[k.label(lang), k.display_value(lang),
                          k.source.title if k.source else t("kpi.no_source", lang)] for k in cumulative],
                        [0.45, 0.2, 0.35]) if cumulative else _p(t("reports.no_cumulative", lang)))
    for indicator in charts.CHARTED_INDICATORS:
        spec = charts.indicator_chart(data, indicator, lang)
        unit = spec.data["unit"].iloc[0] if len(spec.data) else ""
        _chart(story, spec, t("chart.axis.count", lang, unit=unit), lang)

    story.append(_p(t("briefing.milestones", lang), "h2"))
    latest = data["milestones"].sort_values("year", kind="stable").tail(8)
    printed = [data["staffing"], data["budget"], data["offices"], data["regions"], latest,
               *(charts.indicator_chart(data, i, lang).data for i in charts.CHARTED_INDICATORS)]
    story += ([_p(f"{int(r['year'])}: {english_only(r['title_en'], lang)}") for _, r in latest.iterrows()]
              or [_p(t("history.no_milestones", lang))])

    story.append(_p(t("freshness.briefing_title", lang), "h2"))
    current = freshness_frame([f for f in freshness if f.table in PRINTED_TABLES], lang)
    story.append(_table(list(current.columns), current.values.tolist(), [0.16, 0.12, 0.16, 0.34, 0.22]))

    story.append(_p(t("briefing.sources", lang), "h2"))
    cited = _cited_sources(data, printed, [k.source for k in [*kpis, *cumulative] if k.source])
    # Only a web address is printed: the PDF is for people, and a reader's viewer may make it a link.
    story += [_p(" ".join(filter(None, [f"{s.title}. {s.publisher}.", web_url(s.url)])), "small") for s in cited]

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=14 * mm,
                            bottomMargin=14 * mm, title=title, author="OSCE Mission in Kosovo dashboard",
                            lang=babel_locale(lang).replace("_", "-"), initialFontName=FONT)
    doc.build(story, onFirstPage=_footer(lang), onLaterPages=_footer(lang))
    return buffer.getvalue()


def _figures(data: Dataset, name: str, lang: str) -> Table:
    frame = figures_table(data, name, lang)
    columns = [t("table.what", lang), t("table.figure", lang), t("table.as_of", lang), t("table.source", lang)]
    return _table(columns, frame[columns].values.tolist(), [0.3, 0.2, 0.15, 0.35])


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
