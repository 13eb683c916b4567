"""The Update data page: nobody edits without signing in; sign-in, rate limit, upload,
in-page editing, stale-base refusal, restore. (The sign-in rules themselves are unit-tested
in test_auth.py.)"""
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth, storage, ui
from dashboard.paths import ROOT
from dashboard.reading import read_table
from dashboard.schema import resources

PASSWORD = "correct horse battery"
HASH = auth.hash_password(PASSWORD)


def data_page(data_dir, monkeypatch, editors=None, **secrets) -> AppTest:
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_dir))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if editors is not None:
        at.secrets["editors"] = editors
    for section, value in secrets.items():
        at.secrets[section] = value
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sign_in(at, username, password):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label == "Sign in").click().run()
    return at


def save_a_typo(data_dir) -> None:
    """Save a second version of the budget (one figure off by one), so there is an earlier one to restore."""
    typo = (data_dir / "budget.csv").read_bytes().replace(b"17462600", b"17462601")
    storage.save_table(data_dir, "budget", read_table(typo, "budget.csv"), "bo", "typo test")


def review_text(at) -> str:
    """Every table of the review (the changes, the marked grid), as text."""
    return "\n".join(d.value.to_csv() for d in [*at.table, *at.dataframe])


def changes_table(at):
    """The review's table of changes (row, change, column, before, after)."""
    return next(d.value for d in at.table if list(d.value.columns)[:2] == ["Row", "Change"])


def problems_text(at) -> str:
    return "\n".join(t.value.to_csv() for t in at.table)


def save_button(at):
    return next(b for b in at.button if b.label == "Save")


def give_reason_and_save(at, reason: str):
    """Save stays disabled until a reason is given; then it saves."""
    assert save_button(at).disabled
    [box] = [w for w in at.text_input if w.label.startswith("Reason for this change")]
    box.input(reason).run()
    assert not save_button(at).disabled
    save_button(at).click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture(autouse=True)
def fresh_limiter(monkeypatch):
    monkeypatch.setattr(auth, "LIMITER", auth.MemoryLimiter())


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
    save_a_typo(data_copy)
    at = sign_in(data_page(data_copy, monkeypatch, {"ana": {"password_hash": HASH, "role": "editor"}}), "ana", PASSWORD)
    assert "Signed in as ana (editor)." in [c.value for c in at.caption]
    at.selectbox(key="edit_table").set_value("budget").run()
    assert len(at.tabs) == 3
    assert not [b for b in at.button if b.label == "Restore"]


def test_an_admin_restores_an_earlier_version_after_confirming_its_diff(data_copy, monkeypatch):
    original = storage.current_version(data_copy, "budget")
    save_a_typo(data_copy)
    admins = {"root": {"password_hash": HASH, "role": "admin"}}
    at = sign_in(data_page(data_copy, monkeypatch, admins), "root", PASSWORD)
    at.selectbox(key="edit_table").set_value("budget").run()
    [restore] = [b for b in at.button if b.label == "Restore"]
    restore.click().run()
    assert storage.current_version(data_copy, "budget") != original  # nothing before confirming
    assert "17462601" in review_text(at) and "17462600" in review_text(at)  # what the restore will change
    next(b for b in at.button if b.label == "Confirm restore").click().run()
    assert not at.exception
    assert storage.current_version(data_copy, "budget") == original
    assert [s.value for s in at.success] == [ui.md_escape("Budget restored (1 cell)")]
    assert [v.action for v in storage.history(data_copy, "budget")] == ["original", "save", "restore"]
    history = next(d.value for d in at.table if "What was done" in d.value.columns)
    assert list(history.iloc[0][["Current", "What was done", "Who"]]) == ["● current", "Restored", "root"]
    assert history.iloc[0]["When"].endswith(("CET", "CEST"))


def test_a_cancelled_restore_changes_nothing(data_copy, monkeypatch):
    save_a_typo(data_copy)
    current = storage.current_version(data_copy, "budget")
    at = sign_in(data_page(data_copy, monkeypatch, {"root": editor("admin")}), "root", PASSWORD)
    at.selectbox(key="edit_table").set_value("budget").run()
    next(b for b in at.button if b.label == "Restore").click().run()
    next(b for b in at.button if b.label == "Cancel").click().run()
    assert not [b for b in at.button if b.label == "Confirm restore"]
    assert storage.current_version(data_copy, "budget") == current


