"""The deployment of deploy/compose.yaml, from processes: one PostgreSQL, the
one-shot `db upgrade` + `db load`, two app servers, and Debian's haproxy on
deploy/haproxy.cfg in front (the same file the compose proxy mounts; here the two
servers are given by address instead of Docker's DNS). A real browser talks only
to the proxy. Which server answered is read from the proxy's own counters (its
admin socket), so nothing is added to the app or the config for the test.
"""
import pytest

from conftest import descriptor_only
from dashboard import auth
from dashboard.paths import DATA_DIR
from support.browser import READY_SELECTOR, wait_until
from support.topology import Deployment, Proxy
from test_browser import wait_for_map
from test_languages import ALL_DRAWN

pytestmark = [pytest.mark.topology, pytest.mark.postgres, pytest.mark.browser]

PAGES = ["", "map", "staffing", "budget", "reports", "history", "data", "sources", "embed?embed=true&view=map"]
PASSWORD = "a test password 123"
FACT_SHEET = b"OSCE Mission in Kosovo (fact sheet),"
CORRECTED = b"OSCE Mission in Kosovo (corrected fact sheet),"


@pytest.fixture(scope="module")
def topology(postgres_server, tmp_path_factory):
    """The proxy in front of the deployment (``support.topology.Deployment``: migrated,
    two serve.py servers, haproxy), with its ``servers``, ``database_url`` and
    ``schema_dir`` for the tests that reach past it."""
    root = tmp_path_factory.mktemp("topology")
    url = postgres_server.create_database("topology")
    secrets = root / "secrets.toml"  # one secrets file for every server, as compose mounts it
    secrets.write_text(f'[editors.ana]\npassword_hash = "{auth.hash_password(PASSWORD)}"\nrole = "editor"\n',
                       encoding="utf-8")
    schema_dir = str(descriptor_only(DATA_DIR, root / "schema"))
    deployment = Deployment(database_url=url, env={"OMIK_DATA_DIR": schema_dir},
                            options=["--secrets.files", str(secrets)])
    try:
        proxy = deployment.proxy
        proxy.servers, proxy.database_url, proxy.schema_dir = deployment.servers, url, schema_dir
        yield proxy
    finally:
        deployment.stop()


class Reader:
    """One browser session through the proxy."""

    def __init__(self, browser, proxy: Proxy):
        self.proxy = proxy
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def served_by(self, action) -> str:
        """Do ``action``; the one server the proxy sent its requests to."""
        before = self.proxy.requests_served()
        action()
        after = self.proxy.requests_served()
        servers = [name for name in after if after[name] > before[name]]
        assert len(servers) == 1, f"one page load went to {servers}"
        return servers[0]

    def open(self, path: str) -> str:
        """Load ``path`` (a page is loaded when its title is shown); the server."""
        def load():
            self.page.goto(f"{self.proxy.url}/{path}")
            self.wait_loaded(heading=not path.startswith("embed"))
        return self.served_by(load)

    def reload(self) -> str:
        return self.served_by(lambda: (self.page.reload(), self.wait_loaded()))

    def wait_loaded(self, heading: bool = True) -> None:
        self.page.wait_for_selector(READY_SELECTOR, timeout=60_000)
        if heading:
            self.page.wait_for_selector('[data-testid="stMainBlockContainer"] h1', timeout=60_000)
        assert self.page.locator('[data-testid="stException"]').count() == 0
        assert self.errors == []
        # and done fetching: an element's script or a font still on its way when the
        # next reader loads a page counts as a request of that load (served_by). A
        # placeholder stands where an element's script has not arrived yet.
        self.page.wait_for_function(ALL_DRAWN, timeout=60_000)
        self.page.wait_for_load_state("networkidle", timeout=60_000)

    def cookie(self) -> str:
        [value] = [c["value"] for c in self.context.cookies() if c["name"] == "SERVERID"]
        return value

    def text(self) -> str:
        return self.page.locator('[data-testid="stMainBlockContainer"]').inner_text()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def readers(browser, topology):
    """``readers()`` opens a new browser session; all are closed after the test."""
    opened = []

    def new() -> Reader:
        opened.append(Reader(browser, topology))
        return opened[-1]

    yield new
    for reader in opened:
        reader.close()


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_through_the_proxy(readers, path):
    reader = readers()
    health = []
    reader.page.on("request", lambda request: "_stcore/health" in request.url and health.append(request.url))
    reader.open(path)
    # serve.py's page names the app's address (dashboard.page_shell): the browser asks
    # the app's health check at the root only, not first at the page's own address
    # (a 404, then 100 ms of waiting, on every first visit to a page but the Overview).
    assert health and set(health) == {f"{reader.proxy.url}/_stcore/health"}
    if path in ("", "map", PAGES[-1]):  # the map's frame and Leaflet come through the proxy too
        wait_for_map(reader.page, 44)


