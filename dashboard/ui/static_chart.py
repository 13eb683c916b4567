"""A chart drawn on the server (``ChartSpec.svg``) as a picture on a page: no chart
script for the browser to fetch (``figures.chart_block`` frames it)."""
from __future__ import annotations

import base64
import html

from ..charts import ChartSpec
from ..i18n import DEFAULT_LANG
from ..static_charts import image_text

# The phone's picture below this width of the window (px), the desktop's above it:
# the desktop's legend, two columns wide, would shrink to unreadable text on a phone.
_PHONE_WIDTH = 640
_STYLE = (".omik-chart-narrow{display:none}"
          f"@media (max-width:{_PHONE_WIDTH}px){{.omik-chart-wide{{display:none}}.omik-chart-narrow{{display:block}}}}")


def picture(spec: ChartSpec, lang: str = DEFAULT_LANG) -> str:
    """The HTML of ``spec``'s chart as pictures: a desktop's, and a phone's in its
    place on a narrow screen, each with every figure in its text alternative."""
    wide, narrow = spec.svg
    text = image_text(spec, lang)
    return (f'<div class="omik-static-chart"><style>{_STYLE}</style>'
            f'{image(wide, text, "omik-chart-wide")}{image(narrow, text, "omik-chart-narrow")}</div>')


def image(svg: str, text: str, css_class: str) -> str:
    """An ``<img>`` of the SVG document ``svg`` whose text alternative is ``text``.

    An image, not the SVG itself in the page: st.html keeps no SVG element, and a
    picture loaded as an image can neither run script nor fetch anything."""
    source = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img class="{css_class}" alt="{html.escape(text)}" src="data:image/svg+xml;base64,{source}" '
            'style="max-width:100%;height:auto">')
