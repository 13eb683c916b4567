"""A new server's first page imports only what it draws with (issue #22): a replica
that the proxy has just added serves its first reader as soon as its health check
answers, and every second of imports is that reader's wait (bench/cold_start.py
measures it). The briefing's drawing libraries load when a briefing is built, the
database's when a database is configured, geopandas where a geometry is edited; and
``serve.py`` runs the app once before its health check answers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.cold_start import first_visit
from bench.load import dashboard_view
from conftest import run_async, run_page
from dashboard import cache
from dashboard.page_shell import BASE_URL_SCRIPT
from dashboard.paths import ROOT
from dashboard.stores import DATABASE_URL_ENV
from support.browser import AppServer

# Each costs a new server from a quarter of a second to a second of imports.
HEAVY = ("geopandas", "matplotlib", "reportlab.platypus", "reportlab.pdfbase", "sqlalchemy", "psycopg",
         "alembic")
PAGES = ("overview", "map", "staffing", "budget", "reports", "elections", "history", "sources", "data")

# A fresh interpreter, as a new server is: imports ``sys.argv[1]`` (a module), then runs
# each page of ``sys.argv[2:]`` through app.py in turn (conftest.run_page), and names
# the heavy modules each step was the first to load.
PROBE = """
import importlib, json, sys
sys.path[:0] = [{root!r}, {tests!r}]
heavy = {heavy!r}
loaded = lambda: {{m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy)}}
importlib.import_module(sys.argv[1])
found = {{sys.argv[1]: sorted(loaded())}}
before = loaded()
if sys.argv[2:]:
    from conftest import run_page
for page in sys.argv[2:]:
    run_page(page)
    found[page] = sorted(loaded() - before)
    before |= loaded()
print(json.dumps(found))
"""


def first_loads(module: str, *pages: str) -> dict[str, list[str]]:
    """The heavy modules that importing ``module`` and then running each of
    ``pages`` in turn, on a new interpreter with the files backend, loaded first."""
    env = {k: v for k, v in os.environ.items() if k != DATABASE_URL_ENV}
    code = PROBE.format(root=str(ROOT), tests=str(ROOT / "tests"), heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code, module, *pages], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_page_loads_a_heavy_module_it_does_not_draw_with():
    found = first_loads("streamlit", *PAGES)
    assert {step: modules for step, modules in found.items() if modules} == {}


# The briefing too: every page imports it for its download button.
@pytest.mark.parametrize("module", ["dashboard.briefing", "dashboard.stores", "dashboard.cache", "dashboard.ui"])
def test_importing_what_pages_import_loads_none(module):
    assert first_loads(module) == {module: []}


def _loaded(pid: int, package: str) -> bool:
    """Whether the process has loaded ``package``'s compiled code (its shared libraries
    are mapped into the process once it is imported)."""
    return f"/site-packages/{package}/" in Path(f"/proc/{pid}/maps").read_text()


def test_serve_py_answers_its_health_check_only_once_the_app_has_run():
    # shapely: loaded by the map's geography, which the Overview draws. app.py's server
    # answers before it runs any page; serve.py's after it ran the Overview once.
    plain = AppServer(ROOT / "app.py")  # returns at the first 200 of /_stcore/health
    try:
        assert not _loaded(plain.proc.pid, "shapely")
    finally:
        plain.stop()
    warmed = AppServer(ROOT / "serve.py")
    try:
        assert _loaded(warmed.proc.pid, "shapely")
        # and drew the map page's chart: vl-convert, which app.py loads for no page but that one
        assert _loaded(warmed.proc.pid, "vl_convert")
        for spec in ("/", "/map"):  # and it serves the app's pages as app.py does
            result = run_async(first_visit(warmed.url, dashboard_view(spec), 120))
            assert result.ok, (spec, result.cause)
        # Every page but the root is served Streamlit's page naming the app's address
        # (dashboard.page_shell), uncached; any other address as Streamlit serves it.
        for path, named in [("", False), ("budget", True), ("embed?embed=true&view=map", True), ("nope", False)]:
            with urllib.request.urlopen(f"{warmed.url}/{path}", timeout=30) as response:
                assert (BASE_URL_SCRIPT in response.read().decode()) == named, path
                assert response.headers["Cache-Control"] == "no-cache"
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"{warmed.url}/budget/_stcore/health", timeout=30)
    finally:
        warmed.stop()


def warm_as_serve_py_does() -> None:
    """From no map and no dataset, what serve.py does before its health check answers:
    the Overview's run (Streamlit's script health check), then ``cache.warm_up`` in
    every language."""
    cache._MAPS.clear()
    cache._DATASETS.clear()
    run_page("overview")
    for lang in ("en", "sq", "sr"):
        cache.warm_up(lang)


def test_warm_up_leaves_the_map_pages_first_view_nothing_to_build():
    # The map page's first view, in any language, finds its map and everything it
    # derives from the dataset (its chart as SVG) already built; the Overview's, its
    # map (its figures and headline are built in milliseconds).
    warm_as_serve_py_does()
    maps = set(cache._MAPS._values)
    for lang in ("en", "sq", "sr"):
        derived = set(cache.dataset().derived)
        run_page("map", lang=lang)
        assert (set(cache._MAPS._values), set(cache.dataset().derived)) == (maps, derived), lang
        run_page("overview", lang=lang)
        assert set(cache._MAPS._values) == maps, lang


def test_warm_up_draws_the_pictures_of_the_pages_first_views(monkeypatch):
    # The charts the map, Staffing, Budget and Reports pages draw on the server as SVG:
    # some tens of milliseconds each (ten on Reports), drawn in every language a
    # shared link can name (about three seconds each).
    from dashboard import static_charts

    warm_as_serve_py_does()
    drawn = []
    monkeypatch.setattr(static_charts, "to_svg", lambda chart: drawn.append(chart) or "<svg/>")
    for lang in ("en", "sq", "sr"):
        for page in ("map", "staffing", "budget", "reports"):
            at = run_page(page, lang=lang)
            assert any("omik-static-chart" in h.proto.body for h in at.get("html")), page
    assert drawn == []


def test_serve_py_starts_when_warming_up_fails(tmp_path):
    # A data folder the store cannot use: the pages say so to their readers, and the
    # warm-up's failure is logged, not a server that never starts.
    warmed = AppServer(ROOT / "serve.py", env={"OMIK_DATA_DIR": str(tmp_path)})  # returns once healthy
    try:
        log = Path(warmed.log.name).read_text()
        assert "warming up the pages failed" in log and "has no datapackage.json" in log
        assert "missing ScriptRunContext" not in log
    finally:
        warmed.stop()
