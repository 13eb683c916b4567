"""Streamlit's HTML page, served at each of the app's page addresses with the app's
own address written in, so a browser that opens a shared link to a page connects at once.

Opened at ``/budget``, Streamlit's page cannot tell whether ``budget`` is a page or
the folder the app is served from. It asks ``/budget/_stcore/health`` first, gets a
404, waits 100 ms and only then asks ``/_stcore/health`` (streamlit/streamlit#7074):
every first visit to a page other than the Overview paid that wait and its requests.
Streamlit reads the app's address from ``window.__streamlit.BACKEND_BASE_URL`` when
a host sets it, and then asks there alone.

Served by ``serve.py`` (what deployments run); ``streamlit run app.py`` serves the
page unchanged.
"""
from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

# The app's address is the folder the page is in: a page's address has one segment
# (``/budget``, or ``/prefix/budget`` behind a proxy), so "." is the app's root, as the
# browser sees it, whatever host, port or path prefix a proxy adds. Kept if a host
# has already set its own.
BASE_URL_SCRIPT = ('<script>window.__streamlit = Object.assign('
                   '{BACKEND_BASE_URL: new URL(".", window.location.href).href}, window.__streamlit);</script>')
MODULE_SCRIPT = '<script type="module"'


def with_base_url(index_html: str) -> str:
    """``index_html`` (Streamlit's page) with ``BASE_URL_SCRIPT`` run before its
    scripts, which read the setting once, as they load.

    Raises ValueError if the page has no module script to put it before, so a
    Streamlit that changed its page fails the app's start, not its readers."""
    if MODULE_SCRIPT not in index_html:
        raise ValueError("Streamlit's index.html has no module script: the base-URL script has nowhere to go")
    return index_html.replace(MODULE_SCRIPT, BASE_URL_SCRIPT + "\n    " + MODULE_SCRIPT, 1)


def page_routes(paths: list[str], index_html: Path) -> list[Route]:
    """Routes that answer a GET of each of ``paths`` (page addresses, such as
    ``"budget"``, relative to the app's root) with ``index_html`` carrying
    ``BASE_URL_SCRIPT``, uncached as Streamlit serves it."""
    html = with_base_url(index_html.read_text(encoding="utf-8"))

    async def page(_request: Request) -> HTMLResponse:
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

    return [Route(f"/{path}", page, methods=["GET"]) for path in paths]
