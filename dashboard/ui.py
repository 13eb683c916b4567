"""Streamlit building blocks shared by pages, so no page repeats another's layout code."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from urllib.parse import urljoin

import pandas as pd
import streamlit as st

from . import auth
from .cache import app_store, dataset
from .charts import ChartSpec
from .embeds import embed_query
from .export import csv_for_excel
from .i18n import DEFAULT_LANG, LANGUAGE_NAMES, languages, t, t_with
from .kpis import Kpi
from .loading import Dataset, per_frame
from .maps import MEASURES, SEQUENTIAL, escape, legend_items
from .offline_assets import local_leaflet_installed
from .details import Detail
from .state import parse_choice, parse_choices, view_url
from .storage import StorageError

logger = logging.getLogger(__name__)


@dataclass
class Page:
    """What a page needs from the frame around it: data, language, and a slot at
    the top that ``finish`` fills with the share control once every parameter of
    the view is known."""

    data: Dataset
    lang: str
    _share_slot: object
    embed_view: str | None = None

    def finish(self) -> None:
        with self._share_slot, st.container(horizontal=True):
            share_link(self.lang, self.embed_view)
            briefing_button(self.data, self.lang, st.query_params.get("region"))


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
    print_styles()
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


def print_styles() -> None:
    """Browser printing gives a clean page: no sidebar, toolbar or buttons, and
    charts and maps no wider than an A4 page."""
    st.html("""<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stPopover"], [data-testid="stDownloadButton"], [data-testid="stExpander"] { display: none !important; }
  [data-testid="stMain"] { margin-left: 0 !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  [data-testid="stVegaLiteChart"], iframe { max-width: 100% !important; break-inside: avoid; }
  @page { size: A4; margin: 12mm; }
}
</style>""")


def data_problems_notice(data: Dataset, lang: str = "en") -> None:
    """A warning above the page when the data files did not validate."""
    errors = [p for p in data.problems if p.severity == "error"]
    if errors:
        st.warning(t_md("data.problems", lang, count=len(errors), files=", ".join(data.broken_tables)),
                   icon=":material/warning:")


# --- text from the data or the address bar ---------------------------------------
# Streamlit renders Markdown almost everywhere (st.markdown, captions, notices,
# headings, st.table cells, and the labels of metrics, expanders, tabs, buttons and
# pills). Text that comes from the data files or the URL is never Markdown: it goes
# through ``md_escape`` (or ``t_md`` for catalogue text with such placeholders), and
# the helpers below do that themselves so that no page can forget.

WORD_JOINER = "\u2060"  # invisible, and no line break where it stands
_SPACES = re.compile(r"[ \t\r\n\f\v]+")
_MD_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=])")
# Streamlit rewrites the parsed text, where backslash escapes are already gone:
# GFM autolinks (https://..., www.x, name@host), emoji and :streamlit: shortcodes,
# and arrows (->, >=). A word joiner inside each pattern keeps it from matching.
_TEXT_PATTERNS = [
    (re.compile(r"(\\:)(?=\S)"), "\\1" + WORD_JOINER),  # ":smile:", "https://", "mailto:"
    (re.compile(r"@"), WORD_JOINER + "@"),
    (re.compile(r"(?i)(www)(?=\\\.)"), "\\1" + WORD_JOINER),
    (re.compile(r"(\\[<\-~>])(?=\\[<\->=])"), "\\1" + WORD_JOINER),  # "->", "<=", "--", "~="
]


def md_escape(text: object) -> str:
    """``text`` as Markdown that Streamlit shows exactly as written, on one line: no
    links, images, HTML, emphasis, headings, lists, LaTeX, Streamlit directives
    (``:red[...]``, ``:material/...:``), emoji shortcodes or autolinks. Runs of
    spaces and line breaks become one space, with none at either end (as the browser
    would show them anyway): a line break could start a heading or a list."""
    text = _MD_SYNTAX.sub(r"\\\1", _SPACES.sub(" ", str(text)).strip(" "))
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters with "…": an echo of what a link asked
    for, not a place to paste a paragraph."""
    return text if len(text) <= limit else text[:limit] + "…"


