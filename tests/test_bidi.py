"""Bidirectional controls and right-to-left text from the data or the address bar
cannot reorder the app's own sentences (issue 21): on screen the data text is
isolated (FSI … PDI) with every control it opens closed inside, in the CSVs for
people each cell closes what it opens, and the briefing leaves them out."""
from __future__ import annotations

import csv
import io
import random
import unicodedata

import pandas as pd
import pytest

from conftest import run_page
from dashboard.export import csv_for_excel
from dashboard.i18n import BIDI_CONTROLS, FSI, PDI, balance_bidi, isolate
from dashboard.loading import load_dataset
from dashboard.ui.text import md_escape, shorten, t_md
from test_briefing_bounds import with_text_everywhere
from test_injection import rendered_texts

LRE, RLE, PDF, LRO, RLO = "\u202a", "\u202b", "\u202c", "\u202d", "\u202e"
LRI, RLI = "\u2066", "\u2067"
LRM, RLM, ALM = "\u200e", "\u200f", "\u061c"
EMBEDDINGS, ISOLATES = {LRE, RLE, LRO, RLO}, {LRI, RLI, FSI}

HAND_PICKED = [
    RLO + "gnp.exe",  # the classic: "exe.png" read backwards
    RLO + "evil", "evil" + PDF, PDI + RLO + "x", PDF + PDF + RLO, RLI + "x", LRI + RLO + "x" + PDI,
    RLO + LRI + "x" + PDF + PDI, PDI * 3 + RLO * 3, FSI + "abc", "a" + LRM + "b", RLM + "1", ALM + "2",
    "مرحبا 2024", "שלום, world", "٥ ١٢", "Prishtinë/Priština" + RLO, LRO * 130 + "deep", RLE + LRE + "x" + PDI,
]


def _random_variants(count: int = 400) -> list[str]:
    alphabet = list(BIDI_CONTROLS) + list("ab1 ,.") + ["م", "ש", "٥"]
    rng = random.Random(21)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(count)]


VARIANTS = HAND_PICKED + _random_variants()


def still_open(text: str) -> list[str]:
    """What ``text`` leaves open, paired as Unicode's algorithm pairs them (UAX #9,
    X1-X8, without the depth limit): a PDF closes the latest embedding unless an
    isolate was opened after it, a PDI closes the latest isolate and what is open in it."""
    opened: list[str] = []
    for char in text:
        if char in EMBEDDINGS or char in ISOLATES:
            opened.append(char)
        elif char == PDF and opened and opened[-1] in EMBEDDINGS:
            opened.pop()
        elif char == PDI and any(o in ISOLATES for o in opened):
            while opened.pop() not in ISOLATES:
                pass
    return opened


def can_reorder(text: str) -> bool:
    return any(c in BIDI_CONTROLS or unicodedata.bidirectional(c) in {"R", "AL", "AN"} for c in text)


def without_controls(text: str) -> str:
    return "".join(c for c in text if c not in BIDI_CONTROLS)


@pytest.mark.parametrize("text", VARIANTS)
def test_balanced_text_closes_all_it_opens_and_keeps_every_other_character(text):
    balanced = balance_bidi(text)
    assert still_open(balanced) == []
    assert without_controls(balanced) == without_controls(text)
    assert balance_bidi(balanced) == balanced


@pytest.mark.parametrize("text", VARIANTS)
def test_isolated_data_cannot_reach_the_sentence_around_it(text):
    isolated = isolate(text)
    if not can_reorder(text):
        assert isolated == text
        return
    sentence = "Unknown value " + isolated + " in the link: ignored."
    assert isolated.startswith(FSI) and isolated.endswith(PDI)
    # our FSI stays open to the end of the data, and our PDI closes it: nothing more
    for end in range(len("Unknown value ") + 1, len("Unknown value ") + len(isolated)):
        assert still_open(sentence[:end])[:1] == [FSI], repr(sentence[:end])
    assert still_open(sentence) == []


@pytest.mark.parametrize("text", ["Prishtinë/Priština", "17\u00a0510 2016–2020", "", "a, b. (c)", "Đakovica 1999"])
def test_text_that_cannot_reorder_anything_is_left_as_it_is(text):
    assert isolate(text) == text == balance_bidi(text)


@pytest.mark.parametrize("text", [v for v in VARIANTS if can_reorder(v)][:80])
def test_the_one_escaping_rule_isolates(text):
    escaped = md_escape(text)
    assert escaped.startswith(FSI) and escaped.endswith(PDI) and still_open(escaped) == []
    notice = t_md("state.ignored_param", "en", name="region", value=shorten(text))
    assert still_open(notice) == []
    after = notice[notice.rindex(PDI) + 1:]
    assert after and not any(c in BIDI_CONTROLS for c in after)  # the sentence's end is outside


def test_csv_cells_close_what_they_open():
    frame = pd.DataFrame({"a": [RLO + "evil", PDI + "x", "=1+1", "plain"], "b": ["after"] * 4, "n": [1, -2, 3, 4]})
    rows = list(csv.reader(io.StringIO(csv_for_excel(frame).decode("utf-8-sig"))))
    assert rows[1:] == [[RLO + "evil" + PDF, "after", "1"], ["x", "after", "-2"], ["'=1+1", "after", "3"],
                        ["plain", "after", "4"]]
    assert all(still_open(cell) == [] for row in rows for cell in row)


# --- on the pages -------------------------------------------------------------------

@pytest.mark.parametrize("payload", [RLO + "atlantis", PDI + RLO + "x", "مرحبا" + RLO, LRI + "x" + PDF * 3])
def test_a_link_value_is_echoed_isolated(payload):
    at = run_page("map", region=payload)
    notice = t_md("state.ignored_param", "en", name="region", value=shorten(payload))
    assert notice in [c.value for c in at.caption]
    assert FSI in notice and still_open(notice) == []


@pytest.mark.parametrize("payload", [RLO + "evil", PDI + RLO + "evil" + LRI, "عربي " + RLE])
def test_no_page_string_leaves_a_control_open(data_copy, monkeypatch, payload):
    monkeypatch.setenv("OMIK_DATA_DIR", str(with_text_everywhere(data_copy, payload)))
    assert load_dataset(data_copy).valid
    for page in ("overview", "map", "reports"):
        markdown, _ = rendered_texts(run_page(page))
        assert any(FSI in text for _, text in markdown)  # (the data reached the page)
        left_open = [(kind, text[:80]) for kind, text in markdown if still_open(text)]
        assert left_open == [], page
