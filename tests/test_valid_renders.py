"""What validates renders (#21), as a property: values generated per column type
(numbers in every form Python and frictionless read, dates and periods with every
part out of range, text with every kind of character) are validated by the
hundred; the validator never fails on one, and every value it accepts loads, is
typed and formats in every language. A representative accepted set (the extremes
of each column) then goes into the package, and every page, ``freshness`` and the
briefing run on it without an error.

The generator is deterministic (a fixed seed): a failure names its value and
comes back on every run.
"""
import dataclasses
import datetime as dt
import math
import random

import pandas as pd
import pytest

from conftest import run_page
from dashboard.cli import main
from dashboard.formatting import figures_as_text, format_exact, format_money, format_number
from dashboard.freshness import OVERDUE_AFTER_MONTHS, add_months
from dashboard.i18n import languages
from dashboard.loading import check_shown, load_dataset, to_frame
from dashboard.paths import DATA_DIR
from dashboard.provenance import as_of_bounds, format_as_of
from dashboard.reading import read_table
from dashboard.schema import resource
from dashboard.storage import to_csv_bytes
from dashboard.ui import md_escape
from dashboard.validation import MAX_PROBLEMS_PER_TABLE, validate_package
from test_pages import PAGES

SEED = 21
PER_COLUMN = 300
DIGITS = {"ascii": "0123456789", "arabic": "٠١٢٣٤٥٦٧٨٩", "persian": "۰۱۲۳۴۵۶۷۸۹", "devanagari": "०१२३४५६७८९",
          "fullwidth": "０１２３４５６７８９"}
SPECIAL_NUMBERS = ["Infinity", "-Infinity", "inf", "-inf", "INF", "NaN", "nan", "-nan", "sNaN", "+NaN", "1e400",
                   "-1e400", "1e-400", "0x10", "0b1", "0o7", "1_000", "1__0", "_1", "1.", ".5", "+.5", "-0", "+0",
                   "00", "1e", "e5", "1e+", "--1", "+-1", "1 000", "1,5", "1.5.5", "١٬٠٠٠", "1e15", "999999999999999",
                   "999999999999999.9", "9223372036854775807", "9223372036854775808", "-9223372036854775809"]
# What a label may hold, and what it must not: letters of the three languages,
# right-to-left text and bidi controls, emoji (astral), joiners, quotes and markup,
# line breaks and separators, C0 and C1 controls, and lone surrogates.
TEXT_PIECES = ["Prishtinë", "Priština", "Ђорђе", "ç", "đ", "ë", "ž", "שלום", "مرحبا", "\u202e", "\u2066", "\u2069",
               "\u200d", "\u200b", "😀", "🇽🇰", "e\u0301", '"', "'", ",", ";", "<script>", "&amp;", "*x*", "[a](b)",
               "$x$", ":red[x]", "=SUM(1)", "+1", "@a", "\n", "\r\n", "\t", " ", "\u00a0", "\u2028", "\u2029",
               "\x85", "\x00", "\x07", "\x1b", "\x7f", "\x80", "\x9b", "\ud800", "\udfff", "\ufeff", "\ufffd", "x"]


def _digits(rng: random.Random, count: int) -> str:
    script = DIGITS[rng.choice(["ascii"] * 6 + list(DIGITS))]
    return "".join(rng.choice(script) for _ in range(count))


def integer_values(rng: random.Random) -> list[str]:
    values = list(SPECIAL_NUMBERS)
    while len(values) < PER_COLUMN:
        if rng.random() < 0.2:  # a year, a count: what the columns with a range take
            values.append(str(rng.randint(-10, 2200)))
            continue
        text = _digits(rng, rng.choice([1, 1, 2, 3, 4, 4, 6, 9, 14, 15, 16, 19, 20, 23, 40]))
        if rng.random() < 0.2:
            text = rng.choice("+-") + text
        if rng.random() < 0.05:
            i = rng.randrange(len(text) + 1)
            text = text[:i] + "_" + text[i:]
        values.append(text)
    return values


