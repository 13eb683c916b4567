"""The sign-in rules (dashboard.auth): a misconfigured entry never signs anyone in and
is reported; no input makes a check raise or tell names apart; roles are re-read; the
rate limiter is bounded and counts per name and address. (The page: test_data_page.py.)"""
import io
import logging
import subprocess
import sys
import tomllib

import bcrypt
import pytest

from dashboard import auth, cli, settings
from dashboard.paths import ROOT
from dashboard.storage import StorageError

PASSWORD = "correct horse battery"
# Cost 4 (the least bcrypt accepts): hundreds of checks below must stay fast. The
# dummy hash gets the same cost in `cheap_dummy`, as in production both are 12.
CHEAP = 4
HASH = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(CHEAP)).decode()
DUMMY_PLAINTEXT = "not a password"
OIDC = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "id", "client_secret": "s", "server_metadata_url": "http://localhost/x"}
EXAMPLE = tomllib.loads((ROOT / ".streamlit" / "secrets.example.toml").read_text(encoding="utf-8"))


def entry(role="editor", password_hash=HASH) -> dict:
    return {"password_hash": password_hash, "role": role}


MALFORMED = {
    "example placeholder": EXAMPLE["editors"]["ana"],
    "earlier placeholder": entry(password_hash="$2b$12$replace-with-the-output-of-hash-password"),
    "no hash": {"role": "editor"},
    "empty hash": entry(password_hash=""),
    "misspelt key": {"pasword_hash": HASH, "role": "editor"},
    "hash not a string": entry(password_hash=12),
    "non-ASCII hash": entry(password_hash=HASH[:-1] + "é"),
    "non-ASCII digit in cost": entry(password_hash=HASH[:4] + "0٤" + HASH[6:]),
    "truncated hash": entry(password_hash=HASH[:-1]),
    "hash with a trailing newline": entry(password_hash=HASH + "\n"),
    "legacy $2x$ prefix": entry(password_hash="$2x$" + HASH[4:]),
    "cost out of range": entry(password_hash=HASH[:4] + "03" + HASH[6:]),
    "salt bcrypt rejects": entry(password_hash=HASH[:28] + "a" + HASH[29:]),
    "string entry": "editor",
    "list entry": [HASH, "editor"],
    "missing role": {"password_hash": HASH},
    "unknown role": entry(role="owner"),
    "role not a string": entry(role=["admin"]),
}
PASSWORDS = {
    "dummy plaintext": DUMMY_PLAINTEXT,
    "right password": PASSWORD,
    "empty": "",
    "73 bytes": "x" * 73,
    "74 bytes as 37 ë": "ë" * 37,
    "lone surrogate": "\ud800abc",
    "not text": None,
    "bytes": PASSWORD.encode(),
}


@pytest.fixture(autouse=True)
def cheap_dummy(monkeypatch):
    monkeypatch.setattr(auth, "_dummy_hash", lambda: bcrypt.hashpw(DUMMY_PLAINTEXT.encode(), bcrypt.gensalt(CHEAP)))
    monkeypatch.setattr(auth, "_last_logged", ())


@pytest.fixture
def comparisons(monkeypatch) -> list[bytes]:
    """The hashes bcrypt compares a password against, in order."""
    seen, real = [], bcrypt.checkpw

    def checkpw(password, hashed):
        seen.append(hashed)
        return real(password, hashed)

    monkeypatch.setattr(auth.bcrypt, "checkpw", checkpw)
    return seen


def config(editors) -> auth.Config:
    return auth.read_config({"editors": editors})


# --- which entries are usable ---------------------------------------------------------

@pytest.mark.parametrize("password", PASSWORDS.values(), ids=PASSWORDS)
@pytest.mark.parametrize("bad", MALFORMED.values(), ids=MALFORMED)
def test_a_malformed_entry_signs_nobody_in_and_costs_one_comparison(bad, password, comparisons):
    cfg = config({"ana": bad, "bo": entry()})
    assert auth.check_password(cfg, "ana", password) is None
    assert len(comparisons) == 1 and comparisons[0][4:6] == HASH[4:6].encode()  # same cost as a real check
    assert "ana" not in cfg.editors and "bo" in cfg.editors