def test_a_restore_on_a_stale_base_is_refused_on_the_page(data_copy, monkeypatch):
    original = storage.current_version(data_copy, "budget")
    save_a_typo(data_copy)
    at = sign_in(data_page(data_copy, monkeypatch, {"root": editor("admin")}), "root", PASSWORD)
    at.selectbox(key="edit_table").set_value("budget").run()
    next(b for b in at.button if b.label == "Restore").click().run()
    theirs = read_table((data_copy / "budget.csv").read_bytes().replace(b"17510500", b"17510501"), "budget.csv")
    storage.save_table(data_copy, "budget", theirs, "bo", "someone else's fix")
    at.run()
    next(b for b in at.button if b.label == "Confirm restore").click().run()
    assert any("was changed by someone else" in e.value for e in at.error)
    assert b"17510501" in (data_copy / "budget.csv").read_bytes()
    assert storage.current_version(data_copy, "budget") != original


NOTICE = "Editing is not configured correctly"
WRONG = "Unknown username or wrong password."
EXAMPLE_SECRETS = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))
OIDC = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "id", "client_secret": "s", "server_metadata_url": "http://localhost/x"}


def editor(role="editor", password_hash=HASH) -> dict:
    return {"password_hash": password_hash, "role": role}


def editing_shown(at) -> bool:
    return any(s.key == "edit_table" for s in at.selectbox)


def notice_shown(at) -> bool:
    return any(w.value.startswith(NOTICE) for w in at.warning)


BROKEN_ENTRIES = {
    "placeholder of secrets.example.toml": EXAMPLE_SECRETS["editors"]["ana"],
    "earlier placeholder (made bcrypt raise)": editor(password_hash="$2b$12$replace-with-the-output-of-hash-password"),
    "no hash": {"role": "editor"},
    "empty hash": editor(password_hash=""),
    "misspelt key": {"pasword_hash": HASH, "role": "editor"},
    "non-ASCII hash": editor(password_hash=HASH[:-1] + "é"),
    "string entry": "editor",
    "list entry": [HASH, "editor"],
    "unknown role": editor(role="owner"),
}


@pytest.mark.parametrize("entry", BROKEN_ENTRIES.values(), ids=BROKEN_ENTRIES)
def test_a_misconfigured_entry_is_reported_and_signs_nobody_in(data_copy, monkeypatch, entry):
    # "not a password" is the plaintext of the hash compared against for unknown
    # names: it once signed anyone in as an entry without a hash.
    at = data_page(data_copy, monkeypatch, {"ana": entry, "bo": editor()})
    assert notice_shown(at)
    for password in ("not a password", "", PASSWORD):
        sign_in(at, "ana", password)
        assert not at.exception
        assert [e.value for e in at.error] == [WRONG]
        assert not editing_shown(at) and notice_shown(at)


@pytest.mark.parametrize("secrets", [
    EXAMPLE_SECRETS,
    {"editors": {"ana": BROKEN_ENTRIES["no hash"], "admin": "admin"}},
    {"editors": "ana"},
    *({"auth": {k: v for k, v in OIDC.items() if k != missing}, "editors": {"ana": editor()}} for missing in OIDC),
    {"auth": {**OIDC, "client_secret": ""}, "editors": {"ana": editor()}},
    {"auth": {}, "editors": {"ana": editor()}},
    {"auth": "google", "editors": {"ana": editor()}},
], ids=["secrets.example.toml as is", "every entry broken", "editors not tables",
        *(f"[auth] without {k}" for k in OIDC), "[auth] with an empty value", "empty [auth]", "[auth] a string"])
def test_with_nothing_usable_editing_is_off_with_the_notice(data_copy, monkeypatch, secrets):
    # An incomplete [auth] fails closed: no fallback to the (valid) passwords.
    at = data_page(data_copy, monkeypatch, **secrets)
    assert notice_shown(at)
    assert not at.text_input and "Sign in" not in [b.label for b in at.button]
    assert not at.info  # not "read-only, nothing configured": something is, wrongly


@pytest.mark.parametrize("password", ["x" * 73, "ë" * 37, "p" * 10_000],
                         ids=["73 bytes", "74 bytes as 37 ë", "10000 chars"])
def test_an_over_long_password_gets_the_plain_refusal(data_copy, monkeypatch, password):
    at = data_page(data_copy, monkeypatch, {"ana": editor()})
    for username in ("ana", "nobody"):  # the same answer whether the name exists or not
        sign_in(at, username, password)
        assert not at.exception
        assert [e.value for e in at.error] == [WRONG]


