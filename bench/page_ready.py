"""Page-ready time and bytes sent, per page, in headless Chromium.

Usage: .venv/bin/python bench/page_ready.py [--runs N] [--pages overview,map] [--compare DIR]

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
No network beyond 127.0.0.1 is used; requests elsewhere are aborted.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
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


def measure(browser, url: str, map_shapes: int) -> tuple[float, dict[str, int]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
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
    context.close()
    return elapsed, sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="loads per page (default 5)")
    parser.add_argument("--pages", help=f"comma-separated names among: {', '.join(PAGES)} (default: all)")
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
                    elapsed, sizes[name] = measure(browser, url, map_shapes(name))
                    times[name].append(elapsed)
            base = statistics.median(times["empty"])
            _, base_sizes = measure(browser, empty.url, 0)
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
            browser.close()
            print(f"slowest page: {worst:.2f}x the empty app (target: 1.3x)")
    finally:
        app.stop()
        empty.stop()
        other.stop()
        if before:
            before.stop()


if __name__ == "__main__":
    main()
