"""The view's state in the URL: every filter and selection is a query parameter, so
copying the address bar reproduces the view. Pure functions; ``ui`` wires them to
``st.query_params``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlencode


def parse_choice(raw: str | None, options: Sequence[str], default: str) -> tuple[str, bool]:
    """The value a query parameter asks for, and whether it had to be rejected.

    ``(default, False)`` when the parameter is absent; ``(default, True)`` when it
    names no option (the page shows a small notice and carries on)."""
    if raw is None or raw == "":
        return default, False
    if raw in options:
        return raw, False
    return default, True


def parse_choices(raw: Iterable[str], options: Sequence[str]) -> tuple[list[str], list[str]]:
    """For a repeated parameter (``?theme=a&theme=b``): the known values in
    ``options`` order, and the unknown ones."""
    raw = list(raw)
    known = [o for o in options if o in raw]
    return known, [r for r in raw if r not in options]


def view_query(params: Mapping[str, str | Sequence[str]]) -> str:
    """The query string for a view, keys sorted so equal views give equal links;
    empty values are left out."""
    pairs: list[tuple[str, str]] = []
    for key in sorted(params):
        value = params[key]
        values = [value] if isinstance(value, str) else list(value)
        pairs.extend((key, v) for v in values if v != "")
    return urlencode(pairs)


def view_url(base: str | None, params: Mapping[str, str | Sequence[str]]) -> str:
    """The full link to a view: ``base`` (the page's address without a query) plus
    its parameters. With no base (as under AppTest) the link is relative."""
    query = view_query(params)
    base = (base or "").split("?", 1)[0]
    return f"{base}?{query}" if query else (base or "?")
