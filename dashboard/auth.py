"""Who may change the data.

Two ways to sign in, chosen by ``.streamlit/secrets.toml`` (never committed):

- ``[auth]`` configured (an OIDC provider): Streamlit's ``st.login``; the signed-in
  email's role comes from ``[roles]`` (``"ana@example.org" = "editor"``), and only
  if the provider says it verified that email. OIDC only says who someone is; this
  allow-list says what they may do.
- otherwise ``[editors.<username>]`` tables with ``password_hash`` (bcrypt, from
  ``python -m dashboard hash-password``) and ``role`` (``editor`` or ``admin``).

With neither, the app is read-only. Everything that is configured but unusable is a
*problem* (:func:`config_problems`): it is logged for the administrator, named on the
page only as "not configured correctly", and never signs anyone in. An ``[auth]``
block that is present but incomplete disables editing altogether rather than falling
back to passwords.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import bcrypt

log = logging.getLogger(__name__)

ROLES = ("editor", "admin")
OIDC_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
ENTRY_KEYS = ("password_hash", "role")
# bcrypt reads at most 72 bytes; bcrypt 5 refuses longer passwords instead of
# silently ignoring the rest, so no longer password can ever have been hashed.
MAX_PASSWORD_BYTES = 72
MIN_PASSWORD_CHARS = 10
ROUNDS = 12
# $2a$/$2b$/$2y$, a cost bcrypt accepts, a 22-character salt whose last character
# bcrypt accepts (it carries 4 unused bits) and the 31-character digest. Anything
# else makes bcrypt raise, or never match.
_B64 = "[./A-Za-z0-9]"
_BCRYPT_HASH = re.compile(rf"\$2[aby]\$(?:0[4-9]|[12][0-9]|3[01])\${_B64}{{21}}[.Oeu]{_B64}{{31}}")


def hash_password(password: str) -> str:
    """A bcrypt hash to put in secrets.toml as ``password_hash``.

    Raises ``ValueError`` with :func:`password_problem`'s message for a password
    that cannot be used."""
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=ROUNDS)).decode("ascii")


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be given a hash (English, for the command line), or ``None``."""
    if len(password) < MIN_PASSWORD_CHARS:
        return f"use a password of at least {MIN_PASSWORD_CHARS} characters"
    secret = _encode(password, limit=None)
    if secret is None:
        return "the password is not valid text (it contains characters that cannot be encoded as UTF-8)"
    if len(secret) > MAX_PASSWORD_BYTES:
        return (f"use a password of at most {MAX_PASSWORD_BYTES} bytes (UTF-8; letters such as ë or č take 2): "
                f"this one has {len(secret)}")
    return None


def is_bcrypt_hash(value: object) -> bool:
    """Whether ``value`` is a well-formed bcrypt hash (ASCII, so bcrypt never raises on it)."""
    return isinstance(value, str) and _BCRYPT_HASH.fullmatch(value) is not None


