"""What can be embedded on its own (``/embed?embed=true&view=...``), for an iframe on
a donor's site: one chart, the map, or the briefing download; and what each embed
says of itself (its tables, its sources, the full view it links back to)."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from . import charts
from .loading import Dataset, per_dataset
from .provenance import source_ref


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


# The dashboard's page that shows each view in full (an embed links back to it; ""
# is the Overview), and the tables whose figures it shows (for its date).
FULL_VIEW_PAGE = {"map": "map", "briefing": "", "staffing_over_time": "staffing", "staffing_latest_split": "staffing",
                  "budget_over_time": "budget", **{i: "reports" for i in charts.CHARTED_INDICATORS},
                  "milestones_per_year": "history"}
VIEW_TABLES = {"map": ("offices", "regions", "municipalities"),
               "briefing": ("staffing", "budget", "indicators", "offices", "regions"),
               "staffing_over_time": ("staffing",), "staffing_latest_split": ("staffing",),
               "budget_over_time": ("budget",), **{i: ("indicators",) for i in charts.CHARTED_INDICATORS},
               "milestones_per_year": ("milestones",)}


def full_view(view: str, params: dict) -> tuple[str, dict]:
    """The page (relative to the embed's address) and query of the full view an
    embed links back to: the same language, and a map's region, measure and year."""
    query = {k: v for k, v in embed_query(view, params).items() if k not in ("embed", "view")}
    return FULL_VIEW_PAGE[view], query


@per_dataset
def map_sources(data: Dataset) -> list[str]:
    """The titles of the sources of the map's offices and regions, each once, the
    most cited first."""
    ids = pd.concat([data[name]["source_id"] for name in ("offices", "regions") if "source_id" in data[name]])
    return [source_ref(data["sources"], i).title for i in ids.dropna().value_counts(sort=True).index]
