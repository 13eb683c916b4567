"""Charts drawn on the server as SVG, where a reader has nothing to do with the chart
but read it.

A chart drawn in the browser (``st.vega_lite_chart``) makes the page fetch
Streamlit's chart renderer, some 800 KB of script, and its "view data" table
(``st.table``) another 1 MB of Arrow code, before the page is ready. The same Altair
chart converted here by vl-convert (its own copy of Vega-Lite: nothing is fetched)
reaches the page as a few KB of SVG. It has no tooltips: every figure is written on
the chart, and the table under it lists them.

The first conversion in a server process starts vl-convert's JavaScript engine (two
to three seconds, during which the server answers no one); later ones take tens to
a few hundred milliseconds. Each chart is converted once per data version and
language (``loading.per_dataset``).
"""
from __future__ import annotations

from dataclasses import dataclass

import altair as alt

from .charts import ChartSpec, Drawn, number_locale, offices_over_time_chart
from .i18n import t
from .loading import Dataset, per_dataset

# The Vega-Lite that Altair writes for ("v6.4.1" -> "6.4"): vl-convert draws with that one.
VEGA_LITE = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
# Plot widths in px: a desktop's (the chart with its legend stays under 800 px,
# readable without scaling) and a phone's (390 px with the page's margins).
WIDE = 620
PHONE = 290


@dataclass(frozen=True)
class StaticChart:
    """``spec`` drawn as SVG documents: ``wide`` for desktops, ``narrow`` for phones;
    ``text`` says what they show, for those who cannot see them. Empty when ``spec``
    has no chart."""

    spec: ChartSpec
    wide: str = ""
    narrow: str = ""
    text: str = ""


def to_svg(chart: Drawn, lang: str) -> str:
    """``chart`` as an SVG document, its numbers as ``lang`` writes them."""
    import vl_convert  # where a page draws a static chart, not with every module that imports this one

    spec = chart.to_dict()
    # Vega's own ARIA labels are English ("X-axis titled ..."): the picture's text
    # alternative is ours (``image_text``).
    spec.setdefault("config", {})["aria"] = False
    svg = vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE, allowed_base_urls=[],
                                     format_locale=number_locale(lang))
    if not svg.startswith("<svg "):
        raise ValueError(f"vl-convert returned no SVG document: {svg[:60]!r}")
    return svg


def image_text(spec: ChartSpec, lang: str = "en") -> str:
    """What the chart shows, in words: its title and every figure with its date."""
    return t("chart.image_text", lang, title=spec.title, items="; ".join(spec.in_words))


@per_dataset
def offices_over_time_svg(data: Dataset, lang: str = "en") -> StaticChart:
    """``charts.offices_over_time_chart`` drawn as SVG, once per data version and language."""
    spec = offices_over_time_chart(data, lang)
    if spec.chart is None:
        return StaticChart(spec)
    text = image_text(spec, lang)
    wide, narrow = (offices_over_time_chart(data, lang, width).chart for width in (WIDE, PHONE))
    assert wide is not None and narrow is not None  # the same rows as spec's, which has a chart
    return StaticChart(spec, to_svg(wide, lang), to_svg(narrow, lang), text)