REVOCATIONS = {
    "removed": lambda editors: editors.pop("ana"),
    "password reset": lambda editors: editors["ana"].update(password_hash=auth.hash_password("a new password 456")),
    "hash made unusable": lambda editors: editors["ana"].update(password_hash=""),
    "role withdrawn": lambda editors: editors["ana"].update(role="former"),
}


@pytest.mark.parametrize("revoke", REVOCATIONS.values(), ids=REVOCATIONS)
def test_a_revoked_editor_is_signed_out_before_their_next_save(data_copy, monkeypatch, revoke):
    at = editor_page(data_copy, monkeypatch, "budget", {"edited_rows": {3: {"amount": "17462700"}}},
                     editors={"ana": editor(), "bo": editor()})
    before = (data_copy / "budget.csv").read_bytes()
    [reason] = [w for w in at.text_input if w.label.startswith("Reason for this change")]
    reason.input("2019 figure corrected").run()
    editors = {"ana": editor(), "bo": editor()}
    revoke(editors)
    at.secrets["editors"] = editors
    save_button(at).click().run()  # the Save still on their screen
    assert not at.exception
    assert (data_copy / "budget.csv").read_bytes() == before
    assert any(w.value.startswith("You have been signed out") for w in at.warning)
    assert not editing_shown(at)
    assert [w.label for w in at.text_input] == ["Username", "Password"]


def test_a_downgraded_admin_cannot_restore_from_their_next_run(data_copy, monkeypatch):
    save_a_typo(data_copy)
    current = storage.current_version(data_copy, "budget")
    at = sign_in(data_page(data_copy, monkeypatch, {"root": editor("admin")}), "root", PASSWORD)
    at.selectbox(key="edit_table").set_value("budget").run()
    [restore] = [b for b in at.button if b.label == "Restore"]
    at.secrets["editors"] = {"root": editor("editor")}
    restore.click().run()  # the Restore still on their screen
    assert not at.exception
    assert storage.current_version(data_copy, "budget") == current
    assert [v.action for v in storage.history(data_copy, "budget")] == ["original", "save"]
    assert "Signed in as root (editor)." in [c.value for c in at.caption]
    assert not [b for b in at.button if b.label == "Restore"]


def test_a_name_locked_from_this_address_does_not_lock_other_names(data_copy, monkeypatch):
    at = data_page(data_copy, monkeypatch, {"ana": editor(), "bo": editor()})
    for _ in range(auth.MAX_FAILURES):
        sign_in(at, "ana", "nope")
    sign_in(at, "ana", PASSWORD)
    assert at.error[0].value.startswith("Too many failed sign-ins")
    sign_in(at, "bo", PASSWORD)
    assert editing_shown(at)


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
    at.user["email_verified"] = True
    at.run()
    assert any(s.key == "edit_table" for s in at.selectbox)
    at.user["email"] = "eve@example.org"
    at.run()
    assert "has no editing role" in at.warning[0].value
    assert not any(s.key == "edit_table" for s in at.selectbox)


@pytest.mark.parametrize("roles", [{"bo@example.org": "editor"},
                                   {"ana@example.org": "former", "bo@example.org": "editor"}],
                         ids=["removed", "role withdrawn"])
def test_an_oidc_user_taken_off_the_roles_loses_editing_on_the_next_run(data_copy, monkeypatch, roles):
    at = data_page(data_copy, monkeypatch, auth=OIDC, roles={"ana@example.org": "editor"})
    at.user["is_logged_in"] = True
    at.user["email"] = "ana@example.org"
    at.user["email_verified"] = True
    at.run()
    assert editing_shown(at)
    at.secrets["roles"] = roles
    at.run()
    assert not at.exception and not editing_shown(at)
    assert any("has no editing role" in w.value for w in at.warning)