@pytest.mark.parametrize("bad", MALFORMED.values(), ids=MALFORMED)
def test_a_malformed_entry_is_a_problem_that_names_it_without_the_hash(bad):
    problems = auth.config_problems({"editors": {"ana": bad, "bo": entry()}})
    assert len(problems) == 1
    assert problems[0].startswith("[editors.ana]")
    assert HASH[7:] not in problems[0] and "$2" not in problems[0]


def test_the_example_secrets_copied_as_they_are_sign_nobody_in():
    cfg = auth.read_config(EXAMPLE)
    assert cfg.mode == "none" and not cfg.editors
    assert [p.split(":")[0] for p in cfg.problems] == ["[editors.ana]", "[editors.admin]"]


@pytest.mark.parametrize("password", PASSWORDS.values(), ids=PASSWORDS)
@pytest.mark.parametrize("username", ["ana", "nobody", "", None, ["ana"], 7], ids=repr)
def test_every_refusal_looks_the_same(username, password, comparisons):
    cfg = config({"ana": entry(), "bo": entry()})
    expected_ok = username == "ana" and password == PASSWORD
    assert (auth.check_password(cfg, username, password) is not None) is expected_ok
    assert len(comparisons) == 1


def test_the_right_password_signs_in_with_the_entrys_role():
    cfg = config({"ana": entry("admin")})
    editor = auth.check_password(cfg, "ana", PASSWORD)
    assert (editor.name, editor.role) == ("ana", "admin")
    assert HASH not in repr(editor)  # nor in anything that prints it


@pytest.mark.parametrize("prefix", ["$2a$", "$2b$", "$2y$"])
def test_hashes_from_other_bcrypt_tools_are_accepted(prefix):
    assert auth.check_password(config({"ana": entry(password_hash=prefix + HASH[4:])}), "ana", PASSWORD)


# --- [auth] (OIDC) ---------------------------------------------------------------------

PARTIAL_AUTH = {
    **{f"without {key}": {k: v for k, v in OIDC.items() if k != key} for key in OIDC},
    "an empty value": {**OIDC, "client_id": ""},
    "a blank value": {**OIDC, "cookie_secret": "   "},
    "a value not text": {**OIDC, "redirect_uri": 8501},
    "empty": {},
    "a string": "google",
}


@pytest.mark.parametrize("partial", PARTIAL_AUTH.values(), ids=PARTIAL_AUTH)
@pytest.mark.parametrize("password", [PASSWORD, DUMMY_PLAINTEXT])
def test_an_incomplete_auth_block_fails_closed(partial, password):
    cfg = auth.read_config({"auth": partial, "editors": {"ana": entry()}, "roles": {"a@x.org": "admin"}})
    assert cfg.mode == "none" and len(cfg.problems) == 1 and cfg.problems[0].startswith("[auth]")
    assert auth.check_password(cfg, "ana", password) is None
    assert auth.oidc_role(cfg, "a@x.org") is None
    assert "x" * 32 not in cfg.problems[0]  # the cookie secret


def test_oidc_roles_come_from_the_allow_list_only():
    cfg = auth.read_config({"auth": OIDC, "roles": {"a@x.org": "admin", "e@x.org": "owner"},
                            "editors": {"ana": entry()}})
    assert cfg.mode == "oidc"
    assert auth.oidc_role(cfg, "a@x.org") == "admin"
    assert auth.oidc_role(cfg, "e@x.org") is None and auth.oidc_role(cfg, None) is None
    assert auth.check_password(cfg, "ana", PASSWORD) is None  # OIDC takes precedence
    assert cfg.problems == ('[roles]: the role of e@x.org must be "editor" or "admin"',)


@pytest.mark.parametrize("roles", [None, {}, "a@x.org", {"a@x.org": "owner"}],
                         ids=["missing", "empty", "a string", "no valid role"])