@dataclass(frozen=True)
class Editor:
    """A usable ``[editors.<name>]`` entry."""

    name: str
    role: str
    password_hash: str = field(repr=False)

    @property
    def stamp(self) -> str:
        """Identifies the password the entry had, without keeping the hash in the
        session: a new hash (password reset) ends the sessions signed in with the old."""
        return hashlib.sha256(self.password_hash.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Config:
    """What the secrets allow.

    ``mode`` is ``"oidc"``, ``"passwords"`` (at least one usable editor) or ``"none"``
    (read-only). ``editors`` and ``roles`` hold only the usable entries; ``problems``
    says, for the administrator, what is configured but unusable."""

    mode: str
    editors: Mapping[str, Editor] = field(default_factory=dict)
    roles: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def read_config(secrets: Mapping | None, unreadable: str | None = None) -> Config:
    """The sign-in configuration in ``secrets`` (``st.secrets`` as a dict).

    ``unreadable`` is why the secrets file could not be read, if it could not: then
    nothing is allowed. Pure: no logging (see :func:`configuration`)."""
    if unreadable is not None:
        return Config("none", problems=(f"the secrets file cannot be read, so editing is off: {unreadable}",))
    secrets = secrets if isinstance(secrets, Mapping) else {}
    if "auth" in secrets:
        return _oidc_config(secrets)
    editors, problems = _editors(secrets)
    return Config("passwords" if editors else "none", editors=editors, problems=tuple(problems))


def config_problems(secrets: Mapping | None) -> list[str]:
    """What is configured but unusable, in English for the server log. Never
    contains a password hash or another secret."""
    return list(read_config(secrets).problems)


_last_logged: tuple[str, ...] = ()


def configuration(secrets: Mapping | None, unreadable: str | None = None) -> Config:
    """:func:`read_config`, logging its problems as warnings once per distinct set
    of problems (not on every run of every session)."""
    global _last_logged
    config = read_config(secrets, unreadable)
    if config.problems != _last_logged:
        _last_logged = config.problems
        for problem in config.problems:
            log.warning("editing is not configured correctly: %s", problem)
    return config


def _oidc_config(secrets: Mapping) -> Config:
    auth = secrets["auth"]
    if not isinstance(auth, Mapping):
        return Config("none", problems=("[auth] must be a table; editing is off until it is fixed",))
    missing = [key for key in OIDC_KEYS if not (isinstance(auth.get(key), str) and auth[key].strip())]
    if missing:
        return Config("none", problems=(f"[auth] is incomplete (missing or empty: {', '.join(missing)}); "
                                        "editing is off until it is fixed or [auth] is removed",))
    problems = []
    raw = secrets.get("roles", {})
    if not isinstance(raw, Mapping):
        problems.append("[roles] must be a table of email = \"editor\" or \"admin\"")
        raw = {}
    roles = {}
    for email, role in raw.items():
        if not _is_address(email):
            problems.append(f"[roles]: {_shown(email)} is not an email address, so it gives nobody a role")
        elif role not in ROLES:
            problems.append(f"[roles]: the role of {email} must be \"editor\" or \"admin\"")
        else:
            roles[email] = role
    if not roles:
        problems.append("[auth] is set but [roles] gives nobody a role, so nobody can edit")
    return Config("oidc", roles=roles, problems=tuple(problems))


def _editors(secrets: Mapping) -> tuple[dict[str, Editor], list[str]]:
    raw = secrets.get("editors", {})
    if not isinstance(raw, Mapping):
        return {}, ["editors must be tables [editors.<username>] with password_hash and role"]
    editors, problems = {}, []
    for name, entry in raw.items():
        where = f"[editors.{name}]"
        if not isinstance(entry, Mapping):
            problems.append(f"{where} must be a table with password_hash and role, not a {type(entry).__name__}")
            continue
        wrong = []
        if "password_hash" not in entry:
            wrong.append("password_hash is missing")
        elif not is_bcrypt_hash(entry["password_hash"]):
            wrong.append("password_hash is not a bcrypt hash: make one with `python -m dashboard hash-password`")
        if entry.get("role") not in ROLES:
            wrong.append("role must be \"editor\" or \"admin\"")
        if not wrong:
            editors[name] = Editor(name, entry["role"], entry["password_hash"])
            continue
        unknown = [str(key) for key in entry if key not in ENTRY_KEYS]
        if unknown:  # most likely a misspelling of one of ours
            wrong.append(f"unknown keys {', '.join(unknown)}")
        problems.append(f"{where}: {'; '.join(wrong)}; nobody can sign in as {name}")
    return editors, problems


def check_password(config: Config, username: object, password: object) -> Editor | None:
    """The editor if ``username`` is usable and ``password`` is theirs, else ``None``.

    Never raises. Every refusal (unknown or unusable name, wrong, empty, over-long or
    non-text password) costs one bcrypt comparison at the cost of our own hashes,
    so neither the answer nor its timing tells which names exist."""
    editor = config.editors.get(username) if config.mode == "passwords" and isinstance(username, str) else None
    secret = _encode(password)
    if editor is None or secret is None:
        bcrypt.checkpw(secret or b"", _dummy_hash())
        return None
    return editor if bcrypt.checkpw(secret, editor.password_hash.encode("ascii")) else None


def recheck(config: Config, name: str, stamp: str) -> Editor | None:
    """The editor ``name`` as the current secrets have them, if they still may sign
    in with the password they signed in with (role changes apply at once)."""
    editor = config.editors.get(name) if config.mode == "passwords" else None
    return editor if editor is not None and editor.stamp == stamp else None


def _is_address(key: object) -> bool:
    # An address as a provider sends one: text with an @, nothing around it. An empty
    # key would match an identity without an email.
    return isinstance(key, str) and "@" in key and key == key.strip() and key.isprintable()


def _shown(key: object) -> str:
    return ascii(key) if isinstance(key, str) else f"a key that is a {type(key).__name__}"


def verified_email(claims: Mapping) -> str | None:
    """The email of a signed-in OIDC identity (``st.user``'s claims), if the provider
    says it has verified it (``email_verified`` true): an unverified address is any
    text the user typed at the provider, and must never match ``[roles]``."""
    email, verified = claims.get("email"), claims.get("email_verified")
    # The claim is a JSON boolean; some providers send the string "true".
    return email if _is_address(email) and (verified is True or verified == "true") else None


def oidc_role(config: Config, email: str | None) -> str | None:
    """The role the ``[roles]`` allow-list gives a signed-in, verified email
    (:func:`verified_email`), if any."""
    if config.mode != "oidc" or not isinstance(email, str) or not _is_address(email):
        return None
    return config.roles.get(email)


def may_restore(role: str | None) -> bool:
    """Only administrators may make an earlier version current again."""
    return role == "admin"


def _encode(password: object, limit: int | None = MAX_PASSWORD_BYTES) -> bytes | None:
    if not isinstance(password, str):
        return None
    try:
        secret = password.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return None
    return secret if limit is None or len(secret) <= limit else None


@functools.cache
def _dummy_hash() -> bytes:
    # Made on first use, not at import: a bcrypt hash costs a quarter of a second,
    # which every command and test importing this module would otherwise pay.
    return bcrypt.hashpw(b"not a password", bcrypt.gensalt(rounds=ROUNDS))


# --- rate limiting -----------------------------------------------------------------

MAX_FAILURES = 5                # per name and address, in WINDOW_S
MAX_FAILURES_PER_ADDRESS = 20   # per address, whatever the names
WINDOW_S = 60.0
MAX_KEYS = 10_000               # names and addresses remembered at most


class Limiter(Protocol):
    """What the sign-in form needs from a rate limiter; a shared (database-backed)
    one for several servers can replace :class:`MemoryLimiter`."""

    def attempt(self, name: str, address: str) -> float:
        """Seconds to wait before ``address`` may try ``name``; when 0, this attempt
        is counted as a failure until :meth:`succeeded` says otherwise."""

    def succeeded(self, name: str, address: str) -> None: ...


class MemoryLimiter:
    """Sign-in attempts, in this server process's memory.

    An address may fail ``MAX_FAILURES`` times for one name, and
    ``MAX_FAILURES_PER_ADDRESS`` times in all, per ``WINDOW_S`` seconds; then it
    waits until the oldest of those failures is ``WINDOW_S`` old. An attempt counts
    before its password is checked, so parallel sessions cannot all slip through
    during the check.

    Protects against: guessing one editor's password quickly from one address, and
    trying many names from one address. Someone failing from another address does
    not lock an editor out. Memory is bounded: at most ``max_keys`` counters (the
    least recently used go first), each of at most 20 times, names hashed.

    Does not protect against: many addresses (a botnet gets ``MAX_FAILURES`` tries
    per name per address and can push counters out by filling ``max_keys``); a
    reverse proxy that hides client addresses (then every visitor shares one
    address and its limit: see README); several server processes (each counts
    alone); weak passwords in general.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS):
        self.clock = clock
        self.max_keys = max_keys
        self._failures: OrderedDict[tuple, deque[float]] = OrderedDict()
        # Every session's script runs in its own thread.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._failures)

    def attempt(self, name: str, address: str) -> float:
        now = self.clock()
        limits = ((self._name_key(name, address), MAX_FAILURES), (("address", address), MAX_FAILURES_PER_ADDRESS))
        with self._lock:
            wait = max(self._wait(key, limit, now) for key, limit in limits)
            if wait > 0:
                return wait
            for key, limit in limits:
                times = self._failures.pop(key, None) or deque(maxlen=limit)
                times.append(now)
                self._failures[key] = times  # now the most recent
            while len(self._failures) > self.max_keys:
                self._failures.popitem(last=False)
            return 0.0

    def succeeded(self, name: str, address: str) -> None:
        # The address's count stays: signing in to one's own account must not
        # reset the allowance for guessing others'.
        with self._lock:
            self._failures.pop(self._name_key(name, address), None)

    def _wait(self, key: tuple, limit: int, now: float) -> float:
        # Each counter keeps only its last `limit` times, so the oldest of them says
        # when the next attempt is allowed; stale counters are evicted as the oldest.
        times: Sequence[float] = self._failures.get(key, ())
        return max(0.0, WINDOW_S - (now - times[0])) if len(times) >= limit else 0.0

    @staticmethod
    def _name_key(name: str, address: str) -> tuple:
        # A digest, so a megabyte-long name costs no more memory than a short one.
        return ("name", hashlib.blake2b(str(name).encode("utf-8", "surrogatepass"), digest_size=16).digest(), address)


LIMITER: Limiter = MemoryLimiter()