def editor_page(data_copy, monkeypatch, table: str, edits: dict, editors=None) -> AppTest:
    """The Data page signed in as the editor ana, with ``table`` chosen and ``edits``
    (edited_rows / added_rows / deleted_rows, as the grid sends them) made in its
    in-page editor."""
    at = sign_in(data_page(data_copy, monkeypatch, editors or {"ana": editor()}), "ana", PASSWORD)
    at.selectbox(key="edit_table").set_value(table).run()
    key = f"editor_{table}_{storage.current_version(data_copy, table)}"
    assert at.data_editor(key=key).editing_mode == "dynamic"
    at.session_state[f"edit_tabs_{table}"] = "Edit in the page"  # as a click on the tab does
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **edits}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_an_edit_in_the_page_is_reviewed_in_human_terms_then_saved_with_its_reason(data_copy, monkeypatch):
    before = storage.current_version(data_copy, "budget")
    at = editor_page(data_copy, monkeypatch, "budget", {"edited_rows": {3: {"amount": 17462700}}})
    assert "**What will change:** 1 cell" in [m.value for m in at.markdown]
    review = changes_table(at)
    assert list(review.iloc[0]) == [ui.md_escape("2019 · unified_budget · EUR"), "changed", "Amount", "17462600",
                                    "17462700"]
    assert storage.current_version(data_copy, "budget") == before  # nothing saved before Save
    give_reason_and_save(at, "2019 figure corrected")
    saved = (data_copy / "budget.csv").read_bytes()
    assert b"\nunified_budget,17462700,EUR," in saved and b"17462700.0" not in saved  # the number as written
    latest = storage.history(data_copy, "budget")[-1]
    assert (latest.user, latest.reason) == ("ana", "2019 figure corrected")
    assert [s.value for s in at.success] == [ui.md_escape("Budget updated (1 cell)")]
    assert [p.label for p in at.get("page_link")] == ["View on Budget ›"]
    assert f"Now at version {latest.version}." in [c.value for c in at.caption]
    assert at.session_state["edit_tabs_budget"] == "Edit in the page"  # still on the tab it was saved from



def test_the_grid_itself_names_the_cells_the_editor_changed(data_copy, monkeypatch):
    """Streamlit colours only read-only grid columns: a leading one names and marks
    each edited row's changed columns (a cell edited back to its text is no change)."""
    import json

    import pyarrow as pa

    from dashboard import editing

    edits = {"edited_rows": {3: {"amount": 17462700}, 1: {"note": "checked", "currency": "USD"}}}
    at = editor_page(data_copy, monkeypatch, "budget", edits)
    grid = at.data_editor(key=f"editor_budget_{storage.current_version(data_copy, 'budget')}")
    shown = pa.ipc.open_stream(grid.proto.arrow_data.styler.display_values).read_all().to_pandas()
    marks = shown[editing.MARK]
    assert (marks[1], marks[3]) == ("✎ Note", "✎ Amount") and set(marks.drop([1, 3])) == {""}
    styles = grid.proto.arrow_data.styler.styles  # the marks of rows 1 and 3 coloured, nothing else
    assert styles.count("background-color") == 1 and "_row1_col0, #" in styles and "_row3_col0 {" in styles
    column = json.loads(grid.proto.columns)[editing.MARK]
    assert column["disabled"] and column["pinned"] and column["label"] == "Edited"


def test_the_to_do_reads_the_histories_once_per_data_version(data_copy, monkeypatch):
    from dashboard import editing
    from dashboard.ui import freshness

    # freshness's ten-minute key held still: this counts the to-do's own reads
    monkeypatch.setattr(freshness, "_STALE_AFTER_S", 10**12)
    builds = []
    monkeypatch.setattr(editing, "todo_histories", lambda store, data=None, build=editing.todo_histories:
                        builds.append(1) or build(store, data))
    reads = []
    history = storage.history
    monkeypatch.setattr(storage, "history", lambda *args: reads.append(args[1]) or history(*args))
    at = sign_in(data_page(data_copy, monkeypatch, {"ana": editor()}), "ana", PASSWORD)
    assert "What needs updating" in [h.value for h in at.header]
    reads.clear()
    for _ in range(3):
        at.run()
    assert not at.exception and "What needs updating" in [h.value for h in at.header]
    assert reads == []  # the to-do shown three more times, no history read
    assert len(builds) == 1
    save_a_typo(data_copy)  # a new version: read again, and the change shows
    at.run()
    assert len(builds) == 2 and any(ui.md_escape("bo: typo test") in c.value for c in at.caption)


def test_an_invalid_edit_in_the_page_lists_its_problem_and_offers_no_save(data_copy, monkeypatch):
    before = (data_copy / "budget.csv").read_bytes()
    at = editor_page(data_copy, monkeypatch, "budget", {"edited_rows": {3: {"amount": "-5"}}})
    problems = problems_text(at)
    assert "row 5" in problems and "amount" in problems
    assert any(e.value.startswith("Not saved: 1 problems") for e in at.error)
    assert not [b for b in at.button if b.label == "Save"]
    assert (data_copy / "budget.csv").read_bytes() == before


