"""What data text can make the briefing cost: any reader can ask for it, so long or
odd text in any column it draws must neither blow up its pictures nor its pages, and
readers asking together share one build (issue 21)."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import threading
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image as PILImage
from pypdf import PdfReader

from dashboard import briefing
from dashboard.briefing import (
    CELL_TEXT,
    DPI,
    FIGURE_MARGIN,
    FIGURE_TEXT,
    MAX_ROWS,
    BriefingBusy,
    build_briefing,
    clip,
    static_map_png,
)
from dashboard.i18n import BIDI_CONTROLS
from dashboard.loading import load_dataset
from hostile import free_text_fields

# Text an editor (or a hostile one) can save in any free-text cell, each far past
# what fits on a line: wide letters with no space to break at, many words, a glyph
# wider than a word (U+FDFA), stacked accents, letters no embedded font has,
# bidirectional overrides, LaTeX and reportlab markup.
LONG = {
    "wide letters": "W" * 10_000,
    "many words": "word " * 2_000,
    "wide ligature": "\ufdfa" * 3_000,
    "stacked accents": "e" + "\u0301" * 3_000,
    "no font has it": "\U00012000" * 3_000,
    "bidi overrides": "\u202e\u2067abc\u202d" * 500,
    "latex": "$\\frac{1}{2}^{x_{y_{z}}}$ " * 500,
    "markup": "<b><i>x</i></b> &amp; " * 400,
}
# The largest picture a figure can make: its size plus the margin, at the briefing's DPI.
LARGEST_MAP = ((7.4 + 2 * FIGURE_MARGIN) * DPI, (5.2 + 2 * FIGURE_MARGIN) * DPI)


def with_text_everywhere(data_dir: Path, text: str) -> Path:
    """``data_dir`` (a copy of the package) with ``text`` in every free-text cell of
    every table (after its own text in a key, which stays unique)."""
    descriptor = json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        path = data_dir / resource["path"]
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        if not rows:
            continue
        key = set(resource["schema"].get("primaryKey", []))
        for row in rows:
            for name in free_text_fields(resource):
                row[name] = f"{row[name]} {text}" if name in key else text
        out = io.StringIO()
        writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")
    return data_dir


def pictures(reader: PdfReader) -> list[tuple[int, int]]:
    return [(image.image.width, image.image.height) for page in reader.pages for image in page.images]


@pytest.mark.parametrize("variant, region", [(v, "prizren" if i % 2 else None) for i, v in enumerate(LONG)])
def test_long_text_in_every_column_gives_a_bounded_briefing(data_copy, variant, region):
    data = load_dataset(with_text_everywhere(data_copy, LONG[variant]))
    assert data.valid, data.problems[:3]  # the validator accepts it, so the briefing must cope
    assert LONG[variant].strip() in set(data["regions"]["name_en"])  # (it really is in the tables)
    reader = PdfReader(io.BytesIO(build_briefing(data, region=region, lang="sr")))
    assert len(reader.pages) <= 16
    sizes = pictures(reader)
    assert sizes and all(w <= LARGEST_MAP[0] and h <= LARGEST_MAP[1] for w, h in sizes), sizes
    text = "".join(page.extract_text() for page in reader.pages)
    assert "…" in text  # cut, and says so
    assert not any(c in text for c in BIDI_CONTROLS)


def test_the_map_picture_is_bounded_whatever_its_labels(data_copy):
    data = load_dataset()
    for names in (["W" * 10_000] * 5, ["\ufdfa" * 500] * 5, ["x\n" * 400] * 5):
        regions = data["regions"].assign(name_en=names, name_sr=names)
        picture = PILImage.open(static_map_png(dataclasses.replace(data, tables={**data.tables, "regions": regions}),
                                               lang="sr"))
        assert picture.size[0] <= LARGEST_MAP[0] and picture.size[1] <= LARGEST_MAP[1]


@pytest.mark.parametrize("text, limit, expected", [
    ("Prizren", FIGURE_TEXT, "Prizren"),
    ("W" * 100, 10, "W" * 9 + "…"),
    ("a  b\n\nc\u2028d\u2029e", 50, "a b c d e"),  # one line
    ("\u202eevil\u202c text\u2066", 50, "evil text"),  # controls drawn by nothing: left out
    ("word " * 100, 11, "word word…"),  # no space before the ellipsis
])
def test_clip(text, limit, expected):
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


def test_a_long_table_is_cut_at_its_row_limit_with_a_note(data_copy):
    data = load_dataset()
    copies = MAX_ROWS // len(data["staffing"]) + 2  # each dated a year of its own before the real ones
    rows = pd.concat([data["staffing"].assign(as_of=str(1900 + i)) for i in range(copies)] + [data["staffing"]],
                     ignore_index=True)
    cut = dataclasses.replace(data, tables={**data.tables, "staffing": rows})
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(build_briefing(cut))).pages).split())
    assert f"and {len(rows) - MAX_ROWS} more: the dashboard shows them all" in text
    assert CELL_TEXT < 300  # (a cell of CELL_TEXT characters fits a page in the narrowest column)


# --- one build at a time, shared ----------------------------------------------------

@pytest.fixture
def counted_builds(monkeypatch):
    """Every real build, counted, with whether it held the server's briefing lock."""
    builds: list[bool] = []
    real = briefing._build

    def build(*args, **kwargs):
        builds.append(briefing._BUILDING.locked())
        return real(*args, **kwargs)

    monkeypatch.setattr(briefing, "_build", build)
    return builds


def test_readers_asking_together_share_one_build(counted_builds):
    data = load_dataset()
    start = threading.Barrier(6)
    results: list[bytes] = []

    def ask():
        start.wait()
        results.append(build_briefing(data, region="peja", lang="sq"))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counted_builds == [True]  # one build, under the lock
    assert len(results) == 6 and all(r is results[0] for r in results)
    assert build_briefing(data, region="peja", lang="sq") is results[0] and counted_builds == [True]
    build_briefing(data, region="peja", lang="sr")  # another view is its own build
    assert counted_builds == [True, True]


def test_a_new_data_version_is_a_new_briefing(counted_builds):
    data = load_dataset()
    build_briefing(data)
    build_briefing(data)
    build_briefing(dataclasses.replace(data, tables=dict(data.tables)))  # the same content, another version
    assert len(counted_builds) == 2


def test_kept_briefings_are_bounded(monkeypatch):
    import datetime as dt

    monkeypatch.setattr(briefing, "_build", lambda *args: b"%PDF")
    data = load_dataset()
    for day in range(briefing.KEPT_PER_VERSION + 10):
        build_briefing(data, today=dt.date(2030, 1, 1) + dt.timedelta(days=day), freshness=[])
    assert len(data.derived[build_briefing]) == briefing.KEPT_PER_VERSION


def test_a_request_waits_a_bounded_time_for_another_build(monkeypatch):
    monkeypatch.setattr(briefing, "BUILD_WAIT", 0.01)
    data = load_dataset()
    with briefing._BUILDING:  # another briefing is being built
        with pytest.raises(BriefingBusy):
            build_briefing(data, freshness=[])
