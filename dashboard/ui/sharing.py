"""Passing a view on: the link to it, the snippet that embeds it, the briefing."""
from __future__ import annotations

import html
from pathlib import Path
from urllib.parse import urljoin

import streamlit as st

from ..embeds import CHART_VIEWS, VIEW_TABLES, VIEWS, chart_for, embed_query, full_view
from ..freshness import figure_years
from ..i18n import DEFAULT_LANG, t
from ..loading import Dataset
from ..state import view_url
from .text import md_escape

EMBED_HEIGHT = 620  # px: a map and its caption, or a chart with its table closed
# The Copy and Share buttons' behaviour in the browser (no library, nothing fetched).
_SHARE_JS = (Path(__file__).parent / "share_buttons.js").read_text(encoding="utf-8")


def iframe_snippet(src: str, lang: str = DEFAULT_LANG) -> str:
    """The HTML that embeds the view at ``src`` in another site (``src`` is a link
    this app made: a view URL with its parameters encoded)."""
    return (f'<iframe src="{src}" title="{t("app.title", lang)}" width="100%" height="{EMBED_HEIGHT}" '
            'style="border:0"></iframe>')


def copy_buttons(lang: str = DEFAULT_LANG) -> None:
    """"Copy link" (with a "Copied" message read out to screen readers) and, where
    the device has a share sheet (phones), "Share": real buttons that work by touch,
    keyboard or mouse. The link is the address in the reader's own address bar,
    where Streamlit keeps every parameter of the view."""
    label, done = html.escape(t("share.copy", lang)), html.escape(t("share.copied", lang))
    failed, share = html.escape(t("share.copy_failed", lang)), html.escape(t("share.native", lang))
    title = html.escape(t("app.title", lang))
    st.html(f'<div class="omik-share" data-copied="{done}" data-failed="{failed}" data-title="{title}">'
            f'<button type="button" class="omik-copy">{label}</button>'
            f'<button type="button" class="omik-native-share" hidden>{share}</button>'
            f'<span class="omik-share-status" role="status" aria-live="polite"></span></div>'
            f"<script>{_SHARE_JS}</script>", unsafe_allow_javascript=True, width="content")


def share_link(lang: str = DEFAULT_LANG, embed_view: str | None = None) -> None:
    """The share controls: "Copy link" (and the phone's share sheet), then a menu
    with the address to read, the iframe snippet that embeds ``embed_view`` alone,
    and the briefing's link."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    url = view_url(st.context.url, params)
    embed_page = urljoin(st.context.url or "", "embed")  # a sibling of this page's address
    flat = {k: v[0] if len(v) == 1 else v for k, v in params.items()}
    copy_buttons(lang)
    # Filled when opened, as the lazy expanders (figures.lazy_expander): six elements
    # fewer on every page's first visit.
    menu = st.popover(t("share.button", lang), icon=":material/code:", key="share_menu", on_change="rerun")
    if not menu.open:
        return
    with menu:
        st.caption(t("share.help", lang))
        st.code(url, language=None, wrap_lines=True)
        if embed_view:
            st.caption(t("share.embed", lang))
            st.code(iframe_snippet(view_url(embed_page, embed_query(embed_view, flat)), lang),
                    language=None, wrap_lines=True)  # (HTML highlighting's blue: below 4.5:1)
        st.caption(t("share.briefing", lang))
        st.code(view_url(embed_page, embed_query("briefing", flat)), language=None, wrap_lines=True)


def briefing_button(data: Dataset, lang: str, region: str | None = None) -> None:
    """Download the printable briefing (of ``region`` when it names a known region).
    The PDF is built only when clicked, so pages do not pay for it."""
    from ..briefing import build_briefing
    from .freshness import app_freshness

    region = region if region in set(data["regions"]["id"]) else None
    st.download_button(t("briefing.download", lang),
                       lambda: build_briefing(data, region, lang, freshness=app_freshness()),
                       file_name=f"omik_briefing{'_' + region if region else ''}.pdf", mime="application/pdf",
                       icon=":material/picture_as_pdf:", on_click="ignore", key="briefing_download")


def embed_footer(view: str, lang: str = DEFAULT_LANG) -> None:
    """An embedded view's footer, as Datawrapper's: the years of its figures, the
    dashboard's name, and a link back to the full view (in a new tab: the embed
    stays on its host's page). The view's title and sources are above it."""
    from .freshness import app_freshness

    # The language the view is shown in, not whatever ?lang= said (an unknown one falls back).
    params = {key: st.query_params.get(key) for key in st.query_params if key != "lang"}
    page, query = full_view(view, {**params, **({"lang": lang} if lang != DEFAULT_LANG else {})})
    link = view_url(urljoin(st.context.url or "", page), query)
    years = figure_years(app_freshness(VIEW_TABLES[view]))
    credit = t("embed.footer", lang, years=years) if years else t("embed.credit", lang)
    st.html(f'<p class="omik-embed-footer">{html.escape(credit)} · <a href="{html.escape(link)}" target="_blank">'
            f"{html.escape(t('embed.full_view', lang))}</a></p>")


def view_title(view: str, data: Dataset, lang: str = DEFAULT_LANG) -> str:
    """What an embeddable view is called: its chart's title (perhaps from the data),
    or the map's or briefing's."""
    if view in CHART_VIEWS:
        return chart_for(view, data, lang).title
    return t(f"embed.{view}_title", lang)


def embed_gallery(data: Dataset, lang: str = DEFAULT_LANG) -> None:
    """Everything that can be embedded (the menu's Embed page), two to a row (one on
    a phone): each with its title, a preview in a new tab and its iframe snippet."""
    embed_page = urljoin(st.context.url or "", "embed")
    params = {"lang": lang} if lang != DEFAULT_LANG else {}
    st.header(t("embed.gallery_views", lang))
    for start in range(0, len(VIEWS), 2):
        for column, view in zip(st.columns(2), VIEWS[start:start + 2]):
            src = view_url(embed_page, embed_query(view, params))
            with column.container(border=True):
                st.subheader(md_escape(view_title(view, data, lang)))
                st.html(f'<a href="{html.escape(src)}" target="_blank">{html.escape(t("embed.preview", lang))}</a>')
                st.code(iframe_snippet(src, lang), language=None, wrap_lines=True)