def test_rows_added_and_deleted_in_the_page_are_checked_against_the_whole_package(data_copy, monkeypatch):
    # Deleting a source that other tables cite breaks their links: refused.
    at = editor_page(data_copy, monkeypatch, "sources", {"deleted_rows": [0]})
    assert not [b for b in at.button if b.label == "Save"]
    assert "factsheet" in problems_text(at)
    # A new budget row citing an unknown source is refused with its row and column
    # (row 7: after the header and the table's 5 rows).
    at = editor_page(data_copy, monkeypatch, "budget", {"added_rows": [
        {"category": "unified_budget", "amount": "1", "currency": "EUR", "qualifier": "exact",
         "source_id": "no_such_source", "as_of": "2021", "note": ""}]})
    problems = problems_text(at)  # shown as text: Markdown-escaped
    assert "row 7" in problems and ui.md_escape("no_such_source") in problems


def test_when_someone_else_saves_meanwhile_the_edits_stay_and_their_save_is_refused(data_copy, monkeypatch):
    at = editor_page(data_copy, monkeypatch, "budget", {"edited_rows": {3: {"amount": "17462700"}}})
    theirs = read_table((data_copy / "budget.csv").read_bytes().replace(b"17510500", b"17510501"), "budget.csv")
    storage.save_table(data_copy, "budget", theirs, "bo", "someone else's fix")
    at.run()
    assert "Someone else saved this table since you opened it" in at.warning[0].value
    assert "17462700" in review_text(at)  # the edit is still on screen
    give_reason_and_save(at, "2019 figure corrected")
    assert any("was changed by someone else" in e.value for e in at.error)
    saved = (data_copy / "budget.csv").read_bytes()
    assert b"17510501" in saved and b"17462700" not in saved  # their work is intact
    next(b for b in at.button if b.label == "Start again from the new version").click().run()
    assert not at.warning
    assert at.session_state["edit_base_budget"][0] == storage.current_version(data_copy, "budget")
    assert not any("Editing version" in c.value for c in at.caption)  # no hash as a headline


def test_an_uploaded_file_is_checked_previewed_and_saved(data_copy, monkeypatch):
    at = sign_in(data_page(data_copy, monkeypatch, {"ana": {"password_hash": HASH, "role": "editor"}}), "ana", PASSWORD)
    at.selectbox(key="edit_table").set_value("budget").run()
    original = (data_copy / "budget.csv").read_bytes()

    def uploader():
        return next(u for u in at.file_uploader if (u.key or "").startswith("upload_budget_"))

    # a bad file: every problem listed with its row and column, nothing saved, no Save
    uploader().upload("budget.csv", original.replace(b"17462600,EUR", b"lots,EUR"), "text/csv").run()
    assert not at.exception
    problems = problems_text(at)
    assert "row 5" in problems and "amount" in problems
    assert not [b for b in at.button if b.label == "Save"]
    assert (data_copy / "budget.csv").read_bytes() == original

    # a good one: previewed, then saved with a reason
    uploader().upload("budget.csv", original.replace(b"17462600", b"17462700"), "text/csv").run()
    assert "17462700" in review_text(at)
    give_reason_and_save(at, "2019 figure corrected")
    assert b"17462700" in (data_copy / "budget.csv").read_bytes()
    assert storage.history(data_copy, "budget")[-1].reason == "2019 figure corrected"


def test_after_sign_in_the_page_opens_on_the_to_do_with_the_overdue_tables_first(data_copy, monkeypatch):
    save_a_typo(data_copy)
    at = sign_in(data_page(data_copy, monkeypatch, {"ana": editor()}), "ana", PASSWORD)
    assert "What needs updating" in [h.value for h in at.header]
    order = [b.key.removeprefix("todo_") for b in at.button if (b.key or "").startswith("todo_")]
    assert set(order[:3]) == {"staffing", "budget", "indicators"}  # overdue on today's data
    assert sorted(order) == sorted(r.name for r in resources(data_copy))
    lines = [c.value for c in at.caption]
    # the last change: when (in Kosovo's time zone), who, why
    assert any(ui.md_escape("bo: typo test") in line and ("CET" in line or "CEST" in line) for line in lines), lines
    assert not any("Editing version" in line for line in lines)
    assert at.selectbox(key="edit_table").value is None and not at.tabs  # nothing chosen yet
    next(b for b in at.button if b.key == "todo_staffing").click().run()
    assert at.selectbox(key="edit_table").value == "staffing"
    assert "Staffing" in [h.value for h in at.header] and len(at.tabs) == 3


