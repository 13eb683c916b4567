"""Reading a table file as staff save it: CSV in any of the usual encodings and
delimiters, or XLSX. Produces rows of text; typing and checking is ``validation``'s job.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from .problems import FileProblem, Problem

MAX_FILE_BYTES = 5 * 1024 * 1024  # far above any real table here; keeps the server safe
XLSX_MAGIC = b"PK\x03\x04"
# Telling Windows-1250 from -1252: Albanian (ë, ç) reads the same in both, and
# Windows' own code page for Albanian and Serbian Latin is 1250. Serbian č, ć, đ
# read as è, æ, ð in 1252; Western é, è, û read in 1250 as é, č, ű, which no
# Albanian or Serbian text contains.
_SERBIAN = set("čćđČĆĐ")
_SERBIAN_MISREAD = set("æðÆÐ")  # ć, đ read as 1252 (è is left out: it is French too)
_CENTRAL_EUROPEAN_ONLY = set("ŕűőńĺľťřůśźăţşŔŰŐŃĹĽŤŘŮŚŹĂŢŞ")


@dataclass(frozen=True)
class RawTable:
    """A table's cells as text.

    ``rows[i]`` sits at spreadsheet row ``row_numbers[i]`` (header = row 1); blank
    rows are dropped but keep the numbering of the rows after them.
    """

    filename: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    encoding: str | None = None  # None for XLSX
    delimiter: str | None = None  # None for XLSX


def read_table(source: Path | bytes, filename: str | None = None) -> RawTable:
    """Read a CSV or XLSX file into a ``RawTable``.

    ``source`` is a path or the file's bytes (an upload); ``filename`` names it in
    messages (defaults to the path's name). Raises ``FileProblem`` when the file is
    empty, too large, binary, or not a table.
    """
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), filename or "upload"
    else:
        path = Path(source)
        name = filename or path.name
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileProblem(_too_large(name, size))
        data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(_too_large(name, len(data)))
    if not data.strip():
        raise FileProblem(Problem(name, "empty-file"))
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, name)
    if b"\x00" in data[:8192]:
        raise FileProblem(Problem(name, "binary-file"))
    return _read_csv(data, name)


def _too_large(name: str, size: int) -> Problem:
    return Problem(name, "too-large", params={
        "size_mb": f"{size / 1024 / 1024:.1f}", "limit_mb": f"{MAX_FILE_BYTES / 1024 / 1024:.0f}"})


def decode(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes, returning ``(text, encoding)``.

    UTF-8 (with or without BOM) first; otherwise Windows-1250 or -1252, whichever
    reads more like Albanian, Serbian or English (see the letter sets above); a tie
    goes to 1250, Windows' code page for both languages.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    as_1250 = data.decode("cp1250", errors="replace")
    as_1252 = data.decode("cp1252", errors="replace")
    score_1250 = 2 * _count(as_1250, _SERBIAN) - 3 * _count(as_1250, _CENTRAL_EUROPEAN_ONLY)
    score_1252 = -2 * _count(as_1252, _SERBIAN_MISREAD)
    return (as_1250, "cp1250") if score_1250 >= score_1252 else (as_1252, "cp1252")


def _count(text: str, letters: set[str]) -> int:
    return sum(ch in letters for ch in text)


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: whichever splits the header line into the most columns
    (Excel in much of Europe saves CSV with ``;``)."""
    first_line = text.lstrip().split("\n", 1)[0]
    counts = {d: _split_count(first_line, d) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def _split_count(line: str, delimiter: str) -> int:
    return len(next(csv.reader([line], delimiter=delimiter), []))


def _read_csv(data: bytes, name: str) -> RawTable:
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise FileProblem(Problem(name, "not-a-table", params={"detail": str(exc)})) from None
    return _to_table(records, name, encoding, delimiter)


def _read_xlsx(data: bytes, name: str) -> RawTable:
    # Imported here: openpyxl is only needed for the rare XLSX upload.
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula is read as its text (=SUM(...)), never its result.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a damaged or non-XLSX zip
        raise FileProblem(Problem(name, "bad-xlsx")) from None
    try:
        sheet = book.worksheets[0]
        records = [[_xlsx_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _to_table(records, name, None, None)


def _xlsx_cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _to_table(records: list[list[str]], name: str, encoding: str | None, delimiter: str | None) -> RawTable:
    numbered = [(i + 1, [c.strip() for c in rec]) for i, rec in enumerate(records)]
    numbered = [(n, cells) for n, cells in numbered if any(cells)]
    if not numbered:
        raise FileProblem(Problem(name, "empty-file"))
    (_, header), body = numbered[0], numbered[1:]
    return RawTable(
        filename=name,
        header=header,
        rows=[cells for _, cells in body],
        row_numbers=[n for n, _ in body],
        encoding=encoding,
        delimiter=delimiter,
    )