def test_oidc_with_nobody_allowed_is_reported(roles):
    secrets = {"auth": OIDC} if roles is None else {"auth": OIDC, "roles": roles}
    cfg = auth.read_config(secrets)
    assert cfg.mode == "oidc" and not cfg.roles
    assert any("nobody can edit" in p for p in cfg.problems)


UNVERIFIED = {
    "false": False, "missing": "(missing)", "None": None, "the string false": "false", "the string False": "False",
    "the string TRUE": "TRUE", "the string 1": "1", "1": 1, "the string yes": "yes", "an empty string": "",
    "a list": [True], "a dict": {"value": True},
}


@pytest.mark.parametrize("verified", UNVERIFIED.values(), ids=UNVERIFIED)
def test_an_unverified_email_gets_no_role(verified):
    cfg = auth.read_config({"auth": OIDC, "roles": {"a@x.org": "admin"}})
    claims = {"email": "a@x.org"} | ({} if verified == "(missing)" else {"email_verified": verified})
    assert auth.verified_email(claims) is None
    assert auth.oidc_role(cfg, auth.verified_email(claims)) is None


@pytest.mark.parametrize("verified", [True, "true"])
def test_a_verified_email_gets_its_role(verified):
    cfg = auth.read_config({"auth": OIDC, "roles": {"a@x.org": "admin"}})
    assert auth.oidc_role(cfg, auth.verified_email({"email": "a@x.org", "email_verified": verified})) == "admin"


@pytest.mark.parametrize("email", ["", None, " ", "a@x.org ", " a@x.org", "ana", 7, ["a@x.org"], "a@x.org\n"],
                         ids=repr)
def test_an_identity_without_a_usable_email_gets_no_role_whatever_the_keys(email):
    cfg = auth.read_config({"auth": OIDC, "roles": {"": "admin", " ": "admin", "ana": "admin", "a@x.org": "editor"}})
    claims = {"email": email, "email_verified": True}
    assert auth.verified_email(claims) is None
    assert auth.oidc_role(cfg, email) is None  # even asked directly


BAD_ROLE_KEYS = {"empty": "", "blank": "  ", "no @": "admin", "padded": " a@x.org", "line break": "a@x.org\n",
                 "an integer": 7, "None": None, "a tuple": ("a@x.org",)}


@pytest.mark.parametrize("key", BAD_ROLE_KEYS.values(), ids=BAD_ROLE_KEYS)
def test_a_roles_key_that_is_not_an_address_is_a_reported_misconfiguration(key):
    cfg = auth.read_config({"auth": OIDC, "roles": {key: "admin", "b@x.org": "editor"}})
    assert cfg.roles == {"b@x.org": "editor"}
    assert len(cfg.problems) == 1 and "is not an email address" in cfg.problems[0]
    assert "\n" not in cfg.problems[0]
    assert auth.oidc_role(cfg, key) is None


def oidc_page(data_copy, monkeypatch, roles, **user):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = OIDC
    at.secrets["roles"] = roles
    at.switch_page("pages/data.py")
    at.user["is_logged_in"] = True
    for key, value in user.items():
        at.user[key] = value
    return at.run()


def editing_shown(at) -> bool:
    return any(s.key == "edit_table" for s in at.selectbox)


@pytest.mark.parametrize("verified", [False, "false", None], ids=repr)
def test_the_page_gives_no_editing_to_an_unverified_email(data_copy, monkeypatch, verified):
    at = oidc_page(data_copy, monkeypatch, {"ana@example.org": "admin"},
                   email="ana@example.org", **({} if verified is None else {"email_verified": verified}))
    assert not at.exception and not editing_shown(at)
    assert any("has not confirmed the email address" in w.value for w in at.warning)
    at.user["email_verified"] = True
    assert editing_shown(at.run())


def test_the_page_gives_no_editing_to_an_identity_without_an_email_under_an_empty_key(data_copy, monkeypatch):
    at = oidc_page(data_copy, monkeypatch, {"": "admin"}, email_verified=True)
    assert not at.exception and not editing_shown(at)
    assert any("not configured correctly" in w.value for w in at.warning)


# --- modes, unreadable secrets, logging ---------------------------------------------------

