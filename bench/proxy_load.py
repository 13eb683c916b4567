"""Load through the proxy: bench/load.py's readers against the deployment from
processes (PostgreSQL, two app servers, Debian's haproxy on deploy/haproxy.cfg).

Usage: .venv/bin/python bench/proxy_load.py [--readers 10,50,100] [--think 5] [--duration 60]
           [--configs direct,proxy1,proxy2] [--capacity-readers 6] [--kill-one] [--json FILE]

Starts a throwaway PostgreSQL (`db upgrade`, `db load`), app servers app1 and app2
on it and haproxy in front (tests/support/topology.py), opens every page once on
each server, then for each number of readers loads each configuration in turn:

- direct:  the readers talk to app1 itself, as bench/load.py does;
- proxy1:  through the proxy, with app2 in maintenance (the runtime API's
           `set server app/app2 state maint`): one server;
- proxy2:  through the proxy, both servers.

A reader behind the proxy is a browser tab: its page load (`GET /_stcore/health`)
gets the XSRF cookie and the proxy's sticky SERVERID, its websocket carries both,
and the proxy's session table says which server the websocket reached. After a
failed view it reloads (that request again, with the cookies it holds, then a new
websocket), which the proxy sends to a live server. Then each configuration's
capacity (--capacity-readers readers, no think time), the 2-server/1-server ratio,
and one table: views/s, errors by cause, waits, app servers' CPU per view (summed
over the servers in use), the proxy's CPU per view, memory per server, sessions per
server, and the load average (the machine may be shared: a point taken while it was
busy shows there).

--kill-one: both servers and --kill-readers readers; --kill-after seconds into the
measured window app2 is killed (SIGKILL). For the readers pinned to each server at
that moment it prints their views and errors, and where app2's readers went on.
Expected: one "connection closed" per reader of app2, each then served by app1, and
no error for app1's readers.

Loopback only; every phase is bounded (bench/load.py); everything started here is
stopped at the end, on failure, on Ctrl-C and on SIGTERM.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import signal
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench.load import (  # noqa: E402
    DASHBOARD_PAGES,
    MB,
    SERVER_OPTIONS,
    Load,
    Phase,
    add_reader_options,
    cpu_seconds,
    dashboard_view,
    report,
    run_load,
    warm_up,
)
from bench.streamlit_client import XSRF_COOKIE, PageView, Reader, ViewResult, fetch_cookies  # noqa: E402
from support.topology import Deployment, Proxy  # noqa: E402

STICKY_COOKIE = "SERVERID"   # deploy/haproxy.cfg: cookie SERVERID insert
CONFIGS = {"direct": "direct → app1", "proxy1": "proxy → 1 server", "proxy2": "proxy → 2 servers"}
DOOMED, SURVIVOR = "app2", "app1"


class StickyReader(Reader):
    """A browser tab behind the proxy, which records the server each of its
    websockets reached and the server of each view."""

    def __init__(self, proxy: Proxy, run_timeout: float):
        super().__init__(proxy.url, "", run_timeout)
        self.proxy = proxy
        self.connections: list[tuple[str, str | None]] = []   # (SERVERID sent, server reached)
        self.views: list[tuple[str | None, ViewResult]] = []  # (server, result)

    @property
    def server(self) -> str | None:
        """The server this tab is pinned to (its last websocket's)."""
        return self.connections[-1][1] if self.connections else None

    async def open(self) -> None:
        # A (re)load of the page: after a server died the request still names it,
        # and the proxy sends it on to another, which sets its own cookie.
        held = await asyncio.to_thread(fetch_cookies, self.base_url, self.cookie_jar())
        self.xsrf = held.pop(XSRF_COOKIE, "")
        self.cookies = held
        await super().open()
        server = await asyncio.to_thread(self.proxy.server_of, self.ws.local_address[1])
        self.connections.append((self.cookies.get(STICKY_COOKIE, ""), server))

    async def view(self, view: PageView) -> ViewResult:
        result = await super().view(view)
        # A failed view belongs to the server the tab was on; a view that opened
        # a new websocket, to the server that one reached.
        self.views.append((self.server, result))
        return result


def not_sticky(connections: list[tuple[str, str | None]]) -> list[str]:
    """What broke stickiness, one line each, given every websocket's (SERVERID sent,
    server reached); none when each reached the server its page load's cookie names
    and each value names one server."""
    reached: dict[str, set] = {}
    for cookie, server in connections:
        reached.setdefault(cookie, set()).add(server)
    problems = [f"SERVERID {cookie!r} reached {sorted(map(str, servers))}"
                for cookie, servers in reached.items() if len(servers) != 1 or None in servers or not cookie]
    named = [next(iter(s)) for s in reached.values() if len(s) == 1]
    problems += [f"{server} has several SERVERID values" for server, n in Counter(named).items() if n > 1]
    return problems


# --- one point -------------------------------------------------------------------

@dataclass
class Point:
    config: str
    phase: Phase
    proxy_cpu_ms: float                      # per view (all views of the run); NaN direct
    sessions: dict[str, int] = field(default_factory=dict)   # readers per server, at the end
    views: dict[str, int] = field(default_factory=dict)      # rendered views per server
    not_sticky: list[str] = field(default_factory=list)
    readers_moved: int = 0                   # readers whose views were on more than one server
    load_average: float = math.nan           # 1 minute, at the end


@dataclass
class Settings:
    pages: list[PageView]
    think: float = 5.0
    duration: float = 60.0
    ramp: float = 5.0
    hold: float = 2.0
    settle: float = 5.0
    run_timeout: float = 60.0
    seed: int = 1


def target(deployment: Deployment, config: str, run_timeout: float):
    """(url, server pids, reader factory, the readers it made) for ``config``; puts
    app2 in or out of rotation as it needs."""
    app1, app2, proxy = deployment.servers["app1"], deployment.servers["app2"], deployment.proxy
    if config == "direct":
        return app1.url, (app1.proc.pid,), None, []
    proxy.set_state("app2", "ready" if config == "proxy2" else "maint")
    made: list[StickyReader] = []

    def new_reader(i: int) -> StickyReader:
        made.append(StickyReader(proxy, run_timeout))
        return made[-1]

    servers = [app1, app2] if config == "proxy2" else [app1]
    return proxy.url, tuple(s.proc.pid for s in servers), new_reader, made


def measure(deployment: Deployment, config: str, readers: int, s: Settings, label: str = "") -> Point:
    url, pids, new_reader, made = target(deployment, config, s.run_timeout)
    proxy_pid = deployment.proxy.proc.pid
    proxy_cpu = cpu_seconds(proxy_pid)
    phase = asyncio.run(run_load(Load(url, pids, s.pages, readers, s.duration, s.think, s.ramp, s.hold, s.settle,
                                      s.run_timeout, s.seed, new_reader), label or CONFIGS[config]))
    proxy_cpu = cpu_seconds(proxy_pid) - proxy_cpu
    all_views = sum(len(r.views) for r in made)
    return Point(config, phase, proxy_cpu * 1000 / all_views if made and all_views else math.nan,
                 dict(Counter(r.server for r in made)),
                 dict(Counter(server for r in made for server, result in r.views if result.ok)),
                 not_sticky([c for r in made for c in r.connections]),
                 sum(len({server for server, _ in r.views}) > 1 for r in made),
                 os.getloadavg()[0])


# --- killing one server mid-run ------------------------------------------------------

@dataclass
class Group:
    """The readers pinned to one server when app2 was killed."""
    readers: int = 0
    views: int = 0
    errors: Counter = field(default_factory=Counter)
    readers_with_errors: int = 0
    most_errors: int = 0                     # of one reader
    then_on: Counter = field(default_factory=Counter)    # where they ended


async def kill_one(deployment: Deployment, readers: int, s: Settings, kill_after: float) -> tuple[Phase, dict]:
    """``readers`` readers through the proxy on both servers; ``kill_after`` seconds
    into the measured window app2 gets SIGKILL. Their views by the server each
    reader was pinned to at that moment."""
    url, _, new_reader, made = target(deployment, "proxy2", s.run_timeout)
    # app2 dies: only the survivor can be measured to the end
    load = Load(url, (deployment.servers[SURVIVOR].proc.pid,), s.pages, readers, s.duration, s.think, s.ramp,
                0, 0, s.run_timeout, s.seed, new_reader)
    pinned: list[str | None] = []
    killed_at: list[int] = []                # each reader's view count at the kill

    async def kill() -> None:
        await asyncio.sleep(s.ramp + kill_after)
        pinned.extend(r.server for r in made)
        killed_at.extend(len(r.views) for r in made)
        deployment.servers[DOOMED].proc.kill()

    phase, _ = await asyncio.gather(run_load(load, f"kill {DOOMED}"), kill())
    groups: dict[str, Group] = {}
    for reader, server, before in zip(made, pinned, killed_at):
        group = groups.setdefault(str(server), Group())
        errors = Counter(result.cause for _, result in reader.views if not result.ok)
        group.readers += 1
        group.views += len(reader.views) - before
        group.errors += errors
        group.readers_with_errors += bool(errors)
        group.most_errors = max(group.most_errors, sum(errors.values()))
        group.then_on[str(reader.server)] += 1
    return phase, groups


def kill_report(readers: int, s: Settings, kill_after: float, groups: dict[str, Group], states: dict) -> str:
    lines = [f"== kill {DOOMED}: {readers} readers through the proxy, think {s.think:g} s; "
             f"SIGKILL {kill_after:g} s into the {s.duration:g} s window"]
    for server in sorted(groups):
        g = groups[server]
        errors = sum(g.errors.values())
        role = " (killed)" if server == DOOMED else ""
        lines.append(f"readers pinned to {server}{role}: {g.readers}, views after the kill {g.views}, "
                     f"errors {errors}" + (f" ({_causes(g.errors)})" if errors else "")
                     + f", readers with an error {g.readers_with_errors} (at most {g.most_errors} each), "
                     f"then on: {_causes(g.then_on)}")
    lines.append("proxy's view of the servers afterwards: " + ", ".join(f"{k} {v}" for k, v in sorted(states.items())))
    return "\n".join(lines)


# --- report -------------------------------------------------------------------------

def _causes(counts: Counter | dict) -> str:
    return ", ".join(f"{cause} ×{n}" for cause, n in sorted(counts.items()))


def _split(counts: dict[str, int]) -> str:
    return "/".join(str(counts.get(name, 0)) for name in Deployment.NAMES) if counts else "–"


def table(points: list[Point], capacity: list[Point]) -> str:
    lines = ["| configuration | readers | think | views/s | p50 ms | p95 ms | p99 ms | errors | app CPU/view "
             "| proxy CPU/view | MB per server | MB/session | sessions app1/app2 | load avg |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for p in [*points, *capacity]:
        o = p.phase.overall
        errors = sum(o.errors.values())
        lines.append(f"| {CONFIGS[p.config]} | {p.phase.readers} | {p.phase.think:g} s | {o.per_second:.1f} "
                     f"| {o.p50_ms:.0f} | {o.p95_ms:.0f} | {o.p99_ms:.0f} "
                     f"| {errors}{f' ({_causes(o.errors)})' if errors else ''} | {p.phase.server_cpu_ms:.0f} ms "
                     f"| {'–' if math.isnan(p.proxy_cpu_ms) else f'{p.proxy_cpu_ms:.1f} ms'} "
                     f"| {' / '.join(f'{rss / MB:.0f}' for rss in p.phase.rss_open_each)} "
                     f"| {p.phase.per_session / MB:.2f} | {_split(p.sessions)} | {p.load_average:.1f} |")
    by = {p.config: p.phase.overall.per_second for p in capacity}
    if capacity:
        # A server's page runs hold the GIL: one server cannot use more than one core.
        lines.append("\ncores the app servers used at capacity: " + ", ".join(
            f"{CONFIGS[p.config]} {p.phase.overall.per_second * p.phase.server_cpu_ms / 1000:.2f}" for p in capacity)
            + f" (of {os.cpu_count()} on this machine)")
    if "proxy1" in by and "proxy2" in by:
        lines.append(f"capacity, 2 servers / 1 server behind the proxy: {by['proxy2']:.1f} / {by['proxy1']:.1f} "
                     f"views/s = {by['proxy2'] / by['proxy1']:.2f}× (target ≥ 1.6×)")
    if "direct" in by and "proxy1" in by:
        lines.append(f"capacity of one server through the proxy / direct: {by['proxy1'] / by['direct']:.2f}×")
    return "\n".join(lines)


def sizing(points: list[Point], capacity: list[Point]) -> str:
    """Servers and memory for 1,000 concurrent readers, from one server's measured
    capacity through the proxy and the memory its sessions took."""
    one = [p for p in capacity if p.config == "proxy1"]
    held = [p for p in points if p.config != "direct"]
    if not one or not held:
        return ""
    per_server = one[0].phase.overall.per_second
    # The largest growth per session measured: RSS seldom shrinks, so small
    # differences between points are mostly noise.
    per_session = max(max(p.phase.per_session for p in held), 0)
    busiest = max(held, key=lambda p: p.phase.readers)
    base = busiest.phase.rss_before / len(busiest.phase.rss_open_each)
    lines = [f"sizing: one server {per_server:.1f} views/s at capacity; at most {per_session / MB:.2f} MB per open "
             f"session; a server {base / MB:.0f} MB before its readers came"]
    for every in (30, 5):
        rate = 1000 / every
        servers = max(1, math.ceil(rate / (0.7 * per_server)))
        memory = servers * base + 1000 * per_session
        lines.append(f"1,000 readers at one view per {every} s = {rate:.0f} views/s: {servers} servers at 70 % of "
                     f"capacity, about {memory / MB / 1024:.1f} GB in all")
    return "\n".join(lines)


# --- command line ---------------------------------------------------------------------

def _stop_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)   # unwinds through the finally that stops every process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_reader_options(parser, "10,50,100")
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help=f"which of {', '.join(CONFIGS)} to load (default all; empty: none)")
    parser.add_argument("--capacity-readers", type=int, default=6,
                        help="readers without think time for each configuration's capacity (0: none)")
    parser.add_argument("--capacity-duration", type=float, default=20.0)
    parser.add_argument("--kill-one", action="store_true", help="then kill app2 in the middle of a run")
    parser.add_argument("--kill-readers", type=int, default=20)
    parser.add_argument("--kill-duration", type=float, default=30.0)
    parser.add_argument("--kill-after", type=float, help="seconds into the window (default: half of it)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args(argv)
    configs = [c for c in args.configs.split(",") if c]
    if unknown := set(configs) - set(CONFIGS):
        parser.error(f"unknown configuration(s) {', '.join(sorted(unknown))}: choose from {', '.join(CONFIGS)}")
    counts = [int(n) for n in args.readers.split(",") if n]
    pages = [dashboard_view(spec) for spec in (args.pages.split(",") if args.pages else DASHBOARD_PAGES)]
    settings = Settings(pages, args.think, args.duration, args.ramp, args.hold, args.settle, args.run_timeout,
                        args.seed)

    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    deployment = None
    try:
        deployment = Deployment(options=SERVER_OPTIONS)
        print(f"deployment: PostgreSQL, app1 pid {deployment.servers['app1'].proc.pid}, app2 pid "
              f"{deployment.servers['app2'].proc.pid}, haproxy {deployment.proxy.url}; load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        for name, server in deployment.servers.items():
            if warm := asyncio.run(warm_up(server.url, pages, args.run_timeout)):
                print(f"warm-up errors on {name}: {_causes(warm)}", flush=True)
        points, capacity = [], []
        for n in counts:
            for config in configs:
                points.append(measure(deployment, config, n, settings))
                print(_point_report(points[-1]), end="\n\n", flush=True)
        if args.capacity_readers:
            fast = Settings(pages, 0.0, args.capacity_duration, 1.0, args.hold, args.settle, args.run_timeout,
                            args.seed)
            for config in configs:
                capacity.append(measure(deployment, config, args.capacity_readers, fast,
                                        f"{CONFIGS[config]} (capacity)"))
                print(_point_report(capacity[-1]), end="\n\n", flush=True)
        if points or capacity:
            print(table(points, capacity))
            print(sizing(points, capacity), flush=True)
        failed = any(sum(p.phase.overall.errors.values()) or p.not_sticky or p.readers_moved
                     for p in [*points, *capacity])
        record = {"points": [_record(p) for p in points], "capacity": [_record(p) for p in capacity]}
        if args.kill_one:
            kill = Settings(pages, args.think, args.kill_duration, args.ramp, 0, 0, args.run_timeout, args.seed)
            after = args.kill_after if args.kill_after is not None else args.kill_duration / 2
            phase, groups = asyncio.run(kill_one(deployment, args.kill_readers, kill, after))
            print("\n" + kill_report(args.kill_readers, kill, after, groups, deployment.proxy.states()), flush=True)
            survivors = groups.get(SURVIVOR, Group())
            failed |= bool(survivors.errors) or DOOMED not in groups
            # not asdict: it rebuilds a Counter from its items, counting them
            record["kill"] = {"phase": asdict(phase), "groups": {k: vars(g) for k, g in groups.items()}}
        if args.json:
            args.json.write_text(json.dumps(record, indent=1, default=str))
        return 1 if failed else 0
    finally:
        if deployment:
            deployment.stop()


def _point_report(p: Point) -> str:
    extra = [f"proxy CPU per view {p.proxy_cpu_ms:.1f} ms; sessions per server {p.sessions}; "
             f"views per server {p.views}"] if p.sessions else []
    extra += [f"NOT STICKY: {problem}" for problem in p.not_sticky]
    extra += [f"NOT STICKY: {p.readers_moved} readers had views on more than one server"] if p.readers_moved else []
    return "\n".join([report(p.phase), *extra, f"load average {p.load_average:.1f}"])


def _record(p: Point) -> dict:
    return {**asdict(p), "phase": asdict(p.phase)}


if __name__ == "__main__":
    sys.exit(main())
