"""The app on the PostgreSQL backend (a real server), with no table files at all:
pages read the database, the Update data page saves to it, and a save made
elsewhere (another server) shows on the next run."""
import socket

import pytest
from streamlit.testing.v1 import AppTest

from conftest import open_all
from dashboard import auth
from dashboard.paths import ROOT
from dashboard.reading import read_table
from test_data_page import sign_in

pytestmark = pytest.mark.postgres

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fresh_limiter(monkeypatch):
    monkeypatch.setattr(auth, "LIMITER", auth.MemoryLimiter())


def app_on(store, monkeypatch, page: str, via_secrets: bool = False, editors=None) -> AppTest:
    """``page`` run against ``store``'s database, configured the way an operator
    would: ``[connections.omik]`` in the secrets, or ``$OMIK_DATABASE_URL``."""
    monkeypatch.setenv("OMIK_DATA_DIR", str(store.descriptor_dir))  # the schema only: no table files
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if via_secrets:
        monkeypatch.delenv("OMIK_DATABASE_URL", raising=False)
        at.secrets["connections"] = {"omik": {"url": store.url}}
    else:
        monkeypatch.setenv("OMIK_DATABASE_URL", store.url)
    if editors:
        at.secrets["editors"] = editors
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def staffing_figures(at) -> str:
    return open_all(at).table[-1].value.to_string()  # the last folded table: every figure


@pytest.mark.parametrize("via_secrets", [False, True])
def test_every_figure_comes_from_the_database(pg_store, monkeypatch, via_secrets):
    assert not list(pg_store.descriptor_dir.glob("*.csv"))
    at = app_on(pg_store, monkeypatch, "staffing", via_secrets)
    assert not at.warning, [w.value for w in at.warning]  # the package is complete and valid
    assert "503" in staffing_figures(at)


def test_a_save_made_elsewhere_shows_on_the_next_run(pg_store, monkeypatch):
    at = app_on(pg_store, monkeypatch, "staffing")
    other_server = type(pg_store)(pg_store.url, pg_store.descriptor_dir)
    content = other_server.read_current("staffing")[1].replace(b"posts,total,503", b"posts,total,510")
    other_server.save_table("staffing", read_table(content, "staffing.csv"), "bo", "from another server")
    at.run()
    assert "510" in staffing_figures(at)


def test_an_editor_saves_through_the_page_into_the_database(pg_store, monkeypatch):
    at = app_on(pg_store, monkeypatch, "data", editors={"ana": {"password_hash": auth.hash_password(PASSWORD),
                                                                "role": "editor"}})
    sign_in(at, "ana", PASSWORD)
    at.selectbox(key="edit_table").set_value("budget").run()
    original = pg_store.read_current("budget")[1]
    uploader = next(u for u in at.file_uploader if (u.key or "").startswith("upload_budget_"))
    uploader.upload("budget.csv", original.replace(b"17462600", b"17462700"), "text/csv").run()
    assert any("17462700" in table.value.to_csv() for table in at.table)  # the review
    [reason] = [w for w in at.text_input if w.label.startswith("Reason for this change")]
    reason.input("2019 figure corrected").run()
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert b"17462700" in pg_store.read_current("budget")[1]
    assert pg_store.history("budget")[-1].reason == "2019 figure corrected"
    assert not list(pg_store.descriptor_dir.glob("*.csv"))


def test_an_admin_restores_through_the_page_and_a_stale_restore_is_refused(pg_store, monkeypatch):
    original = pg_store.read_current("budget")
    typo = original[1].replace(b"17462600", b"17462601")
    pg_store.save_table("budget", read_table(typo, "budget.csv"), "bo", "typo")
    at = app_on(pg_store, monkeypatch, "data", editors={"root": {"password_hash": auth.hash_password(PASSWORD),
                                                                 "role": "admin"}})
    sign_in(at, "root", PASSWORD)
    at.selectbox(key="edit_table").set_value("budget").run()
    next(b for b in at.button if b.label == "Restore").click().run()
    # someone saves on another server before the admin confirms: refused, theirs kept
    theirs = typo.replace(b"17510500", b"17510501")
    type(pg_store)(pg_store.url, pg_store.descriptor_dir).save_table("budget", read_table(theirs, "budget.csv"),
                                                                     "cy", "another fix")
    at.run()
    next(b for b in at.button if b.label == "Confirm restore").click().run()
    assert any("was changed by someone else" in e.value for e in at.error)
    assert pg_store.read_current("budget")[1] == theirs
    next(b for b in at.button if b.label == "Start again from the new version").click().run()
    next(b for b in at.button if b.label == "Restore").click().run()  # the version still chosen: the original
    next(b for b in at.button if b.label == "Confirm restore").click().run()
    assert not at.exception and not at.error
    assert pg_store.read_current("budget") == original
    assert [v.action for v in pg_store.history("budget")][-1] == "restore"


def test_a_database_that_is_down_gives_readers_a_plain_notice(pg_store, monkeypatch, caplog):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    down = type(pg_store)(f"postgresql://omik:s3cret-pw@127.0.0.1:{port}/omik", pg_store.descriptor_dir)
    at = app_on(down, monkeypatch, "overview")
    assert [e.value for e in at.error] == ["The data cannot be loaded right now. Please try again in a minute; "
                                           "if this lasts, tell the dashboard's administrators."]
    assert not at.title and "s3cret-pw" not in caplog.text and "cannot reach the database" in caplog.text


def test_failed_sign_ins_are_counted_in_the_database(pg_store, monkeypatch):
    from sqlalchemy import func, select

    from dashboard.postgres import sign_in_failures

    editors = {"ana": {"password_hash": auth.hash_password(PASSWORD), "role": "editor"}}
    at = app_on(pg_store, monkeypatch, "data", editors=editors)
    for _ in range(auth.MAX_FAILURES):
        at.text_input[0].input("ana")
        at.text_input[1].input("wrong password")
        next(b for b in at.button if b.label == "Sign in").click().run()
    with pg_store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(sign_in_failures)).scalar_one() >= auth.MAX_FAILURES
    other_server = app_on(pg_store, monkeypatch, "data", editors=editors)
    other_server.text_input[0].input("ana")
    other_server.text_input[1].input(PASSWORD)
    next(b for b in other_server.button if b.label == "Sign in").click().run()
    assert "Too many failed sign-ins" in other_server.error[0].value