@pytest.mark.parametrize("secrets, mode", [
    ({}, "none"), (None, "none"), ({"editors": {}}, "none"), ({"editors": {"ana": entry()}}, "passwords"),
    ({"editors": {"ana": entry(password_hash="")}}, "none"), ({"auth": OIDC, "roles": {"a@x.org": "editor"}}, "oidc"),
])
def test_modes(secrets, mode):
    assert auth.read_config(secrets).mode == mode


def test_unreadable_secrets_allow_nothing_and_say_why():
    cfg = auth.read_config({"editors": {"ana": entry()}}, unreadable="Invalid value (at line 3, column 17)")
    assert cfg.mode == "none" and "line 3, column 17" in cfg.problems[0]


class FakeSecrets:
    def __init__(self, error):
        self.error = error

    def to_dict(self):
        raise self.error


def test_a_missing_secrets_file_means_read_only_but_a_broken_one_is_a_problem(monkeypatch):
    from streamlit.errors import StreamlitSecretNotFoundError

    missing = StreamlitSecretNotFoundError("No secrets found.", error_id="no-secrets-found")
    monkeypatch.setattr(settings.st, "secrets", FakeSecrets(missing))
    assert settings.read_secrets() == ({}, None)
    broken = StreamlitSecretNotFoundError("Error parsing secrets file at {path}: {error}", path="s.toml",
                                          error="Invalid value (at line 3, column 17)",
                                          error_id="failed-parsing-secrets-file")
    monkeypatch.setattr(settings.st, "secrets", FakeSecrets(broken))
    secrets, unreadable = settings.read_secrets()
    assert secrets == {} and "line 3, column 17" in unreadable


SECRET = "s3cret-Pa55"
UNUSABLE_SECRETS_FILES = {
    "Windows-1252, not UTF-8": f'[editors.ana]\npassword_hash = "{SECRET}é"\n'.encode("cp1252"),
    "UTF-16": f'[editors.ana]\nrole = "{SECRET}"\n'.encode("utf-16"),
    "a lone continuation byte": b"\x80" + SECRET.encode(),
    "broken TOML": f'[editors.ana\npassword_hash = "{SECRET}"\n'.encode(),
    "an unclosed string": f'[connections.omik]\nurl = "postgresql://u:{SECRET}@h/db\n'.encode(),
    "a key twice": f'[roles]\n"a@x.org" = "admin"\n"a@x.org" = "{SECRET}"\n'.encode(),
    "a folder": None,
    "a folder of files": "folder",
}


@pytest.mark.parametrize("content", UNUSABLE_SECRETS_FILES.values(), ids=UNUSABLE_SECRETS_FILES)
def test_a_secrets_file_that_cannot_be_read_turns_editing_off_and_names_no_value(content, tmp_path, monkeypatch):
    """Streamlit's own reader of a real file: a non-UTF-8 file or a folder raised past
    the old catch (only FileNotFoundError), so every page gave the generic error."""
    from streamlit.runtime.secrets import Secrets
    from streamlit.testing.v1.util import patch_config_options

    path = tmp_path / "secrets.toml"
    if content is None:
        path.mkdir()
    elif content == "folder":
        (path / "editors").mkdir(parents=True)
        (path / "editors" / "ana").write_text(SECRET)
    else:
        path.write_bytes(content)
    with patch_config_options({"secrets.files": [str(path)]}):
        monkeypatch.setattr(settings.st, "secrets", Secrets())
        secrets, unreadable = settings.read_secrets()
    assert secrets == {} and unreadable and SECRET not in unreadable
    config = auth.read_config(secrets, unreadable)
    assert config.mode == "none" and "cannot be read" in config.problems[0]
    with pytest.raises(StorageError, match="secrets file .* cannot be read"):
        settings.database_url(secrets, unreadable, environ={})


def test_problems_are_logged_once_per_distinct_configuration(caplog):
    caplog.set_level(logging.WARNING, logger="dashboard.auth")
    broken = {"editors": {"ana": entry(password_hash=HASH[:-1]), "bo": "editor"}}
    for _ in range(3):
        auth.configuration(broken)
    assert len(caplog.records) == 2
    assert not any("$2" in r.getMessage() for r in caplog.records)
    auth.configuration({"editors": {"ana": entry()}})
    auth.configuration(broken)  # broken again after a fix: said again
    assert len(caplog.records) == 4