def number_values(rng: random.Random) -> list[str]:
    values = integer_values(rng)[:PER_COLUMN // 2]
    while len(values) < PER_COLUMN:
        whole, part = _digits(rng, rng.randint(0, 16)), _digits(rng, rng.randint(0, 8))
        text = f"{whole}.{part}" if part or rng.random() < 0.3 else whole or "0"
        if rng.random() < 0.3:
            exponent = rng.choice([0, 1, 5, 14, 15, 16, 308, 309, 400])
            text += rng.choice("eE") + rng.choice(["", "+", "-"]) + str(exponent)
        values.append(text)
    return values


def _point(rng: random.Random) -> str:
    year = rng.choice([rng.randint(1890, 2110)] * 4 + [0, 1, 1677, 1899, 1900, 2100, 2101, 2262, 9999])
    text = f"{year:04d}"
    if rng.random() < 0.7:
        text += f"-{rng.choice([rng.randint(1, 12)] * 4 + [0, 13, 99]):02d}"
        if rng.random() < 0.6:
            text += f"-{rng.choice([rng.randint(1, 28)] * 3 + [0, 29, 30, 31, 32]):02d}"
    if rng.random() < 0.05:
        text = text.translate(str.maketrans(DIGITS["ascii"], DIGITS[rng.choice(list(DIGITS))]))
    return text


def period_values(rng: random.Random) -> list[str]:
    return [_point(rng) + (f"/{_point(rng)}" if rng.random() < 0.4 else "") for _ in range(PER_COLUMN)]


def date_values(rng: random.Random) -> list[str]:
    values = []
    while len(values) < PER_COLUMN:
        text = _point(rng)
        if rng.random() < 0.1:
            text = text.replace("-0", "-")
        values.append(text)
    return values


def text_values(rng: random.Random) -> list[str]:
    return ["".join(rng.choice(TEXT_PIECES) for _ in range(rng.randint(1, 12))) for _ in range(PER_COLUMN)]


# table -> (column giving each row a key of its own, {column: generator})
GENERATED = {
    "indicators": ("indicator", {"value": number_values, "period": period_values, "as_of": period_values,
                                 "label_en": text_values, "unit": text_values}),
    "elections": ("election", {"election_date": date_values, "value": number_values, "label_en": text_values}),
    "staffing": ("as_of", {"value": integer_values}),
    "sources": ("id", {"year": integer_values, "title": text_values}),
}


def _key(table: str, n: int) -> str:
    if table == "staffing":  # its key is as_of with measure and category: a day of its own
        return (dt.date(1990, 1, 1) + dt.timedelta(days=n)).isoformat()
    return f"gen-{n}"


def _generated(table: str, column: str):
    """The table, then its first row repeated, each copy with a generated value in
    ``column`` (and a key of its own); the values, with the row number of each."""
    rng = random.Random(f"{SEED}:{table}:{column}")
    raw = read_table(DATA_DIR / resource(table).path)
    key = GENERATED[table][0]
    rows, tried = [list(row) for row in raw.rows], []
    for value in GENERATED[table][1][column](rng):
        row = list(raw.rows[0])
        row[raw.header.index(key)] = _key(table, len(rows))
        row[raw.header.index(column)] = value
        rows.append(row)
        tried.append((len(rows) + 1, value))
    return dataclasses.replace(raw, rows=rows, row_numbers=list(range(2, len(rows) + 2))), tried


@pytest.fixture(scope="module")
def verdicts():
    """For each generated column: the rows as checked (``ResourceRows``: in the
    schema's order, as they would be saved), and each value with whether it was
    accepted. A column at a time: a table's problems are reported up to a limit."""
    out = {}
    for table, (_, columns) in GENERATED.items():
        for column in columns:
            raw, tried = _generated(table, column)
            report = validate_package(DATA_DIR, {table: raw})  # never raises, whatever the values
            assert len(report.errors) < MAX_PROBLEMS_PER_TABLE
            assert not [p for p in report.errors if p.file != raw.filename], "only the generated table has problems"
            refused_rows = {p.row for p in report.errors}
            out[table, column] = (report.tables[table], [(value, row not in refused_rows) for row, value in tried])
    return out


def test_the_generator_tries_both_sides_of_every_rule(verdicts):
    for (table, column), (_, judged) in verdicts.items():
        assert {ok for _, ok in judged} == {True, False}, (table, column)


def test_every_accepted_value_loads_and_formats_in_every_language(verdicts):
    for (table, column), (checked, judged) in verdicts.items():
        generated = checked.rows[-len(judged):]
        accepted_rows = [row for row, (_, ok) in zip(generated, judged) if ok]
        frame = to_frame(dataclasses.replace(checked, rows=accepted_rows))
        check_shown(frame, resource(table))  # what loading checks before any page sees a table
        saved = read_table(to_csv_bytes(checked.header, accepted_rows), checked.source_file)
        assert saved.rows == accepted_rows  # stored and read back as checked
        for lang in languages():
            figures_as_text(frame, lang)
        field = resource(table).field(column)
        if field.type in ("integer", "number"):  # "-0" is accepted, and loads as zero: no page writes "-0"
            assert not any(v == 0 and math.copysign(1, v) < 0 for v in frame[column].dropna()), (table, column)
        for value in (row[checked.header.index(column)] for row in accepted_rows):
            if field.type in ("integer", "number"):
                number = float(value)
                assert math.isfinite(number) and abs(number) < 1e15, (table, column, value)
                for lang in languages():
                    for text in (format_exact(number, lang), format_number(number, lang),
                                 format_money(number, "EUR", lang)):
                        assert "∞" not in text and "NaN" not in text, (value, text)
            elif field.type == "date" or column in ("as_of", "period"):
                first, last = as_of_bounds(value)
                assert first <= last and pd.Timestamp(first) <= pd.Timestamp(add_months(last, OVERDUE_AFTER_MONTHS))
                for lang in languages():
                    format_as_of(value, lang)
            else:
                # Vega's expression parser ends a string at these (labels are in the
                # charts' sort): a chart with one is not drawn.
                assert not {"\u2028", "\u2029"} & set(value), repr(value)
                md_escape(value).encode("utf-8")


def _extremes(values: list[str], column: str, field_type: str) -> list[str]:
    """The accepted values of ``column`` most likely to break a page: the largest
    and smallest, the longest and shortest, the earliest and latest."""
    values = list(dict.fromkeys(values))
    if field_type in ("integer", "number"):
        ranked = sorted(values, key=float)
    elif field_type == "date" or column in ("as_of", "period"):
        by_date = sorted(values, key=as_of_bounds)
        by_span = sorted(values, key=lambda v: as_of_bounds(v)[1] - as_of_bounds(v)[0])
        ranked = [*by_date[:2], *by_span[:1], *by_span[-2:], *by_date[-2:]]
    else:
        ranked = sorted(values, key=len)
    return list(dict.fromkeys([*ranked[:2], *ranked[-3:], *sorted(values, key=len)[-2:]]))


def _write_extremes(data_dir, verdicts) -> None:
    """The real package, with each generated column's extremes in its first rows
    (those rows' other cells unchanged: figures the pages show, as they show them)."""
    for table in GENERATED:
        path = data_dir / resource(table).path
        raw = read_table(path)
        rows = [list(row) for row in raw.rows]
        for column in GENERATED[table][1]:
            checked, judged = verdicts[table, column]
            i = checked.header.index(column)
            accepted = [row[i] for row, (_, ok) in zip(checked.rows[-len(judged):], judged) if ok]
            for n, value in enumerate(_extremes(accepted, column, resource(table).field(column).type)):
                if column in resource(table).primary_key:  # a row of its own, so no two rows share a key
                    row = list(rows[n % len(rows)])
                    row[i] = value
                    rows.append(row)
                else:
                    rows[n % len(rows)][i] = value
        path.write_bytes(to_csv_bytes(raw.header, rows))


def test_every_page_freshness_and_the_briefing_run_on_the_extremes_of_what_validates(verdicts, data_copy,
                                                                                    monkeypatch, tmp_path):
    _write_extremes(data_copy, verdicts)
    report = validate_package(data_copy)
    assert report.valid, [p.describe() for p in report.errors[:5]]
    data = load_dataset(data_copy)
    assert data.valid and not data.problems, [p.describe() for p in data.problems[:5]]
    monkeypatch.setenv("OMIK_DATA_DIR", str(data_copy))
    for page in PAGES:
        at = run_page(page, opened=True)  # fails on any exception in the page
        assert not at.warning, (page, [w.value for w in at.warning])
        assert not at.error, (page, [e.value for e in at.error])
    for lang in languages():
        assert main(["freshness", "--data", str(data_copy), "--lang", lang]) in (0, 1)  # 1: a table is overdue
    for region in (None, "prizren"):
        out = tmp_path / f"briefing-{region}.pdf"
        assert main(["briefing", "--data", str(data_copy), "--out", str(out),
                     *(["--region", region] if region else [])]) == 0
        assert out.read_bytes().startswith(b"%PDF")
