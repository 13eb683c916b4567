"""Running the real app for browser tests and benchmarks: a Streamlit server on a
free local port, and Debian's Chromium with the flags this machine needs.

Test and benchmark support, not part of the app: the tests import it as
``support.browser`` (pytest puts ``tests/`` on the path), the benchmarks after adding
``tests/`` to ``sys.path`` themselves."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from dashboard.paths import ROOT

# The browser's executable: Debian's Chromium unless OMIK_CHROMIUM names another.
CHROMIUM = os.environ.get("OMIK_CHROMIUM") or "/usr/bin/chromium"
# Background networking off: the machine has no internet, and Chromium's own
# update and sync calls would otherwise be refused many at a time.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
READY_SELECTOR = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# The Presence map's clickable map (ui.clickable_map) or a static one (st.iframe)
MAP_FRAME = 'iframe.omik-map, iframe[data-testid="stIFrame"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll ``predicate`` until it returns a truthy value; ``TimeoutError`` after
    ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")


class AppServer:
    """``streamlit run script`` on 127.0.0.1 and a free port, until ``stop()``;
    the constructor returns once the server answers its health check (``wait``: else
    at once, for servers started side by side, each then ``wait_healthy()``)."""

    def __init__(self, script: Path, env: dict | None = None, options: list[str] | None = None,
                 wait: bool = True):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(self.port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", *(options or [])]
        # The server's output goes to a file, not a pipe: an unread pipe fills up
        # and would freeze the server mid-test.
        self.log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})},
                                     stdout=self.log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_healthy()

    def wait_healthy(self) -> None:
        """Return once the server answers its health check: serve.py's once it has
        drawn every language's maps and charts (some 15 s on a quiet machine)."""
        wait_until(self._healthy, 120, f"streamlit on port {self.port}")

    def _healthy(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {Path(self.log.name).read_text(errors='replace')}")
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
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


def app_with_one_editor(root: Path, name: str, role: str, password: str) -> AppServer:
    """The app on a copy of the data in ``root/data`` (``server.data_dir``), with one
    editor ``name`` of ``role`` signing in with ``password`` (test-only credentials)."""
    import shutil

    from dashboard.auth import hash_password

    shutil.copytree(ROOT / "data", root / "data")
    secrets = root / "secrets.toml"
    secrets.write_text(f'[editors.{name}]\npassword_hash = "{hash_password(password)}"\nrole = "{role}"\n',
                       encoding="utf-8")
    server = AppServer(ROOT / "app.py", env={"OMIK_DATA_DIR": str(root / "data")},
                       options=["--secrets.files", str(secrets)])
    server.data_dir = root / "data"  # type: ignore[attr-defined]
    return server