# --- re-checking a signed-in editor ---------------------------------------------------------

def test_recheck_follows_the_current_entry():
    signed_in = auth.check_password(config({"ana": entry("admin")}), "ana", PASSWORD)
    assert auth.recheck(config({"ana": entry("admin")}), "ana", signed_in.stamp).role == "admin"
    assert auth.recheck(config({"ana": entry("editor")}), "ana", signed_in.stamp).role == "editor"
    other_hash = bcrypt.hashpw(b"a new password 456", bcrypt.gensalt(CHEAP)).decode()
    assert auth.recheck(config({"ana": entry(password_hash=other_hash)}), "ana", signed_in.stamp) is None
    assert auth.recheck(config({"bo": entry()}), "ana", signed_in.stamp) is None
    for bad in MALFORMED.values():
        assert auth.recheck(config({"ana": bad}), "ana", signed_in.stamp) is None
    assert auth.recheck(auth.read_config({"auth": {}, "editors": {"ana": entry()}}), "ana", signed_in.stamp) is None


@pytest.mark.parametrize("role, allowed", [("admin", True), ("editor", False), (None, False), ("Admin", False)])
def test_only_administrators_may_restore(role, allowed):
    assert auth.may_restore(role) is allowed


# --- the dummy hash and hashing ------------------------------------------------------------

def test_importing_auth_computes_no_hash():
    code = ("import bcrypt\n"
            "def refuse(*a, **k): raise SystemExit('hashed at import')\n"
            "bcrypt.hashpw = refuse\n"
            "import dashboard.auth\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_dummy_hash_is_made_once_at_the_cost_of_ours(monkeypatch):
    monkeypatch.undo()  # the real _dummy_hash, not the cheap one
    auth._dummy_hash.cache_clear()
    made = []
    real = bcrypt.hashpw
    monkeypatch.setattr(auth.bcrypt, "hashpw", lambda pw, salt: made.append(salt) or real(pw, salt))
    for _ in range(2):
        assert auth.check_password(auth.read_config({}), "nobody", DUMMY_PLAINTEXT) is None
    assert len(made) == 1 and made[0].startswith(f"$2b${auth.ROUNDS}$".encode())
    auth._dummy_hash.cache_clear()


@pytest.mark.parametrize("password, problem", [
    ("x" * 73, "at most 72 bytes"), ("ë" * 37, "at most 72 bytes"), ("short", "at least 10"), ("", "at least 10"),
    ("\ud800" * 12, "not valid text"),
])
def test_unusable_passwords_are_refused_with_the_reason(password, problem):
    assert problem in auth.password_problem(password)
    with pytest.raises(ValueError, match=problem):
        auth.hash_password(password)


@pytest.mark.parametrize("password", ["x" * 73, "ë" * 37, "z" * 5000, "short", ""],
                         ids=["73 bytes", "74 bytes as ë", "5000", "short", "empty"])
def test_hash_password_command_refuses_with_exit_2_and_a_plain_message(password, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))
    assert cli.main(["hash-password"]) == cli.EXIT_USAGE
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("python -m dashboard: use a password of ")
    assert not password or password[:20] not in err


def test_hash_password_command_accepts_72_bytes(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("ë" * 36 + "\r\n"))
    assert cli.main(["hash-password"]) == cli.EXIT_OK
    printed = capsys.readouterr().out.strip()
    assert auth.is_bcrypt_hash(printed) and bcrypt.checkpw(("ë" * 36).encode(), printed.encode())


# --- the rate limiter ----------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def fail(limiter, name, address, times):
    for _ in range(times):
        assert limiter.attempt(name, address) == 0


