"""The deployment's reverse proxy as a process: Debian's haproxy in the foreground
on ``deploy/haproxy.cfg`` (the file deploy/compose.yaml mounts), with the back
ends given as fixed addresses instead of Docker's DNS, and its admin socket in a
temporary folder so a test can read what the proxy thinks of each server. And the
whole deployment from processes (``Deployment``): database, migration, two app
servers, the proxy.
"""
from __future__ import annotations

import csv
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from dashboard.paths import ROOT

from .browser import AppServer, free_port, wait_until
from .postgres import PostgresServer

CONFIG = ROOT / "deploy" / "haproxy.cfg"


def haproxy_binary() -> str:
    # Debian installs it in /usr/sbin, which is not on every user's PATH.
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin")
    if not found:
        raise FileNotFoundError("haproxy is not installed: run `bash scripts/setup --test` (installs Debian's haproxy)")
    return found


class Proxy:
    """``haproxy -db -f deploy/haproxy.cfg`` on 127.0.0.1 and a free port, in front
    of ``servers`` (``{"app1": "127.0.0.1:8501", "app2": ...}``, the names the
    config gives them); the constructor returns once every server is UP."""

    def __init__(self, servers: dict[str, str]):
        self.folder = Path(tempfile.mkdtemp(prefix="omik-haproxy-"))
        self.socket_path = self.folder / "admin.sock"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {"PATH": "/usr/sbin:/usr/bin:/bin", "OMIK_PROXY_BIND": f"127.0.0.1:{self.port}",
               "OMIK_PROXY_SOCKET": str(self.socket_path),
               **{f"OMIK_APP_{name.removeprefix('app')}": address for name, address in servers.items()}}
        self.log = open(self.folder / "haproxy.log", "wb")
        # -db: foreground, no daemon, so the process is ours to end.
        self.proc = subprocess.Popen([haproxy_binary(), "-db", "-f", str(CONFIG)], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: self._alive() and self.socket_path.exists(), 10, "haproxy's admin socket")
            wait_until(lambda: set(self.states().values()) == {"UP"}, 20, "haproxy to see every server UP")
        except BaseException:
            self.stop()
            raise

    def _alive(self) -> bool:
        if self.proc.poll() is not None:
            raise RuntimeError(f"haproxy exited: {self.log_text()}")
        return True

    def log_text(self) -> str:
        self.log.flush()
        return (self.folder / "haproxy.log").read_text(errors="replace")

    def command(self, line: str) -> str:
        """One command on the admin socket (HAProxy's runtime API); its answer."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket_path))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def _servers(self) -> list[dict]:
        text = self.command("show stat").lstrip("# ")
        return [row for row in csv.DictReader(text.splitlines())
                if row["pxname"] == "app" and row["svname"] not in ("FRONTEND", "BACKEND")]

    def states(self) -> dict[str, str]:
        """Each back-end server's health as the proxy sees it: UP, DOWN, ..."""
        return {row["svname"]: row["status"].split()[0] for row in self._servers()}

    def requests_served(self) -> dict[str, int]:
        """How many requests (websockets included) the proxy has sent to each server."""
        return {row["svname"]: int(row["stot"]) for row in self._servers()}

    def server_of(self, client_port: int) -> str | None:
        """The server the proxy sends the open connection from 127.0.0.1:``client_port``
        to (a websocket's, say), from its session table; None if it holds no such one."""
        for line in self.command("show sess").splitlines():
            if f" src=127.0.0.1:{client_port} " in line:
                found = re.search(r" srv=(\S+)", line)
                return found.group(1) if found else None
        return None

    def set_state(self, server: str, state: str) -> None:
        """``ready``, ``drain`` or ``maint`` (the runtime API's ``set server``); returns
        once the proxy gives a server made ready its full share again (after its
        slowstart), so balancing is even from the first new session."""
        answer = self.command(f"set server app/{server} state {state}").strip()
        if answer:
            raise RuntimeError(f"haproxy refused 'set server app/{server} state {state}': {answer}")
        if state == "ready":
            wait_until(lambda: self._full_weight(server), 30, f"haproxy to give {server} its full weight")

    def _full_weight(self, server: str) -> bool:
        [row] = [row for row in self._servers() if row["svname"] == server]
        # "UP 1/2" is a server still passing its first checks; "throttle" is the
        # percentage of its weight it has during slowstart, empty once over.
        return row["status"] == "UP" and not row["throttle"]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def migrate(database_url: str) -> None:
    """What deploy/compose.yaml's one-shot ``migrate`` service runs before any app server starts."""
    for command in (["db", "upgrade"], ["db", "load"]):
        subprocess.run([sys.executable, "-m", "dashboard", *command], cwd=ROOT, check=True, timeout=120,
                       capture_output=True, env={**os.environ, "OMIK_DATABASE_URL": database_url})


class Deployment:
    """deploy/compose.yaml from processes: a database (a throwaway PostgreSQL unless
    ``database_url`` is given), upgraded and loaded; app servers ``app1`` and
    ``app2`` on it (``env``/``options`` added to each); the proxy in front.
    ``stop()`` ends everything it started, and a failure to start ends what had."""

    NAMES = ("app1", "app2")  # the servers deploy/haproxy.cfg names

    def __init__(self, database_url: str | None = None, env: dict | None = None,
                 options: list[str] | None = None):
        self.postgres: PostgresServer | None = None
        self.servers: dict[str, AppServer] = {}
        self.proxy: Proxy | None = None
        try:
            if database_url is None:
                self.postgres = PostgresServer()
                database_url = self.postgres.create_database("omik")
            self.database_url = database_url
            migrate(database_url)
            for name in self.NAMES:  # started side by side: each warms up for some seconds
                self.servers[name] = AppServer(ROOT / "serve.py", options=options, wait=False,
                                               env={"OMIK_DATABASE_URL": database_url, **(env or {})})
            for server in self.servers.values():
                server.wait_healthy()
            self.proxy = Proxy({name: f"127.0.0.1:{server.port}" for name, server in self.servers.items()})
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """End the proxy, the servers and the database; each is tried even if another fails."""
        stops = [*([self.proxy.stop] if self.proxy else []), *(s.stop for s in self.servers.values()),
                 *([self.postgres.stop] if self.postgres else [])]
        self.proxy, self.servers, self.postgres = None, {}, None
        failures = []
        for stop in stops:
            try:
                stop()
            except Exception as exc:  # the others must still be stopped
                failures.append(exc)
        if failures:
            raise failures[0]
