"""The Update data page: nobody edits without signing in; sign-in, rate limit, upload,
in-page editing, stale-base refusal, restore."""
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, storage
from dashboard.paths import ROOT
from dashboard.reading import read_table

PASSWORD = "correct horse battery"
HASH = auth.hash_password(PASSWORD)


def data_page(data_dir, monkeypatch, editors=None) -> AppTest:
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if editors is not None:
        at.secrets["editors"] = editors
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at, username, password):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    return at


@pytest.fixture(autouse=True)
def fresh_limiter(monkeypatch):
    monkeypatch.setattr(auth, "LIMITER", auth.RateLimiter())


def test_without_editors_the_app_is_read_only_and_says_how_to_enable(data_copy, monkeypatch):
    at = data_page(data_copy, monkeypatch)
    assert "read-only" in at.info[0].value and "secrets.example.toml" in at.info[0].value
    assert not at.text_input
    assert not any(s.key == "edit_table" for s in at.selectbox)


def test_no_editing_control_before_sign_in(data_copy, monkeypatch):
    at = data_page(data_copy, monkeypatch, {"ana": {"password_hash": HASH, "role": "editor"}})
    assert [w.label for w in at.text_input] == ["Username", "Password"]
    assert not any(s.key == "edit_table" for s in at.selectbox)
    assert not at.tabs


def test_wrong_password_is_refused(data_copy, monkeypatch):
    at = sign_in(data_page(data_copy, monkeypatch, {"ana": {"password_hash": HASH, "role": "editor"}}), "ana", "nope")
    assert at.error[0].value == "Unknown username or wrong password."
    assert not any(s.key == "edit_table" for s in at.selectbox)


def test_repeated_failures_are_rate_limited(data_copy, monkeypatch):
    at = data_page(data_copy, monkeypatch, {"ana": {"password_hash": HASH, "role": "editor"}})
    for _ in range(auth.MAX_FAILURES):
        sign_in(at, "ana", "nope")
    sign_in(at, "ana", PASSWORD)  # even the right password waits
    assert "Too many failed sign-ins" in at.error[0].value


def test_an_editor_signs_in_and_sees_the_tables_but_cannot_restore(data_copy, monkeypatch):
    storage.save_table(data_copy, "budget", read_table((data_copy / "budget.csv").read_bytes().replace(b"17462600", b"17462601"), "budget.csv"), "bo", "typo test")
    at = sign_in(data_page(data_copy, monkeypatch, {"ana": {"password_hash": HASH, "role": "editor"}}), "ana", PASSWORD)
    assert "Signed in as ana (editor)." in [c.value for c in at.caption]
    at.selectbox(key="edit_table").set_value("budget").run()
    assert len(at.tabs) == 3
    assert not [b for b in at.button if b.label == "Restore"]


def test_an_admin_restores_an_earlier_version(data_copy, monkeypatch):
    original = storage.current_version(data_copy, "budget")
    storage.save_table(data_copy, "budget", read_table((data_copy / "budget.csv").read_bytes().replace(b"17462600", b"17462601"), "budget.csv"), "bo", "typo test")
    at = sign_in(data_page(data_copy, monkeypatch, {"root": {"password_hash": HASH, "role": "admin"}}), "root", PASSWORD)
    at.selectbox(key="edit_table").set_value("budget").run()
    [restore] = [b for b in at.button if b.label == "Restore"]
    restore.click().run()
    assert not at.exception
    assert storage.current_version(data_copy, "budget") == original
    assert any("Saved: the table is now at version" in s.value for s in at.success)
    assert [v.action for v in storage.history(data_copy, "budget")] == ["original", "save", "restore"]


def test_a_user_with_an_unknown_role_cannot_sign_in(data_copy, monkeypatch):
    at = sign_in(data_page(data_copy, monkeypatch, {"eve": {"password_hash": HASH, "role": "owner"}}), "eve", PASSWORD)
    assert at.error and not any(s.key == "edit_table" for s in at.selectbox)


def test_rate_limiter_releases_after_the_pause():
    now = [0.0]
    limiter = auth.RateLimiter(clock=lambda: now[0])
    for _ in range(auth.MAX_FAILURES):
        limiter.failed("ana")
    assert limiter.wait_seconds("ana") == pytest.approx(auth.LOCKOUT_S)
    now[0] = auth.LOCKOUT_S + 1
    assert limiter.wait_seconds("ana") == 0


def test_sign_in_modes_follow_the_secrets():
    assert auth.mode({}) == "none"
    assert auth.mode({"editors": {"a": {}}}) == "passwords"
    assert auth.mode({"auth": {"redirect_uri": "x", "cookie_secret": "y"}, "editors": {"a": {}}}) == "oidc"
    assert auth.oidc_role({"roles": {"a@x.org": "admin"}}, "a@x.org") == "admin"
    assert auth.oidc_role({"roles": {"a@x.org": "owner"}}, "a@x.org") is None
    assert auth.check_password({"editors": {"a": {"password_hash": HASH, "role": "editor"}}}, "a", PASSWORD) == "editor"
    assert auth.check_password({"editors": {}}, "nobody", PASSWORD) is None


def test_with_oidc_configured_the_page_offers_single_sign_on(data_copy, monkeypatch):
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "id", "client_secret": "s", "server_metadata_url": "http://localhost/x"}
    at.secrets["roles"] = {"ana@example.org": "editor"}
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception
    assert "Sign in" in [b.label for b in at.button]
    assert not at.text_input  # no password form in OIDC mode
    at.user["is_logged_in"] = True
    at.user["email"] = "ana@example.org"
    at.run()
    assert any(s.key == "edit_table" for s in at.selectbox)
    at.user["email"] = "eve@example.org"
    at.run()
    assert "has no editing role" in at.warning[0].value
    assert not any(s.key == "edit_table" for s in at.selectbox)


