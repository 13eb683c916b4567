"""Reading the long lists the app draws as HTML (``dashboard.ui.text``: the Sources
page's lists, History's timeline, the Overview's mandate) as a browser would parse
them: their tags and attributes, their links and each item's text. Test support,
not part of the app."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from dashboard.formatting import web_url

# All that ui.text's lists (and the timeline and the mandate around them) are made of.
TAGS = {"ul", "li", "strong", "br", "a", "p", "div"}
CLASSES = {"omik-list", "omik-year", "omik-timeline", "omik-mandate", "omik-columns", "omik-note"}


@dataclass
class Item:
    title: str = ""  # the text of its <strong>
    lines: list[str] = field(default_factory=lambda: [""])  # its text, a line per <br>
    links: list[str] = field(default_factory=list)  # the addresses of its links


class MarkupReader(HTMLParser):
    """Markup the app builds, read as a browser parses it, with ``problems``: anything
    in it that is not the app's own markup (a tag outside ``TAGS``, an attribute
    ``allowed`` refuses, a comment or declaration), each as ``(what, value)``. A
    subclass reads what it needs in ``start``, ``handle_endtag`` and ``handle_data``."""

    TAGS: frozenset[str] = frozenset()

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.problems: list[tuple[str, str | None]] = []
        self.feed(markup)
        self.close()

    def allowed(self, tag: str, name: str, value: str | None) -> bool:
        return False

    def start(self, tag: str, attrs: dict[str, str | None]) -> None:
        pass

    def handle_starttag(self, tag, attrs):
        if tag not in self.TAGS:
            self.problems.append(("tag", tag))
        for name, value in attrs:
            if not self.allowed(tag, name, value):
                self.problems.append((f"{tag} {name}", value))
        self.start(tag, dict(attrs))

    def handle_comment(self, data):
        self.problems.append(("comment", data))

    def handle_decl(self, decl):
        self.problems.append(("declaration", decl))

    def handle_pi(self, data):
        self.problems.append(("processing instruction", data))

    def unknown_decl(self, data):
        self.problems.append(("declaration", data))


class ListReader(MarkupReader):
    """A list's items; the texts between them (``between``: the timeline's years);
    and ``problems`` (``MarkupReader``), a link to other than a web address among them."""

    TAGS = frozenset(TAGS)

    def __init__(self, markup: str):
        self.items: list[Item] = []
        self.between: list[str] = []
        self._in_strong = self._in_item = False
        super().__init__(markup)

    def allowed(self, tag, name, value):
        return (name == "class" and value in CLASSES or name == "target" and tag == "a" and value == "_blank"
                or name == "href" and tag == "a" and bool(value) and web_url(value) == value)

    def start(self, tag, attrs):
        if tag == "a" and self.items and self.allowed(tag, "href", attrs.get("href")):
            self.items[-1].links.append(attrs["href"])
        elif tag == "li":
            self.items.append(Item())
            self._in_item = True
        elif tag == "br" and self._in_item:
            self.items[-1].lines.append("")
        elif tag == "strong":
            self._in_strong = True

    def handle_endtag(self, tag):
        if tag == "strong":
            self._in_strong = False
        elif tag == "li":
            self._in_item = False

    def handle_data(self, data):
        if not self._in_item:
            self.between.append(data)
            return
        self.items[-1].lines[-1] += data
        if self._in_strong:
            self.items[-1].title += data


def read_list(markup: str) -> list[Item]:
    """The items of ``markup`` (one of the app's HTML lists); an ``AssertionError``
    when it holds anything but the list's own markup."""
    reader = ListReader(markup)
    assert reader.problems == [], reader.problems
    return reader.items


def is_app_list(markup: str) -> bool:
    """Whether ``markup`` (an st.html body) is one of ui.text's lists."""
    return markup.startswith(('<ul class="omik-list">', '<div class="omik-timeline">'))


def app_lists(at) -> list[str]:
    """The bodies of the app's HTML lists on the page AppTest ran."""
    return [body for element in at.get("html") if is_app_list(body := element.proto.body)]
