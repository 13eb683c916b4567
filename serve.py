"""The app, answering its health check only once it is warm: ``streamlit run serve.py``
serves app.py as ``streamlit run app.py`` does, with the same configuration, but
first runs app.py's default page (the Overview) once and builds the pages' maps,
pictures and choices in every language, so a replica that the proxy has just added gives
its first reader a page built from loaded modules and data (issue #22: a new server's first page took
45 to 170 times a warm one; bench/cold_start.py measures both ways). Until then the
server does not answer at all, so the proxy's and Docker's health checks
(``/_stcore/health``) count it as not ready. It also serves each page's address with
Streamlit's page naming the app's address (``dashboard.page_shell``), so a first visit
to a page other than the Overview does not first probe a wrong address."""
from __future__ import annotations

import ast
import asyncio
import gc
import logging
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from streamlit.runtime import Runtime

HERE = Path(__file__).parent


def page_imports() -> dict[str, set[str]]:
    """What every page imports at its top, module by module, with the names taken
    from it (read from pages/*.py, so none is forgotten when a page changes)."""
    imports: dict[str, set[str]] = {}
    for page in sorted((HERE / "pages").glob("*.py")):
        for node in ast.parse(page.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    imports.setdefault(alias.name, set())
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imports.setdefault(node.module, set()).update(alias.name for alias in node.names)
    return imports


def import_page_modules() -> None:
    for module, names in page_imports().items():
        # as the page's own import does: `from dashboard import ui` loads dashboard.ui
        __import__(module, fromlist=sorted(names))


def warm_pages() -> None:
    """Every page's modules imported, and the pages' maps and pictures built for the
    current data version in every language (``cache.warm_up``): a first reader, in
    whichever language a shared link names, then waits for no import, map or chart.
    Some three seconds of drawing a language, before the server takes readers: a
    server that answered first and drew the others' meanwhile served a first
    Albanian Staffing 10 times as slow as a warm one (bench/cold_start.py)."""
    import_page_modules()
    from dashboard.cache import warm_up
    from dashboard.i18n import languages

    for lang in languages():
        warm_up(lang)
    # The warm-up leaves a large heap: the first reader's page run paid a full
    # collection of it (the map page's first view 4x a warm one, 1-2x after this),
    # and later collections would scan it again. What it built lives as long as its
    # data version, so it is collected now and left out of every later collection.
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def warm_first(app: st.App):
    # The run Streamlit's own script health check makes (server.scriptHealthCheckEnabled):
    # the main script in a session of its own, on this server's runtime, already started.
    # A page that fails still lets the server start: its readers see what went wrong.
    log = logging.getLogger(__name__)
    ok, message = await Runtime.instance().does_script_run_without_error()
    if not ok:
        log.warning("warming up: app.py's first run ended with %s", message)
    try:
        await asyncio.to_thread(warm_pages)
    except Exception:  # as above: the server starts, and the pages show the problem
        log.exception("warming up the pages failed")
    yield


def shell_routes():
    """Each page's address (but the Overview's, at the root, which needs none) answered
    with Streamlit's page that names the app's address (``dashboard.page_shell``)."""
    from streamlit import config, file_util

    from dashboard.page_shell import page_routes
    from dashboard.ui.frame import PAGES

    prefix = (config.get_option("server.baseUrlPath") or "").strip("/")
    paths = [f"{prefix}/{path}".strip("/") for *_, path in PAGES if path]
    return page_routes(paths, Path(file_util.get_static_dir()) / "index.html")


app = st.App(Path(__file__).with_name("app.py"), lifespan=warm_first, routes=shell_routes())
