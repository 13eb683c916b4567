"""Cold start: from a new server's process start to its first finished page.

Usage: .venv/bin/python bench/cold_start.py [--rounds 3] [--warm 5] [--pages /,/map]

A replica that the proxy has just added gets readers as soon as its health check
answers (deploy/haproxy.cfg). Every round starts, for each of --pages, a new app
server as ``streamlit run app.py`` and as ``streamlit run serve.py`` (the app,
healthy only once warm), both with the repository's .streamlit/config.toml and the
files backend, and then a new empty app (bench/empty_app.py, same config), one at a
time.
For each it times the process start, the health check's first 200 and the first
page's run finished (a new session, as a shared link arrives: its health check for
the XSRF cookie, its websocket, one run; bench/streamlit_client.py proves the page
rendered). Then it opens the same page --warm more times, each on a new session: the
median of those is the warm page. It prints per page the median over the rounds of
each time, the server's CPU seconds until then, and the ratios: the first page's
wait to the warm page's (the target is 2x) and the app's times from process start
to the empty app's.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The repository for ``bench`` and ``dashboard``, tests/ for ``support.browser`` (the
# app server the tests start too)
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench.load import EMPTY_APP, EMPTY_VIEW, SERVER_OPTIONS, cpu_seconds, dashboard_view  # noqa: E402
from bench.streamlit_client import PageView, Reader, ViewResult, fetch_xsrf  # noqa: E402
from dashboard.stores import DATABASE_URL_ENV  # noqa: E402
from support.browser import AppServer  # noqa: E402

TARGET = 2.0  # issue #22: a new server's first page within 2x a warm one
SCRIPTS = ("app.py", "serve.py")


async def first_visit(url: str, view: PageView, run_timeout: float) -> ViewResult:
    """One page on a new session, as a shared link opens it: the wait includes the
    tab's health check (its XSRF cookie) and its websocket."""
    start = time.perf_counter()
    xsrf = await asyncio.to_thread(fetch_xsrf, url, run_timeout)
    reader = Reader(url, xsrf, run_timeout)
    try:
        result = await reader.view(view)
    finally:
        await reader.close()
    result.seconds = time.perf_counter() - start
    return result


@dataclass
class Start:
    """One new server and its first page, in seconds from its process start."""
    health: float
    first_page: float        # process start to the first page's run finished
    first_wait: float        # the first page's own wait, from its request
    warm_wait: float         # median wait of the next views of the page
    cpu_health: float        # the server's CPU seconds until healthy
    cpu_first_page: float    # ... and until its first page finished

    @property
    def cold_over_warm(self) -> float:
        return self.first_wait / self.warm_wait


def cold_start(script: Path, view: PageView, warm: int, run_timeout: float) -> Start:
    start = time.perf_counter()
    server = AppServer(script, options=SERVER_OPTIONS)  # returns once healthy
    try:
        health = time.perf_counter() - start
        cpu_health = cpu_seconds(server.proc.pid)
        first = asyncio.run(first_visit(server.url, view, run_timeout))
        first_page = time.perf_counter() - start
        cpu_first = cpu_seconds(server.proc.pid)
        warm_views = [asyncio.run(first_visit(server.url, view, run_timeout)) for _ in range(warm)]
    finally:
        server.stop()
    failed = [r for r in [first, *warm_views] if not r.ok]
    if failed:
        raise RuntimeError(f"{script.name} {view.label}: " + ", ".join(f"{r.cause}" for r in failed))
    return Start(health, first_page, first.seconds, statistics.median(r.seconds for r in warm_views),
                 cpu_health, cpu_first)


def median_start(starts: list[Start]) -> Start:
    """Each figure's median over the rounds."""
    fields = Start.__dataclass_fields__
    return Start(**{name: statistics.median(getattr(s, name) for s in starts) for name in fields})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="new servers per page (default 3)")
    parser.add_argument("--warm", type=int, default=5, help="views after the first, each on a new session (default 5)")
    parser.add_argument("--pages", default="/,/map", help="comma-separated pages of the app (default /,/map)")
    parser.add_argument("--run-timeout", type=float, default=120.0, help="longest wait for one view, s")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.warm < 1:
        parser.error("--rounds and --warm must be at least 1")
    views = [dashboard_view(spec) for spec in args.pages.split(",")]
    # The files backend, whatever this shell's environment names
    os.environ.pop(DATABASE_URL_ENV, None)

    targets = [(f"{script} {view.label}", ROOT / script, view) for script in SCRIPTS for view in views]
    runs: dict[str, list[Start]] = {name: [] for name, _, _ in targets}
    runs["empty app /"] = []
    for n in range(args.rounds):
        # One round: every page's new servers, then the empty app's, so that a slow
        # spell of this shared machine weighs on both sides of the ratios.
        for name, script, view in targets:
            runs[name].append(cold_start(script, view, args.warm, args.run_timeout))
        runs["empty app /"].append(cold_start(EMPTY_APP, EMPTY_VIEW, args.warm, args.run_timeout))
        print(f"round {n + 1}/{args.rounds}: " + ", ".join(
            f"{name} {starts[-1].first_page:.1f} s" for name, starts in runs.items()), flush=True)

    medians = {name: median_start(starts) for name, starts in runs.items()}
    empty = medians["empty app /"]
    print(f"\nmedian of {args.rounds} rounds, seconds from process start; waits from the page's request")
    print("| server | healthy | first page | first page's wait | warm page's wait | first ÷ warm "
          "| CPU s to healthy | CPU s to first page | healthy ÷ empty | first page ÷ empty |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, s in medians.items():
        print(f"| {name} | {s.health:.2f} s | {s.first_page:.2f} s | {s.first_wait * 1000:.0f} ms "
              f"| {s.warm_wait * 1000:.0f} ms | {s.cold_over_warm:.1f} | {s.cpu_health:.2f} | {s.cpu_first_page:.2f} "
              f"| {s.health / empty.health:.2f} | {s.first_page / empty.first_page:.2f} |")
    worst = max(s.cold_over_warm for name, s in medians.items() if name != "empty app /")
    print(f"\nslowest first page: {worst:.1f}x a warm one (target: {TARGET:g}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
