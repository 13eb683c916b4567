"""Page-ready time and bytes sent, per page, in headless Chromium.

Usage: .venv/bin/python bench/page_ready.py [--runs N] [--pages overview,map] [--compare DIR] [--cpu N]

Starts the app as deployments serve it (serve.py: app.py, warmed before it answers,
with dashboard.page_shell's page at each page's address) and an empty Streamlit app
(bench/empty_app.py) side by side and
loads every page N times in a fresh browser context (nothing cached), in rounds
that each load the empty app too. A page is
ready when Streamlit's script has finished, the title is shown, every chart has
drawn its canvas or SVG (a chart drawn on the server: its picture has loaded),
and, on map pages, Leaflet has drawn all 44 shapes. It
prints the median ready time and the median of its ratios to the empty app's load in
the same round (so the ratio, not the milliseconds, is comparable across machines,
and a slow spell of the machine weighs on both sides of each ratio), with the middle
half of those ratios (interquartile range) to show the spread, and the bytes the
browser received: over the websocket (the page's data), from /app/static (the map's
Leaflet), and in total. A second baseline, the same empty page at /other
(bench/empty_app_other_page.py), shows what Streamlit itself costs every page that is
not at the root.
--compare DIR serves the same pages from another copy of the app too (say, the
commit before a change, from ``git archive``, with its static/ Leaflet), and loads
them in the same rounds, right after this tree's: a before-and-after on the same
busy machine.
--cpu N then loads every page N more times with Chromium's CPU profiler on (those loads
are not timed: the profiler slows them) and prints the browser's main-thread CPU per
page, busy (not idle) until the page is ready, against the empty app's, and the
scripts that spend most of the difference. The main thread runs Streamlit's frontend
and the map's frame alike, so it is where a page's time beyond the empty app goes:
profile before optimising.
No network beyond 127.0.0.1 is used; requests elsewhere are aborted.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The repository for ``dashboard``, tests/ for ``support.browser`` (the app server and
# Chromium the browser tests use too)
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from playwright.sync_api import sync_playwright  # noqa: E402

from support.browser import CHROMIUM, CHROMIUM_ARGS, MAP_FRAME, READY_SELECTOR, AppServer  # noqa: E402

PAGES = {"overview": "", "map": "map", "staffing": "staffing", "budget": "budget",
         "reports": "reports", "history": "history", "sources": "sources"}
MAP_PAGES = {"overview", "map"}
OTHER = "(empty, /other)"  # the empty page at another address than /: see empty_app_other_page.py


def js_string(text: str) -> str:
    """The body of a single-quoted JavaScript string literal that reads as ``text``."""
    return text.replace("'", "\\'")


# The selectors go in by named placeholders: str.format or an f-string would clash with the script's own braces,
# and % formatting with any % it gains.
READY_JS = """(mapShapes) => {
  if (!document.querySelector('@READY_SELECTOR@') || !document.querySelector('h1')) return false;
  for (const c of document.querySelectorAll('[data-testid="stVegaLiteChart"]'))
    if (!c.querySelector('canvas, svg')) return false;
  for (const i of document.querySelectorAll('.omik-static-chart img')) if (!i.complete) return false;
  if (mapShapes) {
    const f = document.querySelector('@MAP_FRAME@');
    if (!f || !f.contentDocument ||
        f.contentDocument.querySelectorAll('path.leaflet-interactive').length < mapShapes) return false;
  }
  return true;
}""".replace("@READY_SELECTOR@", js_string(READY_SELECTOR)).replace("@MAP_FRAME@", js_string(MAP_FRAME))


def map_shapes(name: str) -> int:
    """The shapes a page must have drawn to be ready: 44 on a map page, else none."""
    return 44 if name.split(" ")[0] in MAP_PAGES else 0


def entry_point(tree: Path) -> Path:
    """What deployments of the app in ``tree`` run: serve.py, or app.py before there was one."""
    return tree / "serve.py" if (tree / "serve.py").exists() else tree / "app.py"


def main_thread_cpu(profile: dict) -> Counter:
    """A CDP CPU profile's busy time (all but idle), in ms, by script file (its
    content hash left out: ``StreamlitMarkdown.js``) or, for the browser's own work,
    by its name ("(program)": parsing, style, layout; "(garbage collector)")."""
    frames = {node["id"]: node["callFrame"] for node in profile["nodes"]}
    busy: Counter = Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"]):
        frame = frames[sample]
        if frame["functionName"] != "(idle)":
            script = re.sub(r"\.[\w-]{8}(\.js)$", r"\1", frame["url"].rsplit("/", 1)[-1])
            busy[script or frame["functionName"]] += delta / 1000
    return busy


def measure(browser, url: str, map_shapes: int, cpu: bool = False) -> tuple[float, dict[str, int], Counter]:
    """Seconds until the page at ``url`` is ready, the bytes received, and (``cpu``)
    its main thread's busy time by script (``main_thread_cpu``)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    profiler = context.new_cdp_session(page) if cpu else None
    if profiler:
        profiler.send("Profiler.enable")
        profiler.send("Profiler.setSamplingInterval", {"interval": 200})  # µs
        profiler.send("Profiler.start")
    sizes = {"websocket": 0, "static": 0, "total": 0}

    def on_finished(request):
        try:
            body = request.sizes()["responseBodySize"]
        except Exception:  # the context closed before the size was read: not counted
            return
        sizes["total"] += body
        if "/app/static/" in request.url:
            sizes["static"] += body

    def on_socket(ws):
        def frame(payload):
            n = len(payload)
            sizes["websocket"] += n
            sizes["total"] += n
        ws.on("framereceived", frame)

    page.on("requestfinished", on_finished)
    page.on("websocket", on_socket)
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(READY_JS, arg=map_shapes, timeout=120_000, polling=20)
    elapsed = time.perf_counter() - start
    busy = main_thread_cpu(profiler.send("Profiler.stop")["profile"]) if profiler else Counter()
    context.close()
    return elapsed, sizes, busy