def test_a_moved_office_is_described_in_words_and_on_a_small_map(data_copy, monkeypatch):
    rows = read_table((data_copy / "offices.csv").read_bytes(), "offices.csv")
    position = [r[0] for r in rows.rows].index("rc-prizren")
    at = editor_page(data_copy, monkeypatch, "offices", {"edited_rows": {position: {"lat": 42.17, "lon": 20.68}}})
    texts = [m.value for m in at.markdown]
    assert any(ui.md_escape("moved 6.8 km south-west, still in Prizren") in text for text in texts)
    assert changes_table(at)["Column"].tolist() == ["Latitude", "Longitude"]
    [small_map] = [e for e in at.get("iframe")]  # before and after, on a small map
    assert "L.polyline" in small_map.proto.srcdoc and small_map.proto.srcdoc.count("L.circleMarker") >= 2


def test_the_grid_is_built_from_the_schema(data_copy, monkeypatch):
    import json

    at = editor_page(data_copy, monkeypatch, "offices", {})
    grid = at.data_editor(key=f"editor_offices_{storage.current_version(data_copy, 'offices')}")
    columns = json.loads(grid.proto.columns)
    assert columns["municipality_code"]["label"] == "Municipality"
    assert columns["municipality_code"]["type_config"]["type"] == "selectbox"
    assert {"value": "prizren", "label": "Prizren"} in columns["municipality_code"]["type_config"]["options"]
    assert {"value": "field_team", "label": "Field team"} in columns["kind"]["type_config"]["options"]
    assert {"min_value": 41.85, "max_value": 43.27}.items() <= columns["lat"]["type_config"].items()
    assert columns["id"]["required"] and columns["id"]["type_config"]["validate"].startswith("^")
    assert columns["address"]["help"].startswith("The postal address")


@pytest.mark.parametrize("lang", ["sq", "sr"])
def test_the_page_speaks_the_readers_language(data_copy, monkeypatch, lang):
    save_a_typo(data_copy)
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["editors"] = {"root": editor("admin")}
    at.query_params["lang"] = lang
    at.switch_page("pages/data.py")
    at.run()
    at.text_input[0].input("root")
    at.text_input[1].input(PASSWORD)
    next(b for b in at.button if (b.key or "").startswith("FormSubmitter:sign_in")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "What needs updating" not in [h.value for h in at.header]
    at.selectbox(key="edit_table").set_value("budget").run()
    next(b for b in at.button if b.key == "restore_budget").click().run()
    assert not at.exception
    texts = " ".join(t.value.to_csv() for t in at.table)
    assert "Before" not in texts and "What was done" not in texts


def test_history_review_and_restore_on_hostile_data_show_text_as_text(tmp_path, monkeypatch):
    import test_injection
    from hostile import make_hostile_package

    data_dir = make_hostile_package(tmp_path / "data")
    before = (data_dir / "sources.csv").read_bytes()
    first = before.split(b"\n")[1].split(b",")[0]
    edited = read_table(before.replace(first + b",", first + b"x,", 1), "sources.csv")
    try:
        storage.save_table(data_dir, "sources", edited, "**ana** [x](https://evil.example)", "_why_ <b>now</b>")
    except storage.InvalidData:  # the id is cited elsewhere: a note change instead
        lines = before.split(b"\n")
        lines[1] = lines[1] + b" [more](https://evil.example)"
        storage.save_table(data_dir, "sources", read_table(b"\n".join(lines), "sources.csv"),
                           "**ana** [x](https://evil.example)", "_why_ <b>now</b>")
    at = sign_in(data_page(data_dir, monkeypatch, {"root": editor("admin")}), "root", PASSWORD)
    test_injection.assert_shown_as_text(at)  # the to-do: titles, last change
    at.session_state["edit_tabs_sources"] = "History"
    at.selectbox(key="edit_table").set_value("sources").run()
    next(b for b in at.button if b.key == "restore_sources").click().run()
    assert [b for b in at.button if b.label == "Confirm restore"]
    assert not at.exception
    test_injection.assert_shown_as_text(at)  # the history, the comparison and the restore's review
