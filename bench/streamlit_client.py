"""A reader without a browser: one Streamlit session spoken to the way a browser tab
speaks to it, and the proof that each page view rendered.

What a tab does, recorded from Chromium against this app (Streamlit 1.67):
``GET /_stcore/health`` sets the ``_streamlit_xsrf`` cookie (behind the proxy also
its sticky ``SERVERID``, which the websocket request must carry too, or the proxy
balances the websocket to any server); the tab then opens a websocket to
``/_stcore/stream`` with those cookies, its own ``Origin`` and the subprotocols
``["streamlit", <XSRF cookie value>]``, and sends one ``BackMsg`` ``rerun_script``
carrying the page's query string, page name and context. The server answers with
``ForwardMsg``s: ``new_session`` at the start of every run, the ``navigation`` it
resolved, the elements as ``delta``s, and ``script_finished``.

Every view sends no cached message hashes: the server then sends every element in
full (a browser with a warm cache would get references for those it holds), which is
what a first visit costs and lets every view be checked element by element.
"""
from __future__ import annotations

import asyncio
import ipaddress
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

XSRF_COOKIE = "_streamlit_xsrf"
FINISHED = ForwardMsg.ScriptFinishedStatus
# Streamlit's own limit on a message (server.maxMessageSize, 200 MB)
MAX_MESSAGE = 200 * 1024 * 1024

# Causes of a failed view, as counted in the report
TIMEOUT = "timeout"
PAGE_NOT_FOUND = "page not found"
WRONG_PAGE = "navigation chose another page"
NO_PROOF = "expected text missing"
COMPILE_ERROR = "script compile error"
CLOSED = "connection closed"
CONNECT = "connection refused"
TOO_MANY_RERUNS = "too many reruns"
# A page that calls st.rerun() on every run would otherwise keep a reader forever.
MAX_RERUNS = 10


def require_loopback(url: str) -> None:
    """Refuse any target but this machine: the benchmark is a load generator."""
    host = urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"refusing to load {url!r}: only loopback addresses "
                         "(127.0.0.0/8, ::1, localhost) may be targeted")


@dataclass(frozen=True)
class PageView:
    """One page as a reader opens it, and what proves it rendered: one of ``expect``
    must arrive as the body of an ``h1`` heading, or, with ``in_text``, within any
    heading, Markdown or HTML element (a page without a title, such as an embedded
    view).
    Several texts, because a session keeps its language from page to page."""
    name: str        # the url path, "" for the default page
    query: str       # without "?"
    expect: tuple[str, ...]
    in_text: bool = False

    @property
    def label(self) -> str:
        return f"/{self.name}" + (f"?{self.query}" if self.query else "")


def split_page(spec: str) -> tuple[str, str]:
    """``"/map?region=prizren&lang=sq"`` -> ``("map", "region=prizren&lang=sq")``."""
    parts = urlsplit(spec if spec.startswith("/") else f"/{spec}")
    return parts.path.strip("/"), parts.query


def query_lang(query: str, default: str = "en") -> str:
    return parse_qs(query).get("lang", [default])[0]


@dataclass
class ViewResult:
    page: str
    seconds: float
    cause: str | None = None   # None: the page rendered and was proven
    reruns: int = 0            # runs that ended early for st.rerun() and were followed
    received: int = 0          # bytes of ForwardMsgs

    @property
    def ok(self) -> bool:
        return self.cause is None


def fetch_cookies(base_url: str, cookies: dict[str, str] | None = None, timeout: float = 10) -> dict[str, str]:
    """The cookies a browser holds after loading the page: ``cookies`` (what it sent)
    updated with those the health check sets: ``_streamlit_xsrf``, and behind the
    proxy its sticky ``SERVERID``, which names the server that answered."""
    require_loopback(base_url)
    request = urllib.request.Request(f"{base_url}/_stcore/health")
    if cookies:
        request.add_header("Cookie", cookie_header(cookies))
    held = dict(cookies or {})
    with urllib.request.urlopen(request, timeout=timeout) as resp:
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            held[name.strip()] = rest.split(";", 1)[0].strip('"')
    return held


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def fetch_xsrf(base_url: str, timeout: float = 10) -> str:
    """The ``_streamlit_xsrf`` cookie the health check sets, as a browser reads it;
    "" when XSRF protection is off (the browser then sends a placeholder)."""
    return fetch_cookies(base_url, timeout=timeout).get(XSRF_COOKIE, "")


