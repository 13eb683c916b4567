"""Shared fixtures: copies of the data package, and a real app server with a real
browser for the tests that only a browser can answer."""
from __future__ import annotations

import asyncio
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dashboard.paths import DATA_DIR, ROOT
from support.browser import CHROMIUM, CHROMIUM_ARGS, AppServer

FIXTURES = Path(__file__).parent / "fixtures"


def run_page(page: str, opened: bool = False, **params):
    """Run ``pages/<page>.py`` through app.py under AppTest, with query parameters;
    fails on any exception in the page. ``opened``: with every expander and popover open
    (``open_all``)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return open_all(at) if opened else at


def open_all(at):
    """``at`` rerun with every closed expander and popover open, as a reader's clicks
    open them: the app fills them only while open (``ui.figures.lazy_expander``, the
    share menu), keeping whether they are, under their keys, in the session's state."""
    folds = [(box.proto.id, box.proto.expanded) for box in at.expander]
    folds += [(menu.proto.popover.id, menu.proto.popover.open) for menu in at.get("popover")]
    closed = [fold_id.split("-", 2)[2] for fold_id, is_open in folds if fold_id and not is_open]
    for key in closed:
        at.session_state[key] = True
    if closed:
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    return at


def run_async(coroutine):
    """Run ``coroutine`` to the end in a thread of its own: Playwright's sync API (the
    browser tests, earlier in the same session) leaves an event loop running in this
    thread, where ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the real data package."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def make_empty_package(target: Path) -> Path:
    """A package with the real schema and every table reduced to its header."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA_DIR / "datapackage.json", target / "datapackage.json")
    for res in json.loads((DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))["resources"]:
        header = (DATA_DIR / res["path"]).read_text(encoding="utf-8").splitlines()[0]
        (target / res["path"]).write_text(header + "\n", encoding="utf-8")
    return target


@pytest.fixture
def empty_data_dir(tmp_path: Path) -> Path:
    return make_empty_package(tmp_path / "empty_data")


# --- a real server and browser -------------------------------------------------

@pytest.fixture(scope="session")
def app_server():
    server = AppServer(ROOT / "app.py")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/setup --test` (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageLog:
    """What a page did besides rendering: console errors, uncaught exceptions,
    failed responses, and every request to a host other than the app's own."""

    def __init__(self, page, own_origin: str):
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.external_requests: list[str] = []
        self.failed_requests: list[str] = []
        page.on("response", lambda r: self.failed_requests.append(r.url) if r.status >= 400 else None)
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

        def on_request(request):
            url = request.url
            if not (url.startswith(own_origin) or url.startswith(("data:", "blob:", "about:"))):
                self.external_requests.append(url)

        page.on("request", on_request)


@pytest.fixture
def page(browser, app_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.log = PageLog(pg, app_server.url)
    yield pg
    context.close()


@pytest.fixture(autouse=True)
def app_already_navigated(monkeypatch):
    """AppTest re-detects the pages/ folder before every run, which puts Streamlit
    back in its older multipage mode each time (see ui.leave_pages_folder_mode). A
    real server leaves that mode for good on its first run of app.py; AppTest runs
    start from that steady state. (The fresh-server case is a browser test.)"""
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


# --- a real PostgreSQL ------------------------------------------------------------

@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server for the session (Debian's binaries)."""
    from support.postgres import PostgresServer

    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture
def pg_url(postgres_server) -> str:
    """The URL of a new, empty database (not upgraded)."""
    import uuid

    return postgres_server.create_database(f"t_{uuid.uuid4().hex[:12]}")


def descriptor_only(data_dir: Path, target: Path) -> Path:
    """A folder with ``data_dir``'s datapackage.json and no tables: what a database
    backend gets, so a test fails if it ever reads a table from files."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(data_dir / "datapackage.json", target / "datapackage.json")
    return target


@pytest.fixture
def pg_store(pg_url, data_copy, tmp_path):
    """A PostgreSQL store, upgraded and loaded with a copy of the real package."""
    from dashboard.postgres import PostgresStore, upgrade

    store = PostgresStore(pg_url, descriptor_only(data_copy, tmp_path / "schema"))
    upgrade(store.engine)
    store.load_package(data_copy)
    yield store
    store.engine.dispose()


@pytest.fixture(params=["files", "postgres"])
def store(request, data_copy):
    """Each storage backend in turn, holding a copy of the real package."""
    from dashboard.stores import FileStore

    if request.param == "files":
        return FileStore(data_copy)
    return request.getfixturevalue("pg_store")
