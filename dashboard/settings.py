"""The app's ``.streamlit/secrets.toml``: read safely, and what it says about the
data store (``[connections.omik]``). What it says about signing in is ``auth``'s.

A secrets file that exists but cannot be used (not UTF-8, a folder, broken TOML) is
never taken for "no secrets": editing is off and the pages give one plain sentence,
rather than falling back to the files while the file may name a database. The same
holds for a ``[connections.omik]`` that does not say, in a form this app reads, which
database to use.
"""
from __future__ import annotations

import os
from collections.abc import Mapping

import streamlit as st

from .storage import StorageError
from .stores import DATABASE_URL_ENV

CONNECTION = "omik"  # [connections.omik], opened with st.connection("omik", type="sql")
# Streamlit's documented settings of a SQL connection: ``url``, or the parts of one.
URL_PARTS = ("dialect", "driver", "username", "password", "host", "port", "database", "query")
REQUIRED_PARTS = ("dialect", "username", "host")  # as Streamlit requires them


def read_secrets() -> tuple[dict, str | None]:
    """The secrets as a dict, and why they could not be read if the file exists but
    could not be (English, for the server log: never a value from the file)."""
    try:
        return st.secrets.to_dict(), None
    except FileNotFoundError as exc:  # Streamlit raises its subclass for a parse error too
        if getattr(exc, "error_id", None) == "no-secrets-found":
            return {}, None  # no secrets.toml at all: read-only on the files, as documented
        return {}, str(exc)
    except UnicodeDecodeError as exc:
        return {}, f"the secrets file is not UTF-8 text ({exc.reason} at byte {exc.start})"
    except (OSError, ValueError, TypeError) as exc:  # a folder, no permission, ...
        return {}, f"{type(exc).__name__}: {exc}"


def database_url(secrets: Mapping, unreadable: str | None = None,
                 environ: Mapping[str, str] = os.environ) -> str | None:
    """The database the configuration names: ``[connections.omik]`` in the secrets,
    else ``$OMIK_DATABASE_URL``; ``None`` for the files backend.

    ``[connections.omik]`` is read as Streamlit documents a SQL connection: ``url``,
    or ``dialect``, ``username`` and ``host`` with optional ``driver``,
    ``password``, ``port``, ``database`` and ``query``. Anything else there (an empty
    or misspelt setting, both forms at once) raises ``StorageError``: fail closed."""
    if unreadable is not None:
        raise StorageError("storage.secrets_unreadable")
    connections = secrets.get("connections", {})
    if not isinstance(connections, Mapping):
        raise StorageError("storage.connection_not_table", name="connections")
    if CONNECTION not in connections:
        return environ.get(DATABASE_URL_ENV) or None
    return connection_url(connections[CONNECTION])


def connection_url(section: object) -> str:
    """The URL a ``[connections.omik]`` section gives (see :func:`database_url`)."""
    if not isinstance(section, Mapping):
        raise StorageError("storage.connection_not_table", name=f"connections.{CONNECTION}")
    unknown = [key for key in section if key not in ("url", *URL_PARTS)]
    if unknown:
        raise StorageError("storage.connection_unknown", keys=_names(unknown))
    if "url" in section:
        parts = [key for key in section if key != "url"]
        if parts:
            raise StorageError("storage.connection_both", keys=_names(parts))
        url = section["url"]
        if not isinstance(url, str) or not url.strip():
            raise StorageError("storage.connection_value", setting="url")
        return url.strip()
    missing = [key for key in REQUIRED_PARTS if key not in section]
    if missing:
        raise StorageError("storage.connection_missing", keys=_names(missing))
    return _url_from_parts(section)


def _url_from_parts(section: Mapping) -> str:
    from sqlalchemy.engine import URL

    for key in ("dialect", "driver", "username", "password", "host", "database"):
        value = section.get(key, "x")
        if not isinstance(value, str) or not value.strip():
            raise StorageError("storage.connection_value", setting=key)
    port = section.get("port")
    if port is not None and not (type(port) is int or (isinstance(port, str) and port.isascii() and port.isdigit())):
        raise StorageError("storage.connection_value", setting="port")
    query = section.get("query", {})
    if not isinstance(query, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in query.items()):
        raise StorageError("storage.connection_value", setting="query")
    driver = f"+{section['driver']}" if "driver" in section else ""
    url = URL.create(section["dialect"] + driver, username=section["username"], password=section.get("password"),
                     host=section["host"], port=None if port is None else int(port),
                     database=section.get("database"), query=dict(query))
    return url.render_as_string(hide_password=False)


def _names(keys: list) -> str:
    # Setting names only, never their values; escaped, as they come from a file.
    return ", ".join(ascii(str(key)) for key in keys)
