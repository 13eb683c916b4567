"""Interface strings. Every text a person reads comes from a catalogue here.

One JSON file per language in ``dashboard/locales/`` maps a message key to its text,
with ``str.format`` placeholders (``{file}``, ``{row}``). English is complete and is
the fallback for a key another language lacks, so a missing translation shows English
rather than a key name.
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DEFAULT_LANG = "en"
# Each language named in itself, as a switcher shows it (never translated).
LANGUAGE_NAMES = {"en": "English", "sq": "Shqip", "sr": "Srpski"}

# Unicode's bidirectional formatting characters: the embeddings and overrides
# (LRE, RLE, PDF, LRO, RLO), the isolates (LRI, RLI, FSI, PDI) and the marks (LRM,
# RLM, ALM). Text from the data may hold them; they must not reorder our sentences.
_EMBEDDINGS, _POP_EMBEDDING = "\u202a\u202b\u202d\u202e", "\u202c"
_ISOLATES, _POP_ISOLATE = "\u2066\u2067\u2068", "\u2069"
BIDI_CONTROLS = _EMBEDDINGS + _POP_EMBEDDING + _ISOLATES + _POP_ISOLATE + "\u200e\u200f\u061c"
FSI, PDI = "\u2068", "\u2069"
# Characters that can change the order of the text around them: right-to-left
# letters and Arabic digits, besides the controls.
_REORDERING_CLASSES = {"R", "AL", "AN"}


def balance_bidi(text: str) -> str:
    """``text`` whose bidirectional controls all end inside it: a closing control
    with nothing open to close is dropped, and whatever is left open is closed at
    the end (as Unicode's algorithm pairs them, UAX #9), so the text cannot
    reorder what follows it. Text without controls is returned as it is."""
    if not any(c in BIDI_CONTROLS for c in text):
        return text
    out: list[str] = []
    opened: list[str] = []
    for char in text:
        if char in _EMBEDDINGS or char in _ISOLATES:
            opened.append(char)
        elif char == _POP_EMBEDDING:
            if not opened or opened[-1] not in _EMBEDDINGS:
                continue  # (a PDF closes no embedding opened outside an isolate)
            opened.pop()
        elif char == _POP_ISOLATE:
            if not any(o in _ISOLATES for o in opened):
                continue
            while opened.pop() not in _ISOLATES:  # a PDI also closes the embeddings inside
                pass
        out.append(char)
    out += [_POP_ISOLATE if o in _ISOLATES else _POP_EMBEDDING for o in reversed(opened)]
    return "".join(out)


def isolate(text: str) -> str:
    """``text`` (from the data or the address bar) ready to stand inside one of our
    sentences: when it holds a bidirectional control or a right-to-left letter, it
    is balanced (``balance_bidi``) and isolated (FSI … PDI), so that neither it nor
    the sentence around it is reordered; other text is returned as it is."""
    if any(c in BIDI_CONTROLS or unicodedata.bidirectional(c) in _REORDERING_CLASSES for c in text):
        return FSI + balance_bidi(text) + PDI
    return text


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The messages of one language, ``{key: text}``; empty for an unknown language."""
    path = LOCALES_DIR / f"{lang}.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def languages() -> list[str]:
    """The language codes that have a catalogue, English first (a new copy: callers
    may change it)."""
    return list(_languages())


@cache  # read once per process, as the catalogues are: pages ask on every run
def _languages() -> tuple[str, ...]:
    codes = sorted(p.stem for p in LOCALES_DIR.glob("*.json"))
    return tuple(sorted(codes, key=lambda c: c != DEFAULT_LANG))


def t(key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """The text for ``key`` in ``lang``, with ``params`` filled in.

    Raises ``KeyError`` for a key no catalogue has: a typo must fail loudly in tests,
    not show a raw key to a reader.
    """
    text = catalogue(lang).get(key) or catalogue(DEFAULT_LANG)[key]
    return text.format(**params) if params else text


def t_with(escape: Callable[[str], str], key: str, lang: str = DEFAULT_LANG, **params: object) -> str:
    """``t`` for a catalogue text whose placeholders are filled from outside (the
    data files, the address bar): each parameter passes through ``escape`` (e.g.
    ``ui.md_escape``) while the catalogue's own text, which may be Markdown, stays
    as written."""
    return t(key, lang, **{name: escape(str(render(value, lang))) for name, value in params.items()})


class Msg:
    """A message to translate later, in whatever language it is shown in: a key and
    its parameters, which may be ``Msg`` themselves (``expected.range`` of
    ``expected.latitude``)."""

    def __init__(self, key: str, **params: object):
        self.key, self.params = key, params

    def render(self, lang: str = DEFAULT_LANG) -> str:
        return t(self.key, lang, **{k: render(v, lang) for k, v in self.params.items()})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.key, self.params) == (other.key, other.params)

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {self.params!r})"


def render(value: object, lang: str = DEFAULT_LANG) -> object:
    """``value`` in ``lang`` if it is a ``Msg``; anything else as it is."""
    return value.render(lang) if isinstance(value, Msg) else value


def place_name(row, lang: str = DEFAULT_LANG, column: str = "name") -> str:
    """A place's name in ``lang`` from its ``name_en``/``name_sq``/``name_sr``
    columns; English (the Mission's dual form, e.g. "Prishtinë/Priština") when the
    language has no column or the cell is empty."""
    value = row.get(f"{column}_{lang}")
    return value if isinstance(value, str) and value else row[f"{column}_{DEFAULT_LANG}"]


def local_names(row) -> str:
    """A place's Albanian and Serbian names, ``"Prishtinë / Priština"``: each once (a
    name the same in both is written once), empty when the row gives neither."""
    return " / ".join(dict.fromkeys(n for n in (row.get("name_sq"), row.get("name_sr")) if isinstance(n, str) and n))


def english_only(text: str, lang: str = DEFAULT_LANG) -> str:
    """Text that exists only in English (from the sources), marked as such when the
    interface is in another language, instead of being machine-translated silently."""
    if lang == DEFAULT_LANG or not text:
        return text
    return f"{text} {t('content.english_marker', lang)}"
