"""Figures as tables for people: each value with its hedge, date and source."""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from .formatting import format_money, format_number, qualify
from .i18n import catalogue, english_only, t
from .kpis import indicator_label
from .loading import Dataset
from .provenance import format_as_of, source_ref

# The tables ``figures_table`` can show: each row one sourced figure. Staffing and
# budget rows are named by their codes; indicators and elections by their own
# ``label_en``/``_sq``/``_sr``.
FIGURE_TABLES = ("staffing", "budget", "indicators", "elections")


def unit_key(unit: str) -> str:
    """The catalogue key of a unit from the data: ``% of judges`` →
    ``unit.percent_of_judges``."""
    return "unit." + "_".join(unit.replace("%", " percent ").lower().split())


def unit_text(unit: object, lang: str = "en") -> str:
    """A unit from the data ("officers", "% of judges") in ``lang``: the catalogue's
    ``unit_key`` translation while its English is the data's unit, else the unit as
    written (a new unit is shown, untranslated, until the team adds it)."""
    if not isinstance(unit, str):
        return ""
    key = unit_key(unit)
    if catalogue("en").get(key) != unit:
        return unit
    return t(key, lang)

def _figure(row: dict, lang: str) -> str:
    if "amount" in row:
        text = format_money(row["amount"], row["currency"], lang)
    else:
        text = format_number(row["value"], lang)
        if isinstance(row.get("unit"), str):
            text = f"{text} {unit_text(row['unit'], lang)}"
    return qualify(text, row["qualifier"], lang)


def figures_table(data: Dataset, name: str, lang: str = "en", rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of ``name``, one of ``FIGURE_TABLES`` (or the given subset of them),
    as a display table: what, figure ("over 450"), as of, source, note; indicators
    also their period. ``ValueError`` for any other ``name``.

    Linear in the rows (each source looked up in one dict): a table at its row limit
    takes well under a second. Pages take it from ``cache.figures_table``, once per
    data version and language.
    """
    if name not in FIGURE_TABLES:
        raise ValueError(f"name must be one of {', '.join(map(repr, FIGURE_TABLES))}; got {name!r}")
    rows = data[name] if rows is None else rows
    records = rows.to_dict("records")
    if name == "staffing":
        what = [f"{t('staffing.measure.' + r['measure'], lang)}: {t('staffing.category.' + r['category'], lang)}"
                for r in records]
    elif name == "budget":
        what = [t(f"budget.category.{r['category']}", lang) for r in records]
    else:
        what = [indicator_label(r, lang) for r in records]
    out = pd.DataFrame({
        t("table.what", lang): what,
        t("table.figure", lang): [_figure(r, lang) for r in records],
        t("table.as_of", lang): [format_as_of(v, lang) for v in rows["as_of"]],
        t("table.source", lang): [source_ref(data["sources"], s).title for s in rows["source_id"]],
        t("table.note", lang): [english_only(n, lang) for n in rows["note"].fillna("")],
    })
    if name == "indicators":
        out.insert(2, t("table.period", lang), [format_as_of(v, lang) for v in rows["period"]])
    return out


def _coded(prefix: str, code: object, lang: str) -> str:
    # A code from the data ("international", "justice") in ``lang``: its catalogue
    # entry, or the code as written until the team adds one.
    key = f"{prefix}.{code}"
    return t(key, lang) if key in catalogue(lang) else str(code)


def plotted_table(frame: pd.DataFrame, data: Dataset, lang: str = "en") -> pd.DataFrame:
    """What a chart plots (``ChartSpec.data``: the data package's columns and codes,
    as its CSV keeps them) as a table for people, with the columns of
    ``figures_table``: what (its item, series, category, indicator or theme, in
    ``lang``), name, country and term (the Heads of Mission), period, figure (with its
    unit and the source's hedge), as of, source (its title). Rows keep their order;
    a column the frame lacks is left out."""
    records = frame.to_dict("records")
    indicators = {r["indicator"]: indicator_label(r, lang) for r in data["indicators"].to_dict("records")}
    what_of: dict[str, Callable[[object], str]] = {
        "item": str, "series": str,
        "category": lambda code: _coded("staffing.category", code, lang),
        "indicator": lambda code: indicators.get(code, str(code)),
        "theme": lambda code: _coded("theme", code, lang),
    }
    shown = [column for column in what_of if column in frame]
    out = {}
    if shown:
        out[t("table.what", lang)] = [" · ".join(what_of[c](r[c]) for c in shown if pd.notna(r[c])) for r in records]
    if "name" in frame:
        out[t("history.col.name", lang)] = list(frame["name"])
    if "country" in frame:
        out[t("history.col.country", lang)] = list(frame["country"])
    if "term_start" in frame:
        out[t("history.col.term", lang)] = [
            t("history.term", lang, start=int(r["term_start"]),
              end=int(r["term_end"]) if pd.notna(r["term_end"]) else t("history.present", lang)) for r in records]
    if "period" in frame:
        out[t("table.period", lang)] = [format_as_of(v, lang) for v in frame["period"]]
    if "value" in frame or "amount" in frame:
        out[t("table.figure", lang)] = [_figure(r, lang) for r in records]
    elif "milestones" in frame:
        out[t("table.figure", lang)] = [format_number(v, lang) for v in frame["milestones"]]
    if "as_of" in frame:
        out[t("table.as_of", lang)] = [format_as_of(v, lang) for v in frame["as_of"]]
    elif "year" in frame:
        out[t("table.as_of", lang)] = [str(int(v)) for v in frame["year"]]
    if "source_id" in frame:
        out[t("table.source", lang)] = [source_ref(data["sources"], s).title for s in frame["source_id"]]
    return pd.DataFrame(out)


def milestones_by_year(milestones: pd.DataFrame, lang: str = "en") -> list[tuple[int, list[str]]]:
    """``[(year, ["Title (theme)", ...]), ...]`` in year order, titles as listed."""
    out = []
    for year, group in milestones.groupby("year", sort=True):
        out.append((int(year), [t("history.item", lang, title=english_only(r["title_en"], lang),
                                  theme=t(f"theme.{r['theme']}", lang))
                                for _, r in group.iterrows()]))
    return out
