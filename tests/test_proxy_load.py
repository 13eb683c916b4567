"""Load through the proxy (bench/proxy_load.py), small: readers speaking Streamlit's
websocket protocol through Debian's haproxy on deploy/haproxy.cfg to two app servers
on PostgreSQL. Which server each websocket reached is read from the proxy's own
session table. What the readers saw is asserted, never how fast.

The module shares one deployment; the kill test ends one of its servers, so it
comes last.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.load import DASHBOARD_PAGES, SERVER_OPTIONS, dashboard_view, warm_up
from bench.proxy_load import DOOMED, SURVIVOR, Settings, kill_one, measure, not_sticky
from bench.streamlit_client import CLOSED
from support.topology import Deployment

PAGES = [dashboard_view(spec) for spec in DASHBOARD_PAGES]


def live(test):
    """Marks a test that starts the deployment and loads it."""
    for mark in (pytest.mark.topology, pytest.mark.postgres, pytest.mark.load):
        test = mark(test)
    return test


def in_thread(function, *args):
    """``function(*args)`` in a thread of its own: it runs its own event loop, which
    asyncio refuses in a thread where one runs already (Playwright's, after the
    browser tests)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(function, *args).result()


# --- the stickiness check itself ------------------------------------------------------

def test_sticky_connections_pass_the_check():
    assert not_sticky([("a", "app1"), ("b", "app2"), ("a", "app1"), ("a", "app1")]) == []


@pytest.mark.parametrize("connections, problem", [
    # a websocket went elsewhere than the server that set its cookie
    ([("a", "app1"), ("a", "app2")], "SERVERID 'a' reached ['app1', 'app2']"),
    ([("b", "app2"), ("a", "app1"), ("a", "app1"), ("a", "app2")], "SERVERID 'a' reached ['app1', 'app2']"),
    # no sticky cookie came with the page load
    ([("", "app1")], "SERVERID '' reached ['app1']"),
    # the proxy held no session for the websocket
    ([("a", None)], "SERVERID 'a' reached ['None']"),
    # one server under two values: the values do not name servers
    ([("a", "app1"), ("b", "app1")], "app1 has several SERVERID values"),
])
def test_every_way_of_not_being_sticky_is_reported(connections, problem):
    assert problem in not_sticky(connections)


# --- live, through the proxy ----------------------------------------------------------

@pytest.fixture(scope="module")
def deployment(postgres_server):
    deployed = Deployment(database_url=postgres_server.create_database("proxy_load"), options=SERVER_OPTIONS)
    try:
        for server in deployed.servers.values():  # first runs (imports, caches) are not what is tested
            assert in_thread(asyncio.run, warm_up(server.url, PAGES, 60)) == {}
        yield deployed
    finally:
        deployed.stop()


@live
def test_readers_through_the_proxy_stay_on_one_server_and_both_servers_serve(deployment):
    point = in_thread(measure, deployment, "proxy2", 6,
                      Settings(PAGES, think=0.3, duration=3, ramp=1.5, hold=0, settle=0))
    assert point.phase.overall.views > 0
    assert point.phase.overall.errors == {}, point.phase.pages
    assert point.not_sticky == []
    assert point.readers_moved == 0
    assert sum(point.sessions.values()) == 6
    assert set(point.sessions) == set(point.views) == {"app1", "app2"}


@live
def test_killing_a_server_costs_only_the_sessions_it_held(deployment):
    phase, groups = in_thread(asyncio.run, kill_one(
        deployment, 6, Settings(PAGES, think=0.5, duration=6, ramp=1.5, hold=0, settle=0), 2))
    assert set(groups) == {SURVIVOR, DOOMED}
    survivor, doomed = groups[SURVIVOR], groups[DOOMED]
    # the other server's readers never notice
    assert survivor.errors == {} and survivor.views > 0
    # each reader of the dead server sees its websocket closed once, reloads
    # through the proxy and goes on on the survivor
    assert doomed.errors == {CLOSED: doomed.readers}
    assert doomed.most_errors == 1
    assert doomed.then_on == {SURVIVOR: doomed.readers}
    assert doomed.views > doomed.readers
