"""What can be embedded on its own (``/embed?embed=true&view=...``), for an iframe on
a donor's site: one chart, the map, or the briefing download."""
from __future__ import annotations

from collections.abc import Callable

from . import charts
from .loading import Dataset


def _indicator_view(indicator: str) -> Callable[[Dataset, str], charts.ChartSpec]:
    """The builder of one indicator's chart (its own closure: a lambda in the loop below would see the last one)."""
    return lambda data, lang: charts.indicator_chart(data, indicator, lang)


# view -> builder of the ChartSpec it shows ("map" and "briefing" are drawn by the page)
CHART_VIEWS: dict[str, Callable[[Dataset, str], charts.ChartSpec]] = {
    "staffing_over_time": charts.staffing_chart,
    "staffing_latest_split": charts.staffing_split_chart,
    "budget_over_time": charts.budget_chart,
    **{indicator: _indicator_view(indicator) for indicator in charts.CHARTED_INDICATORS},
    "milestones_per_year": lambda data, lang: charts.milestones_chart(data["milestones"], data, lang),
}
VIEWS = ["map", "briefing", *CHART_VIEWS]


# The parameters of the page's view that an embed link keeps: the language for every
# view, and a map's region, measure and year (the embed page reads each of them).
VIEW_PARAMS = {"map": ("region", "measure", "year"), "briefing": ("region",)}
EVERY_VIEW_PARAMS = ("lang",)


def embed_query(view: str, params: dict) -> dict:
    """The query of an embed link: Streamlit's ``embed=true``, the view, the
    language, and the view's own parameters (a map keeps its region, measure and year)."""
    wanted = (*EVERY_VIEW_PARAMS, *VIEW_PARAMS.get(view, ()))
    keep = {k: v for k, v in params.items() if k in wanted}
    return {"embed": "true", "view": view, **keep}


def chart_for(view: str, data: Dataset, lang: str = "en"):
    return CHART_VIEWS[view](data, lang)
