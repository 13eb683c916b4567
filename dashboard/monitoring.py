"""Court monitoring as charts, for the Reports & monitoring page.

Three views of the Mission's trial monitoring, each from figures as published:
hearings and cases by court department and the share of judges monitored by Basic
Court (``court_monitoring.csv``, the newest report's breakdown), and hearings and
cases per report period (``indicators.csv``). Reports cover periods of different
lengths, so each bar is labelled with its period, and a total over a longer period
(the booklet's 1999–2024) is never drawn beside the periods it contains.

Each chart is one to read (every figure is written on its bar), so a page shows it
as a picture drawn on the server (``ChartSpec.svg``), its figures in words beside it.
"""
from __future__ import annotations

import pandas as pd

from .charts import ChartSpec, figures_bar_chart
from .i18n import t
from .kpis import indicator_label, latest
from .loading import Dataset, per_dataset
from .provenance import as_of_bounds, format_as_of

COUNTS = ("hearings_monitored", "cases_monitored")
PERIOD_INDICATORS = ("court_hearings_monitored", "court_cases_monitored")


def _newest_report(rows: pd.DataFrame) -> pd.DataFrame:
    row = latest(rows)
    return rows if row is None else rows[rows["report"] == row["report"]]


def _period_title(key: str, rows: pd.DataFrame, lang: str) -> str:
    return t(key, lang, period=format_as_of(rows["period"].iloc[0], lang) if len(rows) else "–")


@per_dataset
def department_chart(data: Dataset, lang: str = "en") -> ChartSpec:
    """Hearings and cases monitored in each court department (all Basic Courts together)."""
    rows = data["court_monitoring"]
    rows = _newest_report(rows[(rows["court"] == "all") & (rows["department"] != "all") & rows["measure"].isin(COUNTS)])
    return figures_bar_chart(rows, data, "court_monitoring_departments",
                             _period_title("reports.departments_chart", rows, lang),
                             [t(f"department.{d}", lang) for d in rows["department"]],
                             t("reports.axis.monitored", lang), lang,
                             [t(f"court_measure.{m}", lang) for m in rows["measure"]], t("reports.axis.measure", lang),
                             picture=True)


@per_dataset
def court_chart(data: Dataset, lang: str = "en") -> ChartSpec:
    """The share of each Basic Court's judges whose work was monitored."""
    rows = data["court_monitoring"]
    rows = _newest_report(rows[(rows["court"] != "all") & (rows["measure"] == "judges_monitored_share")])
    return figures_bar_chart(rows, data, "court_monitoring_courts", _period_title("reports.courts_chart", rows, lang),
                             [t(f"court.{c}", lang) for c in rows["court"]], t("reports.axis.share", lang), lang,
                             picture=True)


def separate_periods(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows whose ``period`` contains no other row's period: the figures of
    single reports, without the totals over the years that include them."""
    bounds = [as_of_bounds(p) for p in rows["period"]]
    keep = [not any(j != i and a[0] <= b[0] and b[1] <= a[1] and a != b for j, b in enumerate(bounds))
            for i, a in enumerate(bounds)]
    return rows[pd.Series(keep, index=rows.index, dtype=bool)]


@per_dataset
def period_chart(data: Dataset, lang: str = "en") -> ChartSpec:
    """Hearings and cases monitored in each report's period, oldest first."""
    indicators = data["indicators"]
    parts = [separate_periods(indicators[indicators["indicator"] == i]) for i in PERIOD_INDICATORS]
    rows = pd.concat(parts) if parts else indicators.iloc[0:0]
    rows = rows.iloc[sorted(range(len(rows)), key=lambda i: as_of_bounds(rows["period"].iloc[i])[0])]
    return figures_bar_chart(rows, data, "court_monitoring_periods", t("reports.periods_chart", lang),
                             [format_as_of(p, lang) for p in rows["period"]], t("reports.axis.monitored", lang), lang,
                             [indicator_label(r, lang) for _, r in rows.iterrows()], t("reports.axis.measure", lang),
                             picture=True)