def print_cpu(busy: dict[str, list[Counter]]) -> None:
    """The median busy main-thread ms per page, × the empty app's, and the five
    scripts whose mean time beyond the empty app's is largest."""
    def total(name: str) -> float:
        return statistics.median(sum(loads.values()) for loads in busy[name])

    def mean(name: str) -> Counter:
        out: Counter = Counter()
        for loads in busy[name]:
            out.update({script: ms / len(busy[name]) for script, ms in loads.items()})
        return out

    base, base_scripts = total("empty"), mean("empty")
    print(f"\nmain-thread CPU until ready ({len(busy['empty'])} profiled loads each): empty app {base:.0f} ms busy")
    print(f"{'page':<20}{'busy ms':>9}{'ratio':>7}  most of the difference, ms")
    for name in busy:
        if name == "empty":
            continue
        beyond = mean(name)
        beyond.subtract(base_scripts)
        top = ", ".join(f"{script} {ms:.0f}" for script, ms in beyond.most_common(5) if ms >= 1)
        print(f"{name:<20}{total(name):>9.0f}{total(name) / base:>7.2f}  {top}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="loads per page (default 5)")
    parser.add_argument("--pages", help=f"comma-separated names among: {', '.join(PAGES)} (default: all)")
    parser.add_argument("--cpu", type=int, default=0, metavar="N",
                        help="then N profiled loads per page: main-thread CPU by script (default 0: none)")
    parser.add_argument("--compare", type=Path, metavar="DIR",
                        help="another copy of the app whose pages load in the same rounds (shown as 'name (before)')")
    args = parser.parse_args()
    pages = {name: PAGES[name] for name in args.pages.split(",")} if args.pages else PAGES
    app = AppServer(ROOT / "serve.py")
    empty = AppServer(ROOT / "bench" / "empty_app.py")
    other = AppServer(ROOT / "bench" / "empty_app_other_page.py")
    # (run from this tree, as every server here: the same .streamlit/config.toml)
    before = AppServer(entry_point(args.compare.resolve())) if args.compare else None
    urls = {"empty": empty.url, OTHER: f"{other.url}/other"}
    for name, path in pages.items():
        urls[name] = f"{app.url}/{path}"
        if before:
            urls[f"{name} (before)"] = f"{before.url}/{path}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # one unmeasured load each, so first-run imports and caches are not counted
            for name, url in urls.items():
                measure(browser, url, map_shapes(name))
            # Round-robin: every round loads the empty app and then each page, so a
            # slow spell of this shared machine weighs on both sides of the ratio.
            times: dict[str, list[float]] = {name: [] for name in urls}
            sizes: dict[str, dict[str, int]] = {}
            for _ in range(args.runs):
                for name, url in urls.items():
                    elapsed, sizes[name], _ = measure(browser, url, map_shapes(name))
                    times[name].append(elapsed)
            base = statistics.median(times["empty"])
            _, base_sizes, _ = measure(browser, empty.url, 0)
            print(f"empty Streamlit app: {base * 1000:.0f} ms, {base_sizes['total'] / 1024:.0f} KB received "
                  f"({args.runs} runs, median)")
            print(f"{'page':<20}{'ready ms':>10}{'ratio':>8}{'middle half':>14}"
                  f"{'websocket KB':>14}{'static KB':>11}{'total KB':>10}")
            worst = 0.0
            for name in [OTHER, *list(urls)[2:]]:
                ratios = [page / empty for page, empty in zip(times[name], times["empty"])]
                ratio = statistics.median(ratios)
                low, _, high = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else (ratio, ratio, ratio)
                if name != OTHER and not name.endswith(" (before)"):
                    worst = max(worst, ratio)
                print(f"{name:<20}{statistics.median(times[name]) * 1000:>10.0f}{ratio:>8.2f}"
                      f"{f'{low:.2f}–{high:.2f}':>14}{sizes[name]['websocket'] / 1024:>14.0f}"
                      f"{sizes[name]['static'] / 1024:>11.0f}{sizes[name]['total'] / 1024:>10.0f}")
            print(f"slowest page: {worst:.2f}x the empty app (target: 1.3x)")
            busy: dict[str, list[Counter]] = {name: [] for name in urls if name != OTHER}
            for _ in range(args.cpu):
                for name in busy:
                    busy[name].append(measure(browser, urls[name], map_shapes(name), cpu=True)[2])
            if args.cpu:
                print_cpu(busy)
            browser.close()
    finally:
        app.stop()
        empty.stop()
        other.stop()
        if before:
            before.stop()


if __name__ == "__main__":
    main()
