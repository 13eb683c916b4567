"""The frame around every page: language, data, title, notices, print styles, and
the share controls once the view is known."""
from __future__ import annotations

import copy
import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ..cache import dataset
from ..i18n import DEFAULT_LANG, LANGUAGE_NAMES, languages, t
from ..loading import Dataset
from ..problems import ERROR
from ..storage import StorageError
from .sharing import briefing_button, share_link
from .text import t_md
from .url_state import url_choice

logger = logging.getLogger(__name__)


@dataclass
class Page:
    """What a page needs from the frame around it: data, language, and a slot at
    the top that ``finish`` fills with the share control once every parameter of
    the view is known."""

    data: Dataset
    lang: str
    _share_slot: DeltaGenerator
    embed_view: str | None = None

    def finish(self, briefing_region: str | None = None, briefing: bool = True) -> None:
        """Fill the share slot; the briefing covers ``briefing_region`` when the page
        has one chosen (its own widget's value), else the whole Mission. A page that
        is not about the figures (the Embed gallery) offers no ``briefing``."""
        with self._share_slot, st.container(horizontal=True):
            share_link(self.lang, self.embed_view)
            if briefing:
                briefing_button(self.data, self.lang, briefing_region)


def leave_pages_folder_mode() -> None:
    """Make sure the page runs inside app.py's ``st.navigation``.

    A ``pages/`` folder makes Streamlit start in its older multipage mode: until some
    session has run ``app.py``, a deep link such as ``/staffing`` runs
    ``pages/staffing.py`` on its own, with the folder's file list as menu and no
    language switch. ``st.navigation`` ends that mode by clearing this flag; a page
    that finds it still set clears it the same way and reruns through ``app.py``."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


# The app's pages in its menu's order: script, title's catalogue key, icon, address
# (the Overview, first, is the default page at "/").
PAGES = (
    ("pages/overview.py", "nav.overview", ":material/dashboard:", ""),
    ("pages/map.py", "nav.presence", ":material/map:", "map"),
    ("pages/staffing.py", "nav.staffing", ":material/groups:", "staffing"),
    ("pages/budget.py", "nav.budget", ":material/euro:", "budget"),
    ("pages/reports.py", "nav.reports", ":material/gavel:", "reports"),
    ("pages/elections.py", "nav.elections", ":material/how_to_vote:", "elections"),
    ("pages/history.py", "nav.history", ":material/history:", "history"),
    ("pages/data.py", "nav.data", ":material/edit:", "data"),
    ("pages/sources.py", "nav.sources", ":material/menu_book:", "sources"),
    ("pages/embed.py", "nav.embed", ":material/code:", "embed"),
)


def navigation_pages(lang: str = DEFAULT_LANG) -> list[StreamlitPage]:
    """Every page for ``st.navigation``, titled in ``lang``.

    Copies of pages made once per language and app folder: ``st.Page`` resolves and
    checks its script's path on every call (ten pages took some 6 % of a server's
    time under load), and ``st.navigation`` marks the page it returns as callable
    once, which a page shared by concurrent sessions would mix up. In a page run
    only: outside one, ``st.Page`` makes no usable page."""
    ctx = get_script_run_ctx()
    if ctx is None:
        raise RuntimeError("navigation_pages() needs a page run (st.Page does)")
    return [copy.copy(page) for page in _pages(lang, ctx.pages_manager.main_script_parent)]


@functools.cache
def _pages(lang: str, folder: Path) -> tuple[StreamlitPage, ...]:
    return tuple(st.Page(script, title=t(title, lang), icon=icon, url_path=path or None, default=not path)
                 for script, title, icon, path in PAGES)


def current_lang() -> str:
    """The interface language: the switcher's value, else ``?lang=``, else English."""
    value = st.session_state.get("lang") or st.query_params.get("lang")
    return value if value in languages() else DEFAULT_LANG


def language_switcher() -> str:
    """The language switch (in the sidebar, on every page); its value lives in
    the URL as ``?lang=``, so a shared link opens in the sender's language."""
    lang = current_lang()
    with st.sidebar:
        return url_choice(t("lang.label", lang), "lang", languages(), DEFAULT_LANG,
                          lambda code: LANGUAGE_NAMES.get(code, code), lang)


def page_start(title_key: str, intro_key: str | None = None, embed_view: str | None = None) -> Page:
    """The top every page shares: title, share control, intro, and a notice if the
    data files have problems. ``embed_view`` is the view (``dashboard.embeds``) the
    share control offers to embed elsewhere."""
    leave_pages_folder_mode()
    lang = current_lang()
    data = data_or_stop(lang)
    page_styles()
    st.title(t(title_key, lang))
    slot = st.container()
    if intro_key:
        st.write(t(intro_key, lang))
    data_problems_notice(data, lang)
    return Page(data, lang, slot, embed_view)


def embed_start() -> tuple[Dataset, str]:
    """The frame of an embedded view: no title, no share control, just the data."""
    leave_pages_folder_mode()
    lang = current_lang()
    data = data_or_stop(lang)
    page_styles()
    data_problems_notice(data, lang)
    return data, lang


def data_or_stop(lang: str) -> Dataset:
    """The app's data; when the store cannot be used (a database that is down, a
    secrets file that cannot be read), a plain notice and nothing else: the details
    go to the server log, not to readers."""
    try:
        return dataset()
    except StorageError as exc:
        logger.error("the data store cannot be used: %s", exc)
        st.error(t("data.unavailable", lang), icon=":material/cloud_off:")
        st.stop()


def page_styles() -> None:
    """The app's own CSS (``page.css``), and its print rules for the maps' frames.

    Table cells wrap between words (Streamlit's only past 25rem), so that a table
    of figures fits a phone's width; one whose words cannot fit scrolls sideways in a
    region that takes keyboard focus (``figures.table_block``).

    Headings keep the outline's order (h2 under the title, h3 within a section: see
    ``figures.chart_block``) at sizes that suit it: a chart's title (h2) no larger
    than a section's was, and on a phone smaller still (a long chart title took four
    lines).

    Browser printing gives a clean page: no sidebar, toolbar, buttons or map
    controls; charts and maps no wider than an A4 page; a section's heading stays
    with what follows it, and a chart, map or card is not cut across two pages."""
    # A map's own print rules are in its document (maps._Scale): the page's CSS does
    # not reach into its frame.
    st.html(f"<style>{_PAGE_CSS}</style>")


_PAGE_CSS = (Path(__file__).parent / "page.css").read_text(encoding="utf-8")


def data_problems_notice(data: Dataset, lang: str = DEFAULT_LANG) -> None:
    """A warning above the page when the data files did not validate."""
    errors = [p for p in data.problems if p.severity == ERROR]
    if errors:
        st.warning(t_md("data.problems", lang, count=len(errors), files=", ".join(data.broken_tables)),
                   icon=":material/warning:")