def t_md(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """A catalogue text (ours: it may be Markdown) with placeholders filled from the
    data or the address bar, each escaped with ``md_escape``."""
    return t_with(md_escape, key, lang, **params)


def md_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for ``st.table``, which renders every cell and header as
    Markdown: each text cell and column name escaped, numbers left as numbers."""
    out = frame.rename(columns=lambda c: md_escape(c) if isinstance(c, str) else c)
    for i, dtype in enumerate(out.dtypes):
        if dtype == object or pd.api.types.is_string_dtype(dtype):
            column = out.iloc[:, i]  # (Series.map would turn a missing None into NaN)
            out.isetitem(i, pd.Series([md_escape(v) if isinstance(v, str) else v for v in column],
                                      index=column.index, dtype=dtype))
    return out


@per_frame
def shown_table(frame: pd.DataFrame):
    """``md_frame(frame)`` as the Arrow table ``st.table`` would convert it to (the
    same bytes reach the browser), once per frame (``loading.per_frame``): a shared
    table is escaped (a Python call per cell) and converted once per data version."""
    from streamlit.dataframe_util import convert_pandas_df_to_arrow_table

    return convert_pandas_df_to_arrow_table(md_frame(frame))


# --- state in the URL --------------------------------------------------------

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

    The URL seeds it on a session's first run; an unknown value falls back to
    ``default`` with a small notice (in ``notices``, a container, when given).
    Options are stable ids; ``format_func`` gives the label, so links work in every
    language. Pills are preferred where they fit: a select box makes the browser
    fetch some 140 KB of extra script before the page is ready."""
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


def share_link(lang: str = DEFAULT_LANG, embed_view: str | None = None) -> None:
    """"Copy link to this view": the page's address with every parameter of the view,
    the iframe snippet that embeds ``embed_view`` alone, and the briefing's link."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    url = view_url(st.context.url, params)
    embed_page = urljoin(st.context.url or "", "embed")  # a sibling of this page's address
    flat = {k: v[0] if len(v) == 1 else v for k, v in params.items()}
    with st.popover(t("share.button", lang), icon=":material/link:"):
        st.caption(t("share.help", lang))
        st.code(url, language=None, wrap_lines=True)
        if embed_view:
            st.caption(t("share.embed", lang))
            embed = view_url(embed_page, embed_query(embed_view, flat))
            st.code(f'<iframe src="{embed}" title="{t("app.title", lang)}" width="100%" height="620" '
                    f'style="border:0"></iframe>', language="html", wrap_lines=True)
        st.caption(t("share.briefing", lang))
        st.code(view_url(embed_page, embed_query("briefing", flat)), language=None, wrap_lines=True)


def briefing_button(data: Dataset, lang: str, region: str | None = None) -> None:
    """Download the printable briefing (of ``region`` when the view has a known one).
    The PDF is built only when clicked, so pages do not pay for it."""
    from .briefing import build_briefing
    from .ui_freshness import app_freshness  # (it builds on this module)

    region = region if region in set(data["regions"]["id"]) else None
    st.download_button(t("briefing.download", lang),
                       lambda: build_briefing(data, region, lang, freshness=app_freshness()),
                       file_name=f"omik_briefing{'_' + region if region else ''}.pdf", mime="application/pdf",
                       icon=":material/picture_as_pdf:", on_click="ignore", key="briefing_download")


# --- figures, charts, maps -------------------------------------------------------

def kpi_cards(kpis: list[Kpi], lang: str = "en", per_row: int = 3) -> None:
    """Headline figures as cards, each with its source and as-of date beneath.
    Columns wrap to one per line on a phone (Streamlit stacks them). The detail and
    caption are plain lines of catalogue text and data, escaped whole."""
    for start in range(0, len(kpis), per_row):
        for column, kpi in zip(st.columns(per_row), kpis[start:start + per_row]):
            with column.container(border=True):
                st.metric(kpi.label(lang, md_escape), kpi.display_value(lang))
                if kpi.detail:
                    st.markdown(md_escape(kpi.detail))
                st.caption(md_escape(kpi.caption(lang)))


def chart_block(spec: ChartSpec, lang: str = "en") -> None:
    """A chart with its title, caption (sources and dates), a "view data" table and
    a CSV of exactly what is plotted; or, with too few figures for a trend, the
    figures themselves and the reason there is no chart."""
    st.subheader(md_escape(spec.title))  # an indicator's label, from the data
    if spec.chart is not None:
        # What st.altair_chart(spec.chart) would send, converted once per ChartSpec.
        st.vega_lite_chart(spec.vega_lite, width="stretch")
    else:
        st.info(spec.reason, icon=":material/info:")
    with st.expander(t("chart.view_data", lang), expanded=spec.chart is None):
        st.table(shown_table(spec.data), hide_index=True)
        csv_download(spec.key, spec.data, lang)
    st.caption(md_escape(spec.caption))


def table_block(key: str, frame, lang: str = "en") -> None:
    """A table with a CSV download of exactly what it shows (the CSV has the values
    as they are; the screen has them escaped for Markdown)."""
    if frame.empty:
        st.info(t("table.empty", lang), icon=":material/info:")
        return
    # st.table: plain HTML, so it prints, reads aloud and loads no grid component.
    st.table(shown_table(frame), hide_index=True)
    csv_download(key, frame, lang)


def csv_download(key: str, frame, lang: str = "en") -> None:
    """A CSV of ``frame`` that opens safely in Excel, written only when clicked (a
    page has many, and most are never downloaded)."""
    st.download_button(t("chart.download_csv", lang), partial(csv_for_excel, frame), file_name=f"omik_{key}.csv",
                       mime="text/csv", key=f"download_{key}", icon=":material/download:", on_click="ignore")


# Streamlit's own component API: the map's page in an iframe, and its clicks passed on.
_map_frame = st.components.v2.component(
    "omik.map_frame", js=(Path(__file__).parent / "map_frame.js").read_text(encoding="utf-8"),
    isolate_styles=False)  # in the page's DOM, where browser tests and the benchmark find the frame


def static_map(document: str, lang: str = "en", height: int = 480) -> None:
    """A map to look at, not to select with: ``document`` (``maps.map_html``) in an iframe."""
    if not local_leaflet_installed():
        st.warning(t("map.assets_missing", lang))
    st.iframe(document, height=height, alt=t("map.frame_title", lang))


def apply_map_selection(state: MutableMapping, map_key: str, known: Mapping[str, Collection[str]]) -> None:
    """After a click on the map: select the clicked municipality or office by
    setting the ``municipality``/``office`` widgets' state (one set, the other
    cleared). The click is ``state[map_key]["select"]``, ``{"kind", "id"}``; one
    that names no known id of its kind (``known``) changes nothing. ``state`` is
    ``st.session_state``, or a dict in tests."""
    clicked = (state.get(map_key) or {}).get("select")
    if not isinstance(clicked, Mapping) or not isinstance(clicked.get("id"), str) \
            or clicked["id"] not in known.get(clicked.get("kind"), ()):
        return
    state["municipality"] = clicked["id"] if clicked["kind"] == "municipality" else ""
    state["office"] = clicked["id"] if clicked["kind"] == "office" else ""


def clickable_map(document: str, key: str, known: Mapping[str, Collection[str]], lang: str = "en",
                  height: int = 560) -> None:
    """A map (``maps.map_html``) whose clicks select a municipality or office
    (``known``: the ids of each kind). Only a click reruns the page: panning and
    zooming do not."""
    if not local_leaflet_installed():
        st.warning(t("map.assets_missing", lang))
    _map_frame(data={"document": document, "height": height, "title": t("map.frame_title", lang)},
               key=key, height=height, on_select_change=partial(apply_map_selection, st.session_state, key, known))


def detail_panel(detail: Detail | None, lang: str = "en") -> None:
    """The facts about the selected region, municipality or office, with sources.
    Text from the data is escaped for Markdown."""
    if detail is None:
        st.info(t("detail.hint", lang), icon=":material/touch_app:")
        return
    with st.container(border=True):
        st.subheader(md_escape(detail.title))
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




def map_legend(data: Dataset, lang: str = "en", measure: str = "region") -> None:
    """The map's legend, in Streamlit rather than on the map: readable by screen
    readers, and it needs no extra JavaScript (branca legends pull d3 from a CDN)."""
    if measure == "region":
        title, items = t("map.legend_title", lang), legend_items(data, lang)
    else:
        values = MEASURES[measure](data)
        maximum = int(values.max()) if len(values) else 0
        title = t("map.measure_legend", lang, measure=t(f"map.measure.{measure}", lang), maximum=maximum)
        items = [(colour, "") for colour in SEQUENTIAL]
    swatches = " ".join(
        f'<span style="white-space:nowrap"><span aria-hidden="true" style="display:inline-block;'
        f'width:0.9em;height:0.9em;background:{colour};border:1px solid #444;vertical-align:middle">'
        f"</span> {escape(name)}</span>"
        for colour, name in items
    )
    # st.html, not Markdown with HTML: that would load a 190 KB HTML parser on every map page.
    st.html(f"<p><b>{escape(title)}</b>: {swatches}</p>")
    st.caption(t("map.legend_offices", lang))


# --- signing in ------------------------------------------------------------------

def signed_in_user(lang: str = "en") -> dict | None:
    """Shows the sign-in the secrets configure (or says the app is read-only) and
    returns ``{"name", "role", "may_restore"}`` once someone with a role has signed in.

    The role is read from the secrets as they are now, on every run: someone removed
    or downgraded loses the right with their next click, not when their session ends."""
    config = auth.configuration(*_secrets())
    if config.problems:  # the details are in the server log, not for every visitor
        st.warning(t("edit.misconfigured", lang), icon=":material/warning:")
    if config.mode != "passwords":
        st.session_state.pop("signed_in", None)
    if config.mode == "oidc":
        return _oidc_user(config, lang)
    if config.mode == "none":
        if not config.problems:
            st.info(t("edit.read_only", lang), icon=":material/lock:")
        return None
    signed_in = st.session_state.get("signed_in")
    if signed_in:
        editor = auth.recheck(config, *signed_in)
        if editor is not None:
            st.caption(t("edit.signed_in_as", lang, name=md_escape(editor.name), role=t(f"edit.role.{editor.role}", lang)))
            if st.button(t("edit.sign_out", lang), key="sign_out"):
                del st.session_state["signed_in"]
                st.rerun()
            return _user(editor.name, editor.role)
        del st.session_state["signed_in"]
        st.warning(t("edit.signed_out_changed", lang), icon=":material/logout:")
    with st.form("sign_in"):
        username = st.text_input(t("edit.username", lang))
        password = st.text_input(t("edit.password", lang), type="password")
        submitted = st.form_submit_button(t("edit.sign_in", lang))
    if submitted:
        address = _client_address()
        limiter = app_store().limiter()  # in the database when there is one: shared by every server
        wait = limiter.attempt(username, address)
        if wait > 0:
            st.error(t("edit.too_many", lang, seconds=int(wait) + 1))
            return None
        editor = auth.check_password(config, username, password)
        if editor is None:
            st.error(t("edit.wrong_password", lang))
            return None
        limiter.succeeded(username, address)
        st.session_state["signed_in"] = (editor.name, editor.stamp)
        st.rerun()
    return None


def _oidc_user(config: auth.Config, lang: str) -> dict | None:
    if not st.user.get("is_logged_in"):
        st.button(t("edit.sign_in_oidc", lang), on_click=st.login, icon=":material/login:")
        return None
    role = auth.oidc_role(config, st.user.get("email"))
    if role is None:
        st.warning(t("edit.no_role", lang, name=md_escape(st.user.get("email") or "")))
    st.button(t("edit.sign_out", lang), on_click=st.logout)
    return None if role is None else _user(st.user.get("email"), role)


def _client_address() -> str:
    # None for visitors on this machine (they share one address), and not a string
    # at all under AppTest (a mock of the connection).
    address = st.context.ip_address
    return address if isinstance(address, str) else "local"


def _user(name: str, role: str) -> dict:
    return {"name": name, "role": role, "may_restore": auth.may_restore(role)}


def _secrets() -> tuple[dict, str | None]:
    """The secrets, and why they could not be read if they exist but could not."""
    try:
        return st.secrets.to_dict(), None
    except FileNotFoundError as exc:  # Streamlit raises this for a parse error too
        if getattr(exc, "error_id", None) == "no-secrets-found":
            return {}, None  # no secrets.toml at all: read-only, as documented
        return {}, str(exc)