def test_failures_for_a_name_lock_that_name_from_that_address_only():
    limiter = auth.MemoryLimiter(clock=Clock())
    fail(limiter, "ana", "203.0.113.9", auth.MAX_FAILURES)
    assert limiter.attempt("ana", "203.0.113.9") == pytest.approx(auth.WINDOW_S)
    assert limiter.attempt("ana", "198.51.100.7") == 0  # ana herself, elsewhere
    assert limiter.attempt("bo", "203.0.113.9") == 0


def test_one_address_cannot_try_many_names():
    limiter = auth.MemoryLimiter(clock=Clock())
    for i in range(auth.MAX_FAILURES_PER_ADDRESS):
        fail(limiter, f"name{i}", "203.0.113.9", 1)
    assert limiter.attempt("a fresh name", "203.0.113.9") > 0
    assert limiter.attempt("a fresh name", "198.51.100.7") == 0


def test_a_refused_attempt_is_not_counted():
    clock = Clock()
    limiter = auth.MemoryLimiter(clock=clock)
    fail(limiter, "ana", "a", auth.MAX_FAILURES)
    for _ in range(100):  # hammering while locked does not prolong the lock
        limiter.attempt("ana", "a")
    clock.now += auth.WINDOW_S
    assert limiter.attempt("ana", "a") == 0


def test_failures_expire_after_the_window():
    clock = Clock()
    limiter = auth.MemoryLimiter(clock=clock)
    fail(limiter, "ana", "a", auth.MAX_FAILURES - 1)
    clock.now += auth.WINDOW_S / 2
    fail(limiter, "ana", "a", 1)
    assert limiter.attempt("ana", "a") == pytest.approx(auth.WINDOW_S / 2)
    clock.now += auth.WINDOW_S / 2  # the first four have expired, the fifth has not
    fail(limiter, "ana", "a", auth.MAX_FAILURES - 1)
    assert limiter.attempt("ana", "a") > 0
    clock.now += auth.WINDOW_S
    fail(limiter, "ana", "a", auth.MAX_FAILURES)


def test_signing_in_clears_the_names_count_but_not_the_addresss():
    limiter = auth.MemoryLimiter(clock=Clock())
    fail(limiter, "ana", "a", auth.MAX_FAILURES - 1)
    limiter.succeeded("ana", "a")
    fail(limiter, "ana", "a", auth.MAX_FAILURES - 1)  # her count restarted when she signed in
    others = auth.MAX_FAILURES_PER_ADDRESS - 2 * (auth.MAX_FAILURES - 1)
    for i in range(others):
        fail(limiter, f"n{i}", "a", 1)
    assert limiter.attempt("dora", "a") > 0  # the address's count includes all of ana's


def test_memory_stays_bounded_under_100k_names():
    limiter = auth.MemoryLimiter(clock=Clock())
    for i in range(100_000):
        fail(limiter, f"guess{i}", f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}", 1)
    assert len(limiter) == auth.MAX_KEYS


def test_the_most_recently_used_counters_are_kept_when_full():
    limiter = auth.MemoryLimiter(clock=Clock(), max_keys=4)
    fail(limiter, "ana", "a", auth.MAX_FAILURES)
    fail(limiter, "bo", "b", 1)
    fail(limiter, "carl", "c", 1)  # the oldest two counters (ana's) go
    assert len(limiter) == 4
    assert limiter.attempt("ana", "a") == 0
    fail(limiter, "dora", "d", auth.MAX_FAILURES)
    assert limiter.attempt("dora", "d") > 0


def test_a_huge_name_costs_no_more_memory_than_a_short_one():
    limiter = auth.MemoryLimiter(clock=Clock())
    limiter.attempt("n" * 1_000_000, "a")
    assert len(repr(limiter._failures)) < 1000


# --- production settings -------------------------------------------------------------------

def test_visitors_never_see_error_details_and_apptest_still_sees_the_exception():
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["showErrorDetails"] == "none"
    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1.util import patch_config_options

    # AppTest reads config.toml only when run from the project folder: set it here.
    with patch_config_options({"client.showErrorDetails": settings["client"]["showErrorDetails"]}):
        at = AppTest.from_string("raise ValueError('secret detail')").run()
    assert len(at.exception) == 1 and "secret detail" not in at.exception[0].value
