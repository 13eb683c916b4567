"""Who may change the data.

Two ways to sign in, chosen by ``.streamlit/secrets.toml`` (never committed):

- ``[auth]`` configured (an OIDC provider): Streamlit's ``st.login``; the signed-in
  email's role comes from ``[roles]`` (``"ana@example.org" = "editor"``). OIDC only
  says who someone is; this allow-list says what they may do.
- otherwise ``[editors.<username>]`` tables with ``password_hash`` (bcrypt, from
  ``python -m dashboard hash-password``) and ``role`` (``editor`` or ``admin``).

With neither, the app is read-only. Failed password sign-ins are rate-limited.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import bcrypt

ROLES = ("editor", "admin")
MAX_FAILURES = 5
LOCKOUT_S = 60.0


def hash_password(password: str) -> str:
    """A bcrypt hash to put in secrets.toml as ``password_hash``."""
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")


def mode(secrets: Mapping) -> str:
    """``"oidc"``, ``"passwords"`` or ``"none"`` (read-only)."""
    auth = secrets.get("auth") if hasattr(secrets, "get") else None
    if auth and auth.get("redirect_uri") and auth.get("cookie_secret"):
        return "oidc"
    if secrets.get("editors"):
        return "passwords"
    return "none"


def check_password(secrets: Mapping, username: str, password: str) -> str | None:
    """The user's role if ``password`` is right, else ``None``. Takes bcrypt's time
    even for an unknown user, so timing does not reveal which names exist."""
    user = (secrets.get("editors") or {}).get(username)
    stored = user.get("password_hash") if user else None
    candidate = stored.encode("ascii") if stored else _DUMMY_HASH
    ok = bcrypt.checkpw(password.encode("utf-8"), candidate)
    if not (ok and user) or user.get("role") not in ROLES:
        return None
    return user["role"]


def oidc_role(secrets: Mapping, email: str | None) -> str | None:
    """The role the ``[roles]`` allow-list gives a signed-in email, if any."""
    role = (secrets.get("roles") or {}).get(email or "")
    return role if role in ROLES else None


_DUMMY_HASH = bcrypt.hashpw(b"not a password", bcrypt.gensalt(rounds=12))


@dataclass
class RateLimiter:
    """At most ``MAX_FAILURES`` failed sign-ins per username, then a pause of
    ``LOCKOUT_S`` seconds. Kept in the server's memory (per process)."""

    failures: dict[str, list[float]] = field(default_factory=dict)
    clock: object = time.monotonic

    def wait_seconds(self, username: str) -> float:
        now = self.clock()
        recent = [t for t in self.failures.get(username, []) if now - t < LOCKOUT_S]
        self.failures[username] = recent
        return LOCKOUT_S - (now - recent[0]) if len(recent) >= MAX_FAILURES else 0.0

    def failed(self, username: str) -> None:
        self.failures.setdefault(username, []).append(self.clock())

    def succeeded(self, username: str) -> None:
        self.failures.pop(username, None)


LIMITER = RateLimiter()
