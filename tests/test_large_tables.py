"""Tables at their row limit: still valid, every page runs, and the per-row work
(the figure tables) is done once per data version, not on every rerun."""
import csv
import datetime as dt
import io

import pytest

from conftest import run_page
from dashboard import cache
from dashboard.i18n import t
from dashboard.loading import load_dataset
from dashboard.schema import resource
from dashboard.ui import md_escape

GROWN = ["staffing", "budget", "indicators"]


def grow(data_dir, name: str) -> None:
    """``name`` at its row limit: the real rows repeated, each on its own day (a
    synthetic history in a temporary copy, so the keys stay unique)."""
    path = data_dir / f"{name}.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    header = list(rows[0])
    grown = []
    for i in range(resource(name).max_rows):
        row = dict(rows[i % len(rows)])
        day = (dt.date(1999, 7, 1) + dt.timedelta(days=i)).isoformat()
        row["as_of"] = day
        if name == "indicators":
            row["period"] = day
        grown.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(grown)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture(scope="module")
def large_data(tmp_path_factory):
    import shutil

    from dashboard.paths import DATA_DIR

    target = tmp_path_factory.mktemp("large") / "data"
    shutil.copytree(DATA_DIR, target)
    for name in GROWN:
        grow(target, name)
    data = load_dataset(target)
    assert data.valid, [p.describe() for p in data.problems[:5]]
    assert all(len(data[name]) == resource(name).max_rows for name in GROWN)
    return target


@pytest.mark.parametrize("page, table", [("staffing", "staffing"), ("budget", "budget"), ("reports", "indicators")])
def test_figure_tables_are_built_once_per_data_version(page, table, large_data, monkeypatch):
    monkeypatch.setenv("OMIK_DATA_DIR", str(large_data))
    built = []
    original = cache._build_figures_table
    monkeypatch.setattr(cache, "_build_figures_table", lambda *a, **k: built.append(a[1]) or original(*a, **k))
    cache._FIGURE_TABLES.clear()
    at = run_page(page, opened=True)
    first = list(built)  # one per figure table the page shows (Reports: one per field of work)
    assert first and set(first) == {table}
    what = md_escape(t("table.what"))
    assert sum(len(shown.value) for shown in at.table if what in shown.value.columns) == resource(table).max_rows
    at.run()
    at.run()
    assert not at.exception and built == first
    run_page(page, lang="sq")  # another view is another entry
    assert built == first * 2


@pytest.mark.parametrize("page", ["overview", "map", "history", "sources", "embed"])
def test_other_pages_run_with_tables_at_their_limit(page, large_data, monkeypatch):
    monkeypatch.setenv("OMIK_DATA_DIR", str(large_data))
    at = run_page(page, opened=True)
    assert not at.warning
