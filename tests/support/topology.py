"""The deployment's reverse proxy as a process: Debian's haproxy in the foreground
on ``deploy/haproxy.cfg`` (the file deploy/compose.yaml mounts), with the back
ends given as fixed addresses instead of Docker's DNS, and its admin socket in a
temporary folder so a test can read what the proxy thinks of each server.
"""
from __future__ import annotations

import csv
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

from dashboard.paths import ROOT
from dashboard.testing import free_port, wait_until

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
