"""Charts drawn on the server as SVG, where a reader has nothing to do with the chart
but read it.

A chart whose ``ChartSpec`` gives its figures in words (``in_words``: each is
written on the chart) is drawn here, once per ChartSpec (``ChartSpec.svg``). A chart
drawn in the browser (``st.vega_lite_chart``) makes the page fetch
Streamlit's chart renderer, some 800 KB of script, and its "view data" table
(``st.table``) another 1 MB of Arrow code, before the page is ready. The same Altair
chart converted here by vl-convert (its own copy of Vega-Lite: nothing is fetched)
reaches the page as a few KB of SVG. It has no tooltips: every figure is written on
the chart, and the table under it lists them.

The first conversion in a server process starts vl-convert's JavaScript engine (two
to three seconds, during which the server answers no one); later ones take tens to
a few hundred milliseconds. Each chart is converted once per data version, view and
language (its builder is memoised with ``loading.per_dataset``).
"""
from __future__ import annotations

import math
import re

import altair as alt

from .charts import (
    CHARTED_INDICATORS,
    ChartSpec,
    Drawn,
    budget_chart,
    indicator_chart,
    offices_over_time_chart,
    staffing_chart,
    staffing_split_chart,
)
from .i18n import t
from .loading import Dataset

# The Vega-Lite that Altair writes for ("v6.4.1" -> "6.4"): vl-convert draws with that one.
VEGA_LITE = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
# Plot widths in px: a desktop's (the chart with its legend stays under 800 px,
# readable without scaling) and a phone's (390 px with the page's margins).
WIDE = 620
PHONE = 290
# A 390 px phone's column for the picture (the page's margins taken off): a picture
# wider than that is scaled down, and its text with it.
PHONE_COLUMN = 350


def draw(chart: Drawn) -> tuple[str, str]:
    """``chart`` as SVG documents: a desktop's (``WIDE``) and a phone's (``PHONE``,
    narrower when its axis labels leave less room: the whole picture within
    ``PHONE_COLUMN``, so that its text is not scaled down)."""
    wide = to_svg(chart.properties(width=WIDE))
    # What the desktop's picture has beside its plot (axis labels), the phone's has too.
    width = max(PHONE // 2, min(PHONE, PHONE_COLUMN - (svg_width(wide) - WIDE)))
    narrow = to_svg(chart.properties(width=width))
    total = svg_width(narrow)
    # Unless a title wider than the plot overhangs it, and the picture narrows by less
    # than its plot: each try learns by how much.
    per_px = 1.0
    for _ in range(3):
        if total <= PHONE_COLUMN or width <= PHONE // 2:
            break
        narrower = max(PHONE // 2, math.floor(width - (total - PHONE_COLUMN) / per_px))
        narrow = to_svg(chart.properties(width=narrower))
        per_px = max(0.1, (total - svg_width(narrow)) / (width - narrower))
        width, total = narrower, svg_width(narrow)
    return wide, narrow


def svg_width(svg: str) -> int:
    """The width of the SVG document ``svg``, in px."""
    found = re.match(r'<svg [^>]*?width="(\d+)', svg)
    if found is None:
        raise ValueError(f"an SVG document without its width: {svg[:80]!r}")
    return int(found.group(1))


def to_svg(chart: Drawn) -> str:
    """``chart`` as an SVG document, its numbers as its configuration's locale writes
    them (``charts.finish``)."""
    import vl_convert  # where a page draws a static chart, not with every module that imports this one

    spec = chart.to_dict()
    locale = spec.get("config", {}).get("locale", {}).get("number")
    if locale is None:  # it would write English numbers in every language
        raise ValueError("the chart has no number locale in its configuration (charts.finish gives it one)")
    # Vega's own ARIA labels are English ("X-axis titled ..."): the picture's text
    # alternative is ours (``image_text``).
    spec["config"]["aria"] = False
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE, allowed_base_urls=[], format_locale=locale)
    if not svg.startswith("<svg "):
        raise ValueError(f"vl-convert returned no SVG document: {svg[:60]!r}")
    return svg


def image_text(spec: ChartSpec, lang: str = "en") -> str:
    """What the chart shows, in words: its title and every figure with its date."""
    return t("chart.image_text", lang, title=spec.title, items="; ".join(spec.in_words))


def draw_pictures(data: Dataset, lang: str = "en") -> list[tuple[str, str]]:
    """The charts that pages show as pictures in their default views, drawn
    (``ChartSpec.svg``): the Presence map's, Staffing's, the Budget's and Reports'.
    ``cache.warm_up`` draws them on a server's start, for its first readers."""
    from . import monitoring  # (it imports charts, as this module does)

    specs = [offices_over_time_chart(data, lang), staffing_split_chart(data, lang), staffing_chart(data, lang),
             budget_chart(data, lang),
             *(build(data, lang) for build in (monitoring.department_chart, monitoring.court_chart,
                                               monitoring.period_chart)),
             *(indicator_chart(data, indicator, lang) for indicator in CHARTED_INDICATORS)]
    return [spec.svg for spec in specs if spec.chart is not None]