def editor_page(data_copy, monkeypatch, table: str, edits: dict) -> AppTest:
    """The Data page signed in as an editor, with ``table`` chosen and ``edits``
    (edited_rows / added_rows / deleted_rows, as the grid sends them) made in its
    in-page editor."""
    at = sign_in(data_page(data_copy, monkeypatch, {"ana": {"password_hash": HASH, "role": "editor"}}), "ana", PASSWORD)
    at.selectbox(key="edit_table").set_value(table).run()
    key = f"editor_{table}_{storage.current_version(data_copy, table)}"
    assert at.data_editor(key=key).editing_mode == "dynamic"
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **edits}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_edit_in_the_page_is_previewed_then_saved_with_its_reason(data_copy, monkeypatch):
    before = storage.current_version(data_copy, "budget")
    at = editor_page(data_copy, monkeypatch, "budget", {"edited_rows": {3: {"amount": "17462700"}}})
    preview = at.code[-1].value
    assert "17462600" in preview and "17462700" in preview
    assert storage.current_version(data_copy, "budget") == before  # nothing saved before Save
    [reason] = [w for w in at.text_input if w.label.startswith("Reason for this change")]
    reason.input("2019 figure corrected")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert b"17462700" in (data_copy / "budget.csv").read_bytes()
    latest = storage.history(data_copy, "budget")[-1]
    assert (latest.user, latest.reason) == ("ana", "2019 figure corrected")
    assert any("Saved: the table is now at version" in s.value for s in at.success)


def test_an_invalid_edit_in_the_page_lists_its_problem_and_offers_no_save(data_copy, monkeypatch):
    before = (data_copy / "budget.csv").read_bytes()
    at = editor_page(data_copy, monkeypatch, "budget", {"edited_rows": {3: {"amount": "-5"}}})
    problems = at.table[-1].value.to_string()
    assert "row 5" in problems and "amount" in problems
    assert any(e.value.startswith("Not saved: 1 problems") for e in at.error)
    assert not [b for b in at.button if b.label == "Save"]
    assert (data_copy / "budget.csv").read_bytes() == before


def test_rows_added_and_deleted_in_the_page_are_checked_against_the_whole_package(data_copy, monkeypatch):
    # Deleting a source that other tables cite breaks their links: refused.
    at = editor_page(data_copy, monkeypatch, "sources", {"deleted_rows": [0]})
    assert not [b for b in at.button if b.label == "Save"]
    assert "factsheet" in at.table[-1].value.to_string()
    # A new budget row citing an unknown source is refused with its row and column.
    at = editor_page(data_copy, monkeypatch, "budget", {"added_rows": [
        {"category": "unified_budget", "amount": "1", "currency": "EUR", "qualifier": "exact",
         "source_id": "no_such_source", "as_of": "2021", "note": ""}]})
    problems = at.table[-1].value.to_string()
    assert "row 6" in problems and "no_such_source" in problems


def test_when_someone_else_saves_meanwhile_the_edits_stay_and_their_save_is_refused(data_copy, monkeypatch):
    at = editor_page(data_copy, monkeypatch, "budget", {"edited_rows": {3: {"amount": "17462700"}}})
    theirs = read_table((data_copy / "budget.csv").read_bytes().replace(b"17510500", b"17510501"), "budget.csv")
    storage.save_table(data_copy, "budget", theirs, "bo", "someone else's fix")
    at.run()
    assert "Someone else saved this table since you opened it" in at.warning[0].value
    assert "17462700" in at.code[-1].value  # the edit is still on screen
    [reason] = [w for w in at.text_input if w.label.startswith("Reason for this change")]
    reason.input("2019 figure corrected")
    next(b for b in at.button if b.label == "Save").click().run()
    assert any("was changed by someone else" in e.value for e in at.error)
    saved = (data_copy / "budget.csv").read_bytes()
    assert b"17510501" in saved and b"17462700" not in saved  # their work is intact
    next(b for b in at.button if b.label == "Start again from the new version").click().run()
    assert not at.warning
    assert f"Editing version: {storage.current_version(data_copy, 'budget')}" in [c.value for c in at.caption]


def test_an_uploaded_file_is_checked_previewed_and_saved(data_copy, monkeypatch):
    at = sign_in(data_page(data_copy, monkeypatch, {"ana": {"password_hash": HASH, "role": "editor"}}), "ana", PASSWORD)
    at.selectbox(key="edit_table").set_value("budget").run()
    original = (data_copy / "budget.csv").read_bytes()

    def uploader():
        return next(u for u in at.file_uploader if (u.key or "").startswith("upload_budget_"))

    # a bad file: every problem listed with its row and column, nothing saved, no Save
    uploader().upload("budget.csv", original.replace(b"17462600,EUR", b"lots,EUR"), "text/csv").run()
    assert not at.exception
    problems = at.table[0].value.to_string()
    assert "row 5" in problems and "amount" in problems
    assert not [b for b in at.button if b.label == "Save"]
    assert (data_copy / "budget.csv").read_bytes() == original

    # a good one: previewed, then saved with a reason
    uploader().upload("budget.csv", original.replace(b"17462600", b"17462700"), "text/csv").run()
    assert "17462700" in at.code[-1].value
    [reason] = [w for w in at.text_input if w.label.startswith("Reason for this change")]
    reason.input("2019 figure corrected")
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    assert b"17462700" in (data_copy / "budget.csv").read_bytes()
    assert storage.history(data_copy, "budget")[-1].reason == "2019 figure corrected"