@dataclass
class _Run:
    """What one run (between ``new_session`` and ``script_finished``) showed."""
    pages: dict[str, str] = field(default_factory=dict)  # page_script_hash -> url path
    chosen: str | None = None
    not_found: bool = False
    exception: str | None = None
    h1: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def take(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "navigation":
            # A session's first run also gets the pages/ folder's automatic list;
            # the last navigation of a run is the app's own st.navigation.
            self.pages = {p.page_script_hash: p.url_pathname for p in msg.navigation.app_pages}
            self.chosen = msg.navigation.page_script_hash
        elif kind == "page_not_found":
            self.not_found = True
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "exception" and self.exception is None:
                # The type is sent unless client.showErrorDetails is "none"
                self.exception = element.exception.type
            elif which == "heading":
                (self.h1 if element.heading.tag == "h1" else self.text).append(element.heading.body)
            elif which == "markdown":
                self.text.append(element.markdown.body)
            elif which == "html":
                self.text.append(element.html.body)

    def verdict(self, view: PageView) -> str | None:
        if self.not_found:
            return PAGE_NOT_FOUND
        if self.exception is not None:
            return f"exception: {self.exception}" if self.exception else "exception"
        # An app without st.navigation may send none: it has only its main page.
        chosen = "" if self.chosen is None else self.pages.get(self.chosen)
        if chosen != view.name:
            return WRONG_PAGE
        if view.in_text:
            proven = any(text in body for text in view.expect for body in self.h1 + self.text)
        else:
            proven = any(text in self.h1 for text in view.expect)
        return None if proven else NO_PROOF


class Reader:
    """One browser tab: a Streamlit session on its own websocket."""

    def __init__(self, base_url: str, xsrf: str, run_timeout: float, cookies: dict[str, str] | None = None):
        require_loopback(base_url)
        self.base_url = base_url.rstrip("/")
        self.xsrf = xsrf
        self.run_timeout = run_timeout
        # Others the websocket request must carry, e.g. the proxy's sticky cookie
        self.cookies = dict(cookies or {})
        self.ws = None

    def cookie_jar(self) -> dict[str, str]:
        """Every cookie this tab sends."""
        return {**self.cookies, **({XSRF_COOKIE: self.xsrf} if self.xsrf else {})}

    async def open(self) -> None:
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        cookies = self.cookie_jar()
        headers = {"Cookie": cookie_header(cookies)} if cookies else {}
        self.ws = await asyncio.wait_for(websockets.connect(
            f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=["streamlit", self.xsrf or "PLACEHOLDER_AUTH_TOKEN"],
            origin=f"{parts.scheme}://{parts.netloc}", additional_headers=headers,
            max_size=MAX_MESSAGE, open_timeout=self.run_timeout), self.run_timeout)

    async def close(self) -> None:
        if self.ws is not None:
            ws, self.ws = self.ws, None
            try:
                await asyncio.wait_for(ws.close(), 5)
            except (TimeoutError, OSError, websockets.WebSocketException):
                pass

    async def clear_cache(self) -> None:
        """Send ``clear_cache``, as Streamlit's own menu does ("Clear cache", in
        development mode) and as any client of the websocket can: the server empties
        every ``st.cache_data`` and ``st.cache_resource``, for every session."""
        if self.ws is None:
            await self.open()
        msg = BackMsg()
        msg.clear_cache = True
        await self.ws.send(msg.SerializeToString())

    def _rerun_script(self, view: PageView) -> bytes:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = view.query
        state.page_name = view.name
        state.widget_states.SetInParent()
        del state.cached_message_hashes[:]
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url = f"{self.base_url}/{view.name}"
        info.is_embedded = "embed=true" in view.query.split("&")
        info.color_scheme = "light"
        return msg.SerializeToString()

    async def view(self, view: PageView) -> ViewResult:
        """Open ``view`` in this session and wait for its run to finish; a failure is
        a result with its cause (the session is closed then: its run may go on)."""
        start = time.perf_counter()
        result = ViewResult(view.label, 0.0)
        try:
            async with asyncio.timeout(self.run_timeout):
                if self.ws is None:
                    await self.open()
                await self.ws.send(self._rerun_script(view))
                result.cause = await self._until_finished(view, result)
        except TimeoutError:
            result.cause = TIMEOUT
        except websockets.ConnectionClosed:
            result.cause = CLOSED
        except (OSError, websockets.InvalidHandshake) as exc:
            result.cause = f"{CONNECT}: {type(exc).__name__}"
        result.seconds = time.perf_counter() - start
        if not result.ok:
            await self.close()
        return result

    async def _until_finished(self, view: PageView, result: ViewResult) -> str | None:
        run: _Run | None = None  # None until this view's first run starts
        async for raw in self.ws:
            result.received += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                run = _Run()
            elif run is None:
                continue  # the tail of the previous view (its status change)
            elif kind == "script_finished":
                status = msg.script_finished
                if status == FINISHED.FINISHED_EARLY_FOR_RERUN:
                    result.reruns += 1
                    if result.reruns > MAX_RERUNS:
                        return TOO_MANY_RERUNS
                    run = None  # the rerun starts with its own new_session
                elif status == FINISHED.FINISHED_WITH_COMPILE_ERROR:
                    return COMPILE_ERROR
                elif status == FINISHED.FINISHED_SUCCESSFULLY:
                    return run.verdict(view)
            else:
                run.take(msg)
        return CLOSED
