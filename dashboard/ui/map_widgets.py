"""The maps on a page: a map to look at, a map to select with, and the panel that
describes what is selected. The legend is inside each map (``maps.legend_html``)."""
from __future__ import annotations

import html
from collections.abc import Collection, Mapping, MutableMapping
from functools import partial
from pathlib import Path

import streamlit as st

from ..details import Detail
from ..i18n import DEFAULT_LANG, t
from ..offline_assets import local_leaflet_installed
from .text import md_escape

# Streamlit's own component API: the map's page in an iframe, and its clicks passed on.
_map_frame = st.components.v2.component(
    "omik.map_frame", js=(Path(__file__).parent / "map_frame.js").read_text(encoding="utf-8"),
    isolate_styles=False)  # in the page's DOM, where browser tests and the benchmark find the frame


def _warn_if_leaflet_missing(lang: str) -> None:
    # Without the app's own copy of Leaflet (scripts/setup installs it), folium's page
    # fetches it from a CDN: the map then needs the internet, and the reader is told.
    if not local_leaflet_installed():
        st.warning(t("map.assets_missing", lang))


# A map to look at is about as wide as Kosovo is at its height, with room for the
# legend beside it: a wider frame would be mostly empty around a fitted Kosovo. On a
# narrower screen it is as wide as the screen allows.
STATIC_MAP_ASPECT = 1.3


def static_map(document: str, lang: str = DEFAULT_LANG, height: int = 480) -> None:
    """A map to look at, not to select with: ``document`` (``maps.map_html``) in an
    iframe ``height`` pixels high and at most ``STATIC_MAP_ASPECT`` times as wide."""
    _warn_if_leaflet_missing(lang)
    st.iframe(document, height=height, width=round(height * STATIC_MAP_ASPECT), alt=t("map.frame_title", lang))


def apply_map_selection(state: MutableMapping, map_key: str,
                        targets: Mapping[str, tuple[str, Collection[str]]]) -> None:
    """After a click on the map: select what was clicked. The click is
    ``state[map_key]["select"]``, ``{"kind", "id"}``; ``targets`` maps each kind to
    the page's widget key for it and the ids it knows, e.g. ``{"office": ("office",
    office_ids)}``. The clicked kind's widget gets the id and every other target's
    widget is cleared (``""``); a click on an unknown kind or id changes nothing.
    ``state`` is ``st.session_state``, or a dict in tests."""
    clicked = (state.get(map_key) or {}).get("select")
    if not isinstance(clicked, Mapping) or clicked.get("kind") not in targets:
        return
    if not isinstance(clicked.get("id"), str) or clicked["id"] not in targets[clicked["kind"]][1]:
        return
    for kind, (widget_key, _ids) in targets.items():
        state[widget_key] = clicked["id"] if kind == clicked["kind"] else ""


# The clickable map's height, a CSS length the browser works out (Streamlit's own
# heights are fixed pixels): the screen's height less 9rem, room for Streamlit's bar
# above the map and the start of the legend below it; at least 22rem; and on a
# narrow screen no more than 1.3 times the screen's width, as Kosovo is a little
# taller than wide and more height would only be empty map.
FILL_SCREEN = "clamp(22rem, calc(100dvh - 9rem), 130vw)"


def clickable_map(document: str, key: str, targets: Mapping[str, tuple[str, Collection[str]]],
                  lang: str = DEFAULT_LANG, height: int | str = FILL_SCREEN) -> None:
    """A map (``maps.map_html``) whose clicks select a municipality or office: see
    ``apply_map_selection`` for ``targets``. Only a click reruns the page: panning
    and zooming do not. ``height`` is in pixels, or a CSS length such as
    ``FILL_SCREEN``; the map is as wide as its container."""
    _warn_if_leaflet_missing(lang)
    css_height = f"{height}px" if isinstance(height, int) else height
    _map_frame(data={"document": document, "height": css_height, "title": t("map.frame_title", lang)},
               key=key, height="content",
               on_select_change=partial(apply_map_selection, st.session_state, key, targets))


def detail_panel(detail: Detail | None, lang: str = DEFAULT_LANG) -> None:
    """The facts about the selected region, municipality or office, with sources.
    Text from the data is escaped for Markdown."""
    if detail is None:
        st.info(t("detail.hint", lang), icon=":material/touch_app:")
        return
    with st.container(border=True):
        st.header(md_escape(detail.title))  # h2: the section under the page's title
        for label, value in detail.facts:
            if value:
                st.markdown(f"**{md_escape(label)}:** {md_escape(value)}")
        if detail.members_title:
            st.markdown(f"**{md_escape(detail.members_title)}**")
            if detail.members:
                st.markdown("\n".join(f"- {md_escape(m)}" for m in detail.members))
        for note in detail.notes:
            st.caption(md_escape(note))
        for source in detail.sources:
            st.caption(md_escape(source))


def below_cue(text: str) -> None:
    """A line under the map saying that the details come next, shown only where
    Streamlit stacks a page's columns (a screen under 640 px wide): on a phone the
    details follow the map instead of standing beside it."""
    st.html(f'<p class="omik-below-cue">{html.escape(text)}</p>'
            "<style>.omik-below-cue { margin: 0; font-weight: 600; }"
            " @media (min-width: 640px) { .omik-below-cue { display: none; } }</style>")
