"""Load: concurrent readers on one Streamlit server, without a browser.

Usage: .venv/bin/python bench/load.py [--readers 1,10,50] [--think 5] [--duration 60]
           [--pages /map?region=prizren&lang=sq,/staffing] [--url URL --pid PID]
           [--first-visit-readers 5] [--first-visits] [--clear-cache 1]

Each reader is a live session, as a browser tab is: one websocket to Streamlit, on
which it opens a page, waits for the run to finish, thinks (0.5-1.5 x --think
seconds), and opens the next of --pages, until --duration has passed; then every
reader holds its session open for --hold seconds (memory with N sessions open) and
leaves. Every view must prove it rendered (bench/streamlit_client.py): the page's
title arrived, no exception element, the navigation chose the page asked for.

By default it starts the app and an empty Streamlit app (bench/empty_app.py, same
.streamlit/config.toml) and, for each number of readers, loads both in turn; then
it measures each server's capacity (--capacity-readers readers, no think time) and
prints the app's capacity as a ratio to the empty app's. A first-visit phase
(--first-visit-readers readers, no think time) opens every view on a new session,
as a donor's shared link arrives: a new tab, its health check (XSRF cookie) and
websocket, one page, closed; its rate is also a ratio to the empty app's, in the
same run. --first-visits makes the --readers phases first visits too: each reader
thinks between views as before, but every view is a new tab. --clear-cache S adds
a capacity phase of the app during which another client sends Streamlit's
``clear_cache`` every S seconds (any client can: it empties every st.cache_* of the
server). Per page and overall it prints views, errors by cause, p50/p95/p99 wait,
views per second, the server's CPU time per view and its memory (VmRSS from /proc)
before, at peak, with the sessions open and after they left. Only loopback addresses
can be targeted; every phase stops by itself (views are bounded by --run-timeout,
phases by their duration).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The repository for ``bench`` and ``dashboard``, tests/ for ``support.browser`` (the
# app server the tests start too)
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench.streamlit_client import (  # noqa: E402
    CONNECT,
    PageView,
    Reader,
    ViewResult,
    fetch_xsrf,
    query_lang,
    require_loopback,
    split_page,
)

EMPTY_APP = ROOT / "bench" / "empty_app.py"
EMPTY_VIEW = PageView("", "", ("Empty",))
# Every page of app.py's st.navigation, and the title key it shows (ui.page_start).
DASHBOARD_TITLES = {"": "overview.title", "map": "presence.title", "staffing": "staffing.title",
                    "budget": "budget.title", "reports": "reports.title", "history": "history.title",
                    "sources": "sources.title", "data": "edit.title"}
# An embedded view has no page title: the link back to the full view in its footer proves it.
EMBED_TEXT = "embed.full_view"
DASHBOARD_PAGES = ["/", "/map", "/staffing", "/budget", "/reports", "/history", "/sources", "/data",
                   "/embed?embed=true&view=map"]
# Servers started here name the type of an uncaught exception to the client, so an
# error's cause says more than "exception" (both servers alike: same config otherwise).
SERVER_OPTIONS = ["--client.showErrorDetails", "type"]
MAX_READERS = 1000
MAX_SECONDS = 3600
TICK = os.sysconf("SC_CLK_TCK")


def dashboard_view(spec: str) -> PageView:
    """The view of ``spec`` (``/map?region=prizren&lang=sq``), proven by its title in
    any interface language (a session keeps the language it was given)."""
    from dashboard.i18n import languages, t

    name, query = split_page(spec)
    if name == "embed":
        return PageView(name, query, tuple(t(EMBED_TEXT, lang) for lang in languages()), in_text=True)
    if name not in DASHBOARD_TITLES:
        raise ValueError(f"unknown page {spec!r}: the app's pages are "
                         + ", ".join(f"/{p}" for p in [*DASHBOARD_TITLES, "embed"]))
    first = query_lang(query)
    langs = [first, *(lang for lang in languages() if lang != first)] if first in languages() else languages()
    return PageView(name, query, tuple(t(DASHBOARD_TITLES[name], lang) for lang in langs))


# --- the server, from /proc ----------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def total_cpu_seconds(pids: tuple[int, ...]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- statistics ----------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (NaN for no values)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Summary:
    views: int
    errors: dict[str, int]
    p50_ms: float
    p95_ms: float
    p99_ms: float
    per_second: float

    @classmethod
    def of(cls, results: list[ViewResult], seconds: float) -> Summary:
        waits = [r.seconds * 1000 for r in results if r.ok]
        return cls(len(results), dict(Counter(r.cause for r in results if not r.ok)),
                   percentile(waits, 50), percentile(waits, 95), percentile(waits, 99),
                   len(waits) / seconds if seconds > 0 else math.nan)


@dataclass
class Phase:
    target: str
    readers: int
    think: float
    seconds: float                       # the measured window
    overall: Summary
    pages: dict[str, Summary]
    server_cpu_ms: float                 # per view
    client_cpu_ms: float                 # per view: the load generator's own share
    rss_before: int
    rss_peak: int
    rss_open: int                        # with every reader's session open, idle
    rss_after: int
    after_seconds: float
    warmup_errors: dict[str, int] = field(default_factory=dict)
    # With several servers the figures above are their sums, and this is each
    # one's memory with the sessions open.
    rss_open_each: list[int] = field(default_factory=list)

    @property
    def per_session(self) -> float:
        return (self.rss_open - self.rss_before) / self.readers


# --- one phase -----------------------------------------------------------------

@dataclass
class Load:
    url: str
    pid: int | tuple[int, ...]       # the server, or the servers behind a proxy
    pages: list[PageView]
    readers: int
    duration: float
    think: float = 5.0
    ramp: float = 0.0
    hold: float = 2.0
    settle: float = 5.0
    run_timeout: float = 60.0
    seed: int = 1
    # Makes reader i's session (default: a Reader of ``url`` sharing one XSRF cookie)
    new_reader: Callable[[int], Reader] | None = None
    # Every view on a new session (a new tab with its own health check), closed after it
    first_visit: bool = False
    # Seconds between the clear_cache messages another client sends (0: none)
    clear_cache_every: float = 0.0

    def __post_init__(self):
        require_loopback(self.url)
        if not 1 <= self.readers <= MAX_READERS:
            raise ValueError(f"readers must be 1 to {MAX_READERS}, not {self.readers}")
        for name, value in (("duration", self.duration), ("ramp", self.ramp), ("think", self.think),
                            ("hold", self.hold), ("settle", self.settle), ("run_timeout", self.run_timeout),
                            ("clear_cache_every", self.clear_cache_every)):
            if not 0 <= value <= MAX_SECONDS:
                raise ValueError(f"{name} must be 0 to {MAX_SECONDS} s, not {value}")
        if not self.pages:
            raise ValueError("no pages to open")
        for pid in self.pids:
            if not Path(f"/proc/{pid}").exists():
                raise ValueError(f"no process {pid} to measure")

    @property
    def pids(self) -> tuple[int, ...]:
        return (self.pid,) if isinstance(self.pid, int) else tuple(self.pid)


async def _sample_rss(pids: tuple[int, ...], peak: list[int], stop: asyncio.Event) -> None:
    while not stop.is_set():
        peak[0] = max(peak[0], sum(map(rss_bytes, pids)))
        try:
            await asyncio.wait_for(stop.wait(), 0.25)
        except TimeoutError:
            pass


async def _clear_caches(client: Reader, every: float, leave: asyncio.Event) -> None:
    """Another client, sending ``clear_cache`` every ``every`` seconds until the readers leave."""
    try:
        while not leave.is_set():
            await client.clear_cache()
            try:
                await asyncio.wait_for(leave.wait(), every)
            except TimeoutError:
                pass
    finally:
        await client.close()


async def run_load(load: Load, target: str = "") -> Phase:
    """Readers open pages until ``load.duration`` has passed after the ramp; views
    that start after the ramp are measured."""
    if load.new_reader:
        new_reader = load.new_reader
    else:
        xsrf = await asyncio.to_thread(fetch_xsrf, load.url)

        def new_reader(i: int) -> Reader:
            return Reader(load.url, xsrf, load.run_timeout)

    async def first_visit(i: int, view: PageView) -> ViewResult:
        # A new tab: its own health check (its cookie) inside the measured wait, its
        # own session, gone after one page.
        start = loop.time()
        try:
            xsrf = await asyncio.to_thread(fetch_xsrf, load.url, load.run_timeout)
        except OSError as exc:
            return ViewResult(view.label, loop.time() - start, f"{CONNECT}: {type(exc).__name__}")
        session = load.new_reader(i) if load.new_reader else Reader(load.url, xsrf, load.run_timeout)
        try:
            result = await session.view(view)
            result.seconds = loop.time() - start
        finally:
            # The tab moves on: its websocket's close handshake is not waited for.
            closing.append(asyncio.create_task(session.close()))
        return result

    closing: list[asyncio.Task] = []
    rng = random.Random(load.seed)
    results: list[tuple[float, ViewResult]] = []   # (start, result)
    idle = [asyncio.Event() for _ in range(load.readers)]
    leave = asyncio.Event()
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    window_start = t0 + load.ramp
    deadline = window_start + load.duration
    # A bound on the views of one reader, besides the deadline
    max_views = int(load.duration / max(load.think * 0.5, 0.001)) + len(load.pages) + 10

    async def reader(i: int, offset: int, delays: list[float]) -> None:
        session = new_reader(i)
        try:
            await asyncio.sleep(load.ramp * i / load.readers)
            for n in range(max_views):
                if loop.time() >= deadline:
                    break
                started = loop.time()
                page = load.pages[(offset + n) % len(load.pages)]
                results.append((started, await (first_visit(i, page) if load.first_visit else session.view(page))))
                await asyncio.sleep(min(delays[n % len(delays)], max(0.0, deadline - loop.time())))
            idle[i].set()
            await leave.wait()
        finally:
            idle[i].set()
            await session.close()

    pids = load.pids
    rss_before = sum(map(rss_bytes, pids))
    peak = [rss_before]
    stop_sampling = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(pids, peak, stop_sampling))
    cpu0, own0 = None, None
    tasks = [asyncio.create_task(reader(i, rng.randrange(len(load.pages)),
                                        [load.think * rng.uniform(0.5, 1.5) for _ in range(64)]))
             for i in range(load.readers)]
    if load.clear_cache_every:
        tasks.append(asyncio.create_task(_clear_caches(new_reader(load.readers), load.clear_cache_every, leave)))
    try:
        await asyncio.sleep(max(0.0, window_start - loop.time()))
        cpu0, own0 = total_cpu_seconds(pids), own_cpu_seconds()
        # Every reader ends its last view by the deadline plus one run timeout.
        await asyncio.wait_for(asyncio.gather(*(e.wait() for e in idle)),
                               max(0.0, deadline - loop.time()) + load.run_timeout + 10)
        end = loop.time()
        cpu1, own1 = total_cpu_seconds(pids), own_cpu_seconds()
        await asyncio.sleep(load.hold)
        rss_open_each = [rss_bytes(pid) for pid in pids]
        leave.set()
        await asyncio.wait_for(asyncio.gather(*tasks, *closing), 30)
        stop_sampling.set()
        await sampler
        await asyncio.sleep(load.settle)
        rss_after = sum(map(rss_bytes, pids))
    finally:
        leave.set()
        stop_sampling.set()
        for task in [*tasks, *closing, sampler]:
            task.cancel()
        await asyncio.gather(*tasks, *closing, sampler, return_exceptions=True)

    measured = [r for start, r in results if start >= window_start]
    seconds = end - window_start
    by_page: dict[str, list[ViewResult]] = {}
    for r in measured:
        by_page.setdefault(r.page, []).append(r)
    count = max(len(measured), 1)
    return Phase(target, load.readers, load.think, seconds, Summary.of(measured, seconds),
                 {p.label: Summary.of(by_page.get(p.label, []), seconds) for p in load.pages},
                 (cpu1 - cpu0) * 1000 / count, (own1 - own0) * 1000 / count,
                 rss_before, peak[0], sum(rss_open_each), rss_after, load.settle,
                 rss_open_each=rss_open_each)


async def warm_up(url: str, pages: list[PageView], run_timeout: float) -> dict[str, int]:
    """One reader opens every page once, so first-run imports and caches are not
    measured; returns its errors by cause."""
    reader = Reader(url, await asyncio.to_thread(fetch_xsrf, url), run_timeout)
    try:
        results = [await reader.view(page) for page in pages]
    finally:
        await reader.close()
    return dict(Counter(f"{r.cause} ({r.page})" for r in results if not r.ok))


# --- report --------------------------------------------------------------------

MB = 1024 * 1024


def _row(label: str, s: Summary) -> str:
    errors = sum(s.errors.values())
    return (f"{label:<34}{s.views:>7}{errors:>7}{s.p50_ms:>9.0f}{s.p95_ms:>9.0f}{s.p99_ms:>9.0f}"
            f"{s.per_second:>9.2f}")


def report(phase: Phase) -> str:
    lines = [f"== {phase.target}: {phase.readers} readers, think {phase.think:g} s, "
             f"{phase.seconds:.0f} s measured",
             f"{'page':<34}{'views':>7}{'errors':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'views/s':>9}"]
    lines += [_row(label, s) for label, s in phase.pages.items()] if len(phase.pages) > 1 else []
    lines.append(_row("all", phase.overall))
    for label, s in [*phase.pages.items()] if len(phase.pages) > 1 else [("all", phase.overall)]:
        for cause, n in sorted(s.errors.items()):
            lines.append(f"  error: {label}: {cause} x{n}")
    for cause, n in phase.warmup_errors.items():
        lines.append(f"  warm-up error: {cause} x{n}")
    lines.append(f"server CPU per view {phase.server_cpu_ms:.0f} ms (load generator: {phase.client_cpu_ms:.0f} ms)")
    lines.append(f"server memory (VmRSS): before {phase.rss_before / MB:.0f} MB, peak {phase.rss_peak / MB:.0f} MB, "
                 f"{phase.readers} sessions open {phase.rss_open / MB:.0f} MB "
                 f"({phase.per_session / MB:+.2f} MB per session), "
                 f"{phase.after_seconds:g} s after they left {phase.rss_after / MB:.0f} MB")
    if len(phase.rss_open_each) > 1:
        lines.append(f"  ({len(phase.rss_open_each)} servers, summed; each with the sessions open: "
                     + ", ".join(f"{rss / MB:.0f} MB" for rss in phase.rss_open_each) + ")")
    return "\n".join(lines)


def summary_table(phases: list[Phase], capacity: dict[str, Phase]) -> str:
    lone = {p.target: p.overall.p95_ms for p in phases if p.readers == 1}
    lines = ["| server | readers | think | views/s | p50 ms | p95 ms | p95 × lone | p99 ms | errors "
             "| CPU/view | MB/session |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for p in [*phases, *capacity.values()]:
        o = p.overall
        vs_lone = o.p95_ms / lone[p.target] if p.target in lone else math.nan
        lines.append(f"| {p.target} | {p.readers} | {p.think:g} s | {o.per_second:.1f} | {o.p50_ms:.0f} "
                     f"| {o.p95_ms:.0f} | {vs_lone:.1f} | {o.p99_ms:.0f} | {sum(o.errors.values())} "
                     f"| {p.server_cpu_ms:.0f} ms | {p.per_session / MB:.2f} |")
    lines.append("")
    for kind, suffix in (("in-session", ""), ("first visit", " (first visit)")):
        app, empty = capacity.get(f"dashboard{suffix}"), capacity.get(f"empty app{suffix}")
        if app and empty:
            lines.append(f"{kind}: dashboard {app.overall.per_second:.1f} views/s, empty app "
                         f"{empty.overall.per_second:.1f} views/s: ratio {ratio(app, empty):.2f}")
    app, empty = capacity.get("dashboard"), capacity.get("empty app")
    if app and empty:
        lines.append(f"at one view per reader every 30 s, one server keeps up with about "
                     f"{app.overall.per_second * 30:.0f} readers at full load "
                     f"(the empty app {empty.overall.per_second * 30:.0f})")
    cleared = capacity.get("dashboard (clear_cache)")
    if app and cleared:
        lines.append(f"while another client sends clear_cache: {cleared.overall.per_second:.1f} views/s, "
                     f"{ratio(cleared, app):.2f} of the undisturbed capacity")
    return "\n".join(lines).rstrip()


def ratio(phase: Phase, other: Phase) -> float:
    """``phase``'s views per second over ``other``'s (NaN when ``other`` served none)."""
    return phase.overall.per_second / other.overall.per_second if other.overall.per_second else math.nan


# --- command line --------------------------------------------------------------

def add_reader_options(parser: argparse.ArgumentParser, readers: str) -> None:
    """The options every load run shares: how many readers, how they read, which pages
    (``bench/proxy_load.py`` takes the same)."""
    parser.add_argument("--readers", default=readers, help=f"comma-separated reader counts (default {readers})")
    parser.add_argument("--think", type=float, default=5.0, help="mean think time between views, s (default 5)")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds per point (default 60)")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds over which readers arrive, not measured")
    parser.add_argument("--hold", type=float, default=2.0, help="seconds the sessions stay open at the end")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds to wait after they leave")
    parser.add_argument("--run-timeout", type=float, default=60.0, help="longest wait for one view, s")
    parser.add_argument("--pages", help="comma-separated pages with their queries (default: every page)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_reader_options(parser, "1,10,50")
    parser.add_argument("--capacity-readers", type=int, default=4,
                        help="readers without think time for the capacity phase (0: none)")
    parser.add_argument("--capacity-duration", type=float, default=20.0)
    parser.add_argument("--first-visit-readers", type=int, default=5,
                        help="readers without think time, each view on a new session (0: no first-visit phase)")
    parser.add_argument("--first-visits", action="store_true",
                        help="the --readers phases open every view on a new session too, as shared links arrive")
    parser.add_argument("--clear-cache", type=float, default=0.0, metavar="SECONDS",
                        help="also measure the app's capacity while another client sends clear_cache this often")
    parser.add_argument("--url", help="attach to this app instead of starting one (needs --pid)")
    parser.add_argument("--pid", type=int, help="the attached server's process id, for CPU and memory")
    parser.add_argument("--no-empty", action="store_true", help="skip the empty app")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    if bool(args.url) != bool(args.pid):
        parser.error("--url and --pid go together")
    if args.url:
        require_loopback(args.url)
    counts = [int(n) for n in args.readers.split(",")]
    pages = [dashboard_view(spec) for spec in (args.pages.split(",") if args.pages else DASHBOARD_PAGES)]

    from support.browser import AppServer

    servers = []
    try:
        if args.url:
            targets = {"dashboard": (args.url, args.pid, pages)}
        else:
            app = AppServer(ROOT / "app.py", options=SERVER_OPTIONS)
            servers.append(app)
            targets = {"dashboard": (app.url, app.proc.pid, pages)}
        if not args.no_empty:
            empty = AppServer(EMPTY_APP, options=SERVER_OPTIONS)
            servers.append(empty)
            targets["empty app"] = (empty.url, empty.proc.pid, [EMPTY_VIEW])
        warm = {name: asyncio.run(warm_up(url, views, args.run_timeout))
                for name, (url, _, views) in targets.items()}
        phases: list[Phase] = []
        for n in counts:
            for name, (url, pid, views) in targets.items():
                phase = asyncio.run(run_load(
                    Load(url, pid, views, n, args.duration, args.think, args.ramp, args.hold, args.settle,
                         args.run_timeout, args.seed, first_visit=args.first_visits),
                    f"{name}, first visits" if args.first_visits else name))
                phase.warmup_errors = warm[name]
                phases.append(phase)
                print(report(phase), end="\n\n", flush=True)
        capacity: dict[str, Phase] = {}
        if args.capacity_readers:
            for name, (url, pid, views) in targets.items():
                phase = asyncio.run(run_load(
                    Load(url, pid, views, args.capacity_readers, args.capacity_duration, 0.0, 1.0, args.hold,
                         args.settle, args.run_timeout, args.seed), f"{name} (capacity)"))
                capacity[name] = phase
                print(report(phase), end="\n\n", flush=True)
        if args.first_visit_readers:
            for name, (url, pid, views) in targets.items():
                phase = asyncio.run(run_load(
                    Load(url, pid, views, args.first_visit_readers, args.capacity_duration, 0.0, 1.0, args.hold,
                         args.settle, args.run_timeout, args.seed, first_visit=True), f"{name} (first visit)"))
                capacity[f"{name} (first visit)"] = phase
                print(report(phase), end="\n\n", flush=True)
        if args.clear_cache and args.capacity_readers:
            url, pid, views = targets["dashboard"]
            phase = asyncio.run(run_load(
                Load(url, pid, views, args.capacity_readers, args.capacity_duration, 0.0, 1.0, args.hold,
                     args.settle, args.run_timeout, args.seed, clear_cache_every=args.clear_cache),
                f"dashboard (capacity, clear_cache every {args.clear_cache:g} s)"))
            capacity["dashboard (clear_cache)"] = phase
            print(report(phase), end="\n\n", flush=True)
        print(summary_table(phases, capacity))
        if args.json:
            args.json.write_text(json.dumps([asdict(p) for p in [*phases, *capacity.values()]], indent=1))
        failed = any(sum(p.overall.errors.values()) for p in [*phases, *capacity.values()])
        return 1 if failed else 0
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
