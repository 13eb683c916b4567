"""Shared fixtures: copies of the data package, and a real app server with a real
browser for the tests that only a browser can answer."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard.paths import DATA_DIR, ROOT

FIXTURES = Path(__file__).parent / "fixtures"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


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

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll ``predicate`` until it returns a truthy value; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")


class AppServer:
    def __init__(self, script: Path, env: dict | None = None):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(self.port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        wait_until(self._healthy, 60, f"streamlit on port {self.port}")

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {self.proc.stdout.read().decode(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as resp:
                return resp.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


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
