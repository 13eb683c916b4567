"""What a page asks the browser to load: read from the HTML it is sent, so a test
checks exactly what the browser would fetch (folium's own element tree is private)."""
from __future__ import annotations

from html.parser import HTMLParser


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = found.get("src") if tag == "script" else found.get("href") if tag == "link" else None
        if url:
            self.links.append(url)


def asset_links(html: str) -> list[str]:
    """Every script (``<script src>``) and stylesheet or other linked file
    (``<link href>``) ``html`` loads, each once, in page order."""
    parser = _Links()
    parser.feed(html)
    return list(dict.fromkeys(parser.links))