def test_a_reader_keeps_one_server_for_the_whole_session(readers):
    first = readers()
    server = first.open("staffing")
    cookie = first.cookie()
    assert [first.reload() for _ in range(3)] == [server] * 3
    # Moving to another page is a rerun over the same websocket: it may send the proxy
    # no new request at all (the browser has every script it needs), so what is
    # checked is that the session still has its cookie and its server after it.
    first.page.get_by_role("link", name="Budget").click()
    first.page.get_by_role("heading", name="Budget", exact=True).wait_for(timeout=30_000)
    assert first.cookie() == cookie
    assert first.reload() == server
    # The proxy does balance: with the first session's websocket open on its
    # server, a new reader goes to the other one, and stays there.
    second = readers()
    other = second.open("staffing")
    assert other != server
    assert [second.reload() for _ in range(2)] == [other] * 2
    assert second.cookie() != cookie


def test_a_save_through_one_server_shows_on_the_other_on_the_next_load(readers, topology, tmp_path):
    editor, reader = readers(), readers()
    editing = editor.open("data")
    shown = reader.open("staffing")  # its server has the data cached before the save
    assert shown != editing
    reader.page.get_by_text("(fact sheet)").first.wait_for(timeout=30_000)

    def save():
        page = editor.page
        page.get_by_label("Username").fill("ana")
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_text("Signed in as ana (editor).").wait_for(timeout=30_000)
        page.locator(".st-key-todo_row_sources").get_by_role("button", name="Update").click()
        content = stored_table(topology, "sources")
        assert FACT_SHEET in content
        upload = tmp_path / "sources.csv"
        upload.write_bytes(content.replace(FACT_SHEET, CORRECTED))
        # the upload is an HTTP request outside the websocket: it must reach the
        # server that holds the session, or that server never sees the file
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        page.get_by_text("What will change").wait_for(timeout=30_000)
        page.get_by_label("Reason for this change").fill("title corrected")
        page.get_by_label("Reason for this change").press("Enter")  # Save is enabled once the reason is in
        page.get_by_role("button", name="Save", exact=True).click()
        page.get_by_text("Sources updated (1 cell)").wait_for(timeout=30_000)

    assert editor.served_by(save) == editing
    wait_until(lambda: reader.reload() == shown and "(corrected fact sheet)" in reader.text(), 10,
               "the other server to show the saved change")


def stored_table(topology, name: str) -> bytes:
    """Table ``name`` as the database holds it now."""
    from dashboard.postgres import PostgresStore

    store = PostgresStore(topology.database_url, topology.schema_dir)
    try:
        return store.read_current(name)[1]
    finally:
        store.engine.dispose()


def test_when_a_server_dies_its_readers_are_served_by_the_other(readers, topology):
    reader = readers()
    doomed = reader.open("staffing")
    cookie = reader.cookie()
    [survivor] = set(topology.servers) - {doomed}
    topology.servers[doomed].proc.kill()  # SIGKILL: no goodbye to anyone
    # The reload's first request still names the dead server (and is counted
    # there); the proxy sends it on to the other, which sets its own cookie.
    reader.page.reload()
    reader.wait_loaded()
    # A fresh session can report "not running" just before its first run starts:
    # wait for the page's own figure rather than trusting that state alone.
    reader.page.get_by_text("Staff (posts)").first.wait_for(timeout=30_000)
    assert reader.cookie() != cookie
    assert reader.reload() == survivor
    # the health checks take the dead server out of rotation
    wait_until(lambda: topology.states()[doomed] == "DOWN", 15, f"the proxy to mark {doomed} DOWN")
    assert topology.states()[survivor] == "UP"
    assert readers().open("") == survivor
