"""Widgets whose values live in the address bar (``?key=value``), so copying the
address reproduces the view. The parsing rules are ``dashboard.state``'s."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from ..i18n import DEFAULT_LANG, t
from ..state import parse_choice, parse_choices
from .text import md_escape, shorten, t_md


def _write_param(key: str, value: str | list[str], default: str | list[str]) -> None:
    if value == default or value in ("", []):
        if key in st.query_params:
            del st.query_params[key]
    else:
        st.query_params[key] = value


def _param_notice(key: str, value: object, lang: str, rejected: object = None, where=None) -> None:
    """Say that the link's ``key`` held an unknown value (``rejected``, which left the
    view at ``value``), on this run and every later one until the value changes: a
    notice shown on the first run only would vanish at the next rerun (any click),
    perhaps before anyone read it. ``where`` is the container to say it in (default:
    where the widget is)."""
    notices = st.session_state.setdefault("ignored_params", {})
    if rejected is not None:
        notices[key] = (rejected, value)
    elif key in notices and notices[key][1] != value:
        del notices[key]
    if key in notices:
        (where or st).caption(t_md("state.ignored_param", lang, name=key, value=shorten(notices[key][0])))


def url_choice(label: str, key: str, options: Sequence[str], default: str,
               format_func: Callable[[str], str] = str, lang: str = DEFAULT_LANG,
               on_change: Callable[[], None] | None = None, widget: Callable = st.pills, notices=None) -> str:
    """One choice whose value lives in the URL as ``?key=value``: pills (``widget``,
    the default, for a handful of options) or ``st.selectbox`` (for many).

    ``key`` is both the widget's key and the parameter's name: the page that owns
    the choice names it. The URL seeds it on a session's first run; an unknown value
    falls back to ``default`` with a small notice (in ``notices``, a container, when
    given). Options are stable ids; ``format_func`` gives the label, so links work in
    every language. Pills are preferred where they fit: a select box makes the
    browser fetch some 140 KB of extra script before the page is ready."""
    options = list(options)
    unknown = None
    if key not in st.session_state:
        value, rejected = parse_choice(st.query_params.get(key), options, default)
        unknown = st.query_params.get(key) if rejected else None
        st.session_state[key] = value
    elif st.session_state[key] not in options:
        st.session_state[key] = default
    extra = {"required": True} if widget is st.pills else {}  # a pill cannot be unselected to nothing
    if widget is st.pills:  # a pill's label is Markdown; a select box's options are plain text
        format_func = _md_labels(format_func)
    value = widget(label, options, key=key, format_func=format_func, on_change=on_change, **extra)
    _param_notice(key, value, lang, unknown, notices)
    _write_param(key, value, default)
    return value


def _md_labels(format_func: Callable[[str], str]) -> Callable[[str], str]:
    return lambda option: md_escape(format_func(option))


def url_choices(label: str, key: str, options: Sequence[str],
                format_func: Callable[[str], str] = str, lang: str = DEFAULT_LANG) -> list[str]:
    """Several choices (pills) whose values live in the URL as ``?key=a&key=b``;
    nothing chosen means everything (and no parameter)."""
    options = list(options)
    unknown = None
    if key not in st.session_state:
        known, rejected = parse_choices(st.query_params.get_all(key), options)
        unknown = ", ".join(rejected) or None
        st.session_state[key] = known
    value = st.pills(label, options, selection_mode="multi", key=key, format_func=_md_labels(format_func),
                     help=t("state.none_is_all", lang))
    _param_notice(key, value, lang, unknown)
    _write_param(key, value, [])
    return value


def url_value(key: str, options: Sequence[str], lang: str = DEFAULT_LANG) -> str | None:
    """A parameter that no widget owns (a map selection): its value if it names one
    of ``options``, else ``None`` (with a notice when it named something unknown)."""
    value, rejected = parse_choice(st.query_params.get(key), list(options), "")
    _param_notice(key, value, lang, st.query_params.get(key) if rejected else None)
    if rejected:
        del st.query_params[key]
    return value or None
