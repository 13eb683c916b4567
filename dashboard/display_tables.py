"""Figures as tables for people: each value with its hedge, date and source."""
from __future__ import annotations

import pandas as pd

from .formatting import format_money, format_number, qualify
from .i18n import catalogue, english_only, t
from .kpis import indicator_label
from .loading import Dataset
from .provenance import format_as_of, source_ref, source_refs

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
    sources = source_refs(data["sources"])
    out = pd.DataFrame({
        t("table.what", lang): what,
        t("table.figure", lang): [_figure(r, lang) for r in records],
        t("table.as_of", lang): [format_as_of(v, lang) for v in rows["as_of"]],
        t("table.source", lang): [(sources.get(s) or source_ref(data["sources"], s)).title for s in rows["source_id"]],
        t("table.note", lang): [english_only(n, lang) for n in rows["note"].fillna("")],
    })
    if name == "indicators":
        out.insert(2, t("table.period", lang), [format_as_of(v, lang) for v in rows["period"]])
    return out


def milestones_by_year(milestones: pd.DataFrame, lang: str = "en") -> list[tuple[int, list[str]]]:
    """``[(year, ["Title (theme)", ...]), ...]`` in year order, titles as listed."""
    out = []
    for year, group in milestones.groupby("year", sort=True):
        out.append((int(year), [t("history.item", lang, title=english_only(r["title_en"], lang),
                                  theme=t(f"theme.{r['theme']}", lang))
                                for _, r in group.iterrows()]))
    return out
