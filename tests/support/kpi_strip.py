"""Reading the Overview's strip of figures (``dashboard.ui.figures.kpi_strip_html``)
as a browser would parse it: each figure's label, value, year and what its "Source"
disclosure holds. Test support, not part of the app."""
from __future__ import annotations

from dataclasses import dataclass, field

from support.html_lists import MarkupReader

# All the strip is made of: its tags, and the class of each part.
TAGS = {"ul", "li", "span", "details", "summary", "p"}
CLASSES = {"omik-kpis", "omik-kpi", "omik-kpi-label", "omik-kpi-value", "omik-kpi-years", "omik-kpi-about"}
START = '<ul class="omik-kpis">'


@dataclass
class Figure:
    label: str = ""
    value: str = ""
    years: str = ""
    summary: str = ""  # the disclosure's own text ("Source")
    about: list[str] = field(default_factory=list)  # a line per paragraph in it


class StripReader(MarkupReader):
    """The strip's figures, and ``problems`` (``MarkupReader``): any tag or attribute
    that is not the strip's own markup."""

    TAGS = frozenset(TAGS)

    def __init__(self, markup: str):
        self.figures: list[Figure] = []
        self._part: str | None = None
        super().__init__(markup)

    def allowed(self, tag, name, value):
        return name == "class" and value in CLASSES

    def start(self, tag, attrs):
        if tag == "li":
            self.figures.append(Figure())
        elif tag == "span":
            self._part = (attrs.get("class") or "").removeprefix("omik-kpi-")
        elif tag == "summary":
            self._part = "summary"
        elif tag == "p":
            self.figures[-1].about.append("")
            self._part = "about"

    def handle_endtag(self, tag):
        self._part = None

    def handle_data(self, data):
        if not self.figures or self._part is None:
            return
        figure = self.figures[-1]
        if self._part == "about":
            figure.about[-1] += data
        else:
            setattr(figure, self._part, getattr(figure, self._part) + data)


def read_strip(markup: str) -> list[Figure]:
    """The figures of ``markup`` (the strip); an ``AssertionError`` when it holds
    anything but the strip's own markup."""
    reader = StripReader(markup)
    assert reader.problems == [], reader.problems
    return reader.figures


def strip_of(at) -> list[Figure]:
    """The figures of the strip on the page AppTest ran (exactly one strip)."""
    (body,) = [element.proto.body for element in at.get("html") if element.proto.body.startswith(START)]
    return read_strip(body)


def figure_values(at) -> dict[str, str]:
    """``{label: value}`` of the strip on the page AppTest ran."""
    return {figure.label: figure.value for figure in strip_of(at)}
