"""The load benchmark (bench/load.py): its protocol client against a synthetic app
(tests/fixtures/apps/load_app.py), its guards, and a short smoke run against the
real app asserting that every view rendered, never how fast."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import streamlit_client as client
from bench.load import DASHBOARD_PAGES, SERVER_OPTIONS, Load, dashboard_view, main, percentile, run_load, warm_up
from conftest import run_async
from support.browser import AppServer

LOAD_APP = Path(__file__).parent / "fixtures" / "apps" / "load_app.py"


# --- guards and pure parts ------------------------------------------------------

@pytest.mark.parametrize("url", ["http://127.0.0.1:8501", "http://127.9.8.7:1", "http://[::1]:8501",
                                 "http://localhost:8501", "https://LOCALHOST/app"])
def test_loopback_targets_are_accepted(url):
    client.require_loopback(url)


@pytest.mark.parametrize("url", ["http://10.0.0.1:8501", "http://example.org", "http://0.0.0.0:8501",
                                 "http://192.168.1.20", "http://[2001:db8::1]:80", "http://localhost.example.org",
                                 "http://127.0.0.1.nip.io", "not a url"])
def test_other_targets_are_refused(url):
    with pytest.raises(ValueError, match="only loopback"):
        client.require_loopback(url)


@pytest.mark.parametrize("kwargs", [{"readers": 0}, {"readers": 1001}, {"duration": -1}, {"think": 10_000},
                                    {"run_timeout": 1e9}, {"pages": []}, {"pid": 2 ** 22 + 1}])
def test_unbounded_or_impossible_loads_are_refused(kwargs):
    args = {"url": "http://127.0.0.1:1", "pid": 1, "pages": [client.PageView("", "", ("x",))],
            "readers": 1, "duration": 1, **kwargs}
    with pytest.raises(ValueError):
        Load(**args)


@pytest.mark.parametrize("spec, expected", [
    ("/map?region=prizren&lang=sq", ("map", "region=prizren&lang=sq")),
    ("map", ("map", "")),
    ("/", ("", "")),
    ("/?lang=sr", ("", "lang=sr")),
    ("/embed?embed=true&view=map", ("embed", "embed=true&view=map")),
])
def test_page_specs(spec, expected):
    assert client.split_page(spec) == expected


def test_dashboard_pages_are_proven_by_their_title_in_the_language_asked_first():
    view = dashboard_view("/map?region=prizren&lang=sq")
    assert view.expect[0] == "Harta e pranisë" and "Presence map" in view.expect
    with pytest.raises(ValueError, match="unknown page"):
        dashboard_view("/nowhere")


@pytest.mark.parametrize("values, p, expected", [([5.0], 95, 5.0), ([1, 2, 3, 4], 50, 2), ([1, 2, 3, 4], 99, 4),
                                                 (list(range(1, 101)), 95, 95)])
def test_percentile_is_nearest_rank(values, p, expected):
    assert percentile(values, p) == expected


def _navigation(chosen: str, pages: dict[str, str]) -> ForwardMsg:
    msg = ForwardMsg()
    for page_hash, path in pages.items():
        page = msg.navigation.app_pages.add()
        page.page_script_hash, page.url_pathname = page_hash, path
    msg.navigation.page_script_hash = chosen
    return msg


def _heading(body: str, tag: str = "h1") -> ForwardMsg:
    msg = ForwardMsg()
    msg.delta.new_element.heading.body = body
    msg.delta.new_element.heading.tag = tag
    return msg


@pytest.mark.parametrize("messages, cause", [
    ([_navigation("b", {"a": "", "b": "map"}), _heading("Title")], None),
    ([_navigation("a", {"a": "", "b": "map"}), _heading("Title")], client.WRONG_PAGE),
    ([_navigation("b", {"a": "", "b": "map"}), _heading("Title", "h2")], client.NO_PROOF),
    ([_navigation("b", {"a": "", "b": "map"}), _heading("Another title")], client.NO_PROOF),
    ([_heading("Title")], client.WRONG_PAGE),  # no navigation: only the main page can have run
])
def test_a_run_is_judged_by_its_navigation_and_title(messages, cause):
    run = client._Run()
    for msg in messages:
        run.take(msg)
    assert run.verdict(client.PageView("map", "", ("Title",))) == cause


# --- the client against a synthetic app -------------------------------------------

@pytest.fixture(scope="module")
def load_app():
    server = AppServer(LOAD_APP, options=SERVER_OPTIONS)
    yield server
    server.stop()


def _views(url: str, views: list[client.PageView], run_timeout: float = 30) -> list[client.ViewResult]:
    """The views, one after another in one session."""
    async def go():
        reader = client.Reader(url, await asyncio.to_thread(client.fetch_xsrf, url), run_timeout)
        try:
            return [await reader.view(view) for view in views]
        finally:
            await reader.close()
    return run_async(go())


NORMAL = client.PageView("", "", ("Normal page",))


@pytest.mark.load
@pytest.mark.parametrize("view, cause", [
    (client.PageView("raises", "", ("Raising page",)), "exception: ValueError"),
    (client.PageView("nowhere", "", ("Normal page",)), client.PAGE_NOT_FOUND),
    (client.PageView("", "", ("Some other title",)), client.NO_PROOF),
    (client.PageView("", "", ("Raising page",)), client.NO_PROOF),
])
def test_a_failed_view_is_counted_with_its_cause(load_app, view, cause):
    failed, after = _views(load_app.url, [view, NORMAL])
    assert (failed.cause, failed.page) == (cause, view.label)
    assert after.ok, after  # the reader goes on with its next view


@pytest.mark.load
def test_a_slow_page_times_out_and_the_reader_reconnects(load_app):
    slow, after = _views(load_app.url, [client.PageView("slow", "", ("Slow page",)), NORMAL], run_timeout=1)
    assert slow.cause == client.TIMEOUT
    assert after.ok, after


@pytest.mark.load
def test_a_rerun_is_followed_to_the_end(load_app):
    first, second = _views(load_app.url, [client.PageView("rerun", "", ("Rerun page",))] * 2)
    assert first.ok and second.ok, (first, second)
    assert first.reruns == second.reruns == 1


@pytest.mark.load
def test_a_load_run_counts_views_per_page_and_measures_the_server(load_app):
    pages = [NORMAL, client.PageView("raises", "", ("Raising page",))]
    phase = run_async(run_load(Load(load_app.url, load_app.proc.pid, pages, readers=2, duration=1.5,
                                      think=0.1, hold=0, settle=0), "synthetic"))
    views = {label: s.views for label, s in phase.pages.items()}
    assert views["/"] > 0 and views["/raises"] > 0
    assert phase.pages["/raises"].errors == {"exception: ValueError": views["/raises"]}
    assert phase.pages["/"].errors == {}
    assert phase.overall.views == sum(views.values())
    assert phase.rss_before > 0 and phase.rss_open > 0 and phase.server_cpu_ms >= 0


@pytest.mark.load
def test_first_visits_open_a_new_session_per_view(load_app):
    opened = []

    class Counted(client.Reader):
        async def open(self):
            opened.append(self)
            await super().open()

    phase = run_async(run_load(Load(load_app.url, load_app.proc.pid, [NORMAL], readers=2, duration=1.5, think=0,
                                    hold=0, settle=0, first_visit=True,
                                    new_reader=lambda i: Counted(load_app.url, client.fetch_xsrf(load_app.url), 30)),
                               "first visits"))
    assert phase.overall.views > 2 and phase.overall.errors == {}
    assert len(opened) == len(set(map(id, opened))) >= phase.overall.views  # a session per view
    assert all(reader.ws is None for reader in opened)  # each closed after its page


@pytest.mark.load
def test_another_client_can_clear_the_servers_caches_during_a_load(load_app):
    cached = client.PageView("cached", "", ("builds: 1",), in_text=True)
    first, = _views(load_app.url, [cached])
    assert first.ok, first  # built once so far
    phase = run_async(run_load(Load(load_app.url, load_app.proc.pid, [NORMAL], readers=1, duration=1, think=0.1,
                                    hold=0, settle=0, clear_cache_every=0.2), "cleared"))
    assert phase.overall.errors == {}
    after, = _views(load_app.url, [cached])
    assert after.cause == client.NO_PROOF  # "builds: 2" or more: the clear_cache messages arrived


# --- a short smoke run against the real app -----------------------------------------

@pytest.fixture(scope="module")
def real_app():
    server = AppServer(Path(__file__).resolve().parent.parent / "app.py", options=SERVER_OPTIONS)
    yield server
    server.stop()


PAGES = [dashboard_view(spec) for spec in DASHBOARD_PAGES]


@pytest.mark.load
def test_every_page_of_the_app_renders_under_three_readers(real_app):
    assert run_async(warm_up(real_app.url, PAGES, 60)) == {}  # every page proven, one by one
    first = run_async(run_load(Load(real_app.url, real_app.proc.pid, PAGES, readers=2, duration=3, think=0,
                                    hold=0, settle=0, first_visit=True), "dashboard (first visit)"))
    assert first.overall.views > 0 and first.overall.errors == {}, first.pages
    pages = [*PAGES, dashboard_view("/map?region=prizren&lang=sq"), dashboard_view("/budget?lang=sr")]
    phase = run_async(run_load(Load(real_app.url, real_app.proc.pid, pages, readers=3, duration=3,
                                      think=0.2, hold=0, settle=0), "dashboard"))
    assert phase.overall.views > 0
    assert phase.overall.errors == {}, phase.pages


@pytest.mark.load
def test_an_embedded_view_renders_without_page_not_found(real_app):
    run_async(warm_up(real_app.url, PAGES[:1], 60))  # a session has run app.py
    result, = _views(real_app.url, [dashboard_view("/embed?embed=true&view=map")])
    assert result.ok, result


@pytest.mark.load
def test_readers_can_arrive_as_first_visits_with_think_time(real_app, capsys):
    # --first-visits: the --readers phases as shared links arrive, a new tab per view
    args = ["--readers", "2", "--think", "0.2", "--duration", "2", "--ramp", "0", "--hold", "0", "--settle", "0",
            "--capacity-readers", "0", "--first-visit-readers", "0", "--first-visits", "--no-empty",
            "--pages", "/budget", "--url", real_app.url, "--pid", str(real_app.proc.pid)]
    with ThreadPoolExecutor(1) as pool:  # (main runs asyncio, which a browser test's loop in this thread refuses)
        assert pool.submit(main, args).result() == 0
    out = capsys.readouterr().out
    assert "== dashboard, first visits: 2 readers, think 0.2 s" in out
    assert "| dashboard, first visits | 2 | 0.2 s |" in out
