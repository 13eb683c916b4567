"""Reading a table file as staff save it: CSV in any of the usual encodings and
delimiters, or XLSX. Produces ``FileRows`` (the cells as text); typing and checking is
``validation``'s job.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import stat
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .i18n import Msg
from .problems import FileProblem, Problem

MAX_FILE_BYTES = 5 * 1024 * 1024  # far above any real table here; keeps the server safe
# An XLSX is a zip: 5 MB of it can unpack to gigabytes. A workbook of any of these
# tables unpacks to well under 1 MB, in about a dozen parts.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_XLSX_PARTS = 1000
MAX_XLSX_RATIO = 100  # checked for parts over 1 MB unpacked; a zip bomb packs ~1000 times
EXCEL_MAX_ROWS = 1_048_576  # a sheet cannot have more
# The widest table has 15 columns. Empty cells past this are ignored (Excel pads rows
# it has formatted); a row with text past it is refused. A sheet is read one column further.
MAX_COLUMNS = 200
XLSX_MAGIC = b"PK\x03\x04"
# Control characters (C0 other than tab, LF, CR; and DEL) never belong in a table.
# When they are more than this share of a file, it is binary (a picture, PDF, Word
# file); fewer are stray characters in cells, which the validator locates.
CONTROL_BYTES = bytes([*range(0, 9), 11, 12, *range(14, 32), 127])
BINARY_SHARE = 0.05
# Telling Windows-1250 from -1252: Albanian (ë, ç) reads the same in both, and
# Windows' own code page for Albanian and Serbian Latin is 1250. Serbian č, ć, đ
# read as è, æ, ð in 1252; Western é, è, û read in 1250 as é, č, ű, which no
# Albanian or Serbian text contains.
_SERBIAN = set("čćđČĆĐ")
_SERBIAN_MISREAD = set("æðÆÐ")  # ć, đ read as 1252 (è is left out: it is French too)
_CENTRAL_EUROPEAN_ONLY = set("ŕűőńĺľťřůśźăţşŔŰŐŃĹĽŤŘŮŚŹĂŢŞ")


@dataclass(frozen=True)
class FileRows:
    """A table file's cells as text, as the file has them: its own header and column
    order, nothing checked yet (``validation`` turns them into ``ResourceRows``).

    ``rows[i]`` sits at spreadsheet row ``row_numbers[i]`` (header = row 1); blank
    rows are dropped but keep the numbering of the rows after them.
    """

    filename: str
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    encoding: str | None = None  # None for XLSX
    delimiter: str | None = None  # None for XLSX


def read_table(source: Path | bytes, filename: str | None = None, max_rows: int | None = None) -> FileRows:
    """Read a CSV or XLSX file into ``FileRows``.

    ``source`` is a path or the file's bytes (an upload); ``filename`` names it in
    messages (defaults to the path's name). ``max_rows`` is the most rows of data
    the table accepts (``schema.Resource.max_rows``): reading stops at the first row
    past it. Raises ``FileProblem`` when the file is not a regular file, empty, too
    large, binary, damaged, over ``max_rows`` or not a table.
    """
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), filename or "upload"
    else:
        data, name = _read_file(Path(source), filename)
    if len(data) > MAX_FILE_BYTES:
        raise FileProblem(too_large(name, len(data)))
    if not data.strip():
        raise FileProblem(Problem(name, "empty-file"))
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data, name, max_rows)
    if len(data) - len(data.translate(None, CONTROL_BYTES)) > BINARY_SHARE * len(data):
        raise FileProblem(Problem(name, "binary-file"))
    return _read_csv(data, name, max_rows)


def _read_file(path: Path, filename: str | None) -> tuple[bytes, str]:
    name = filename or path.name
    # Checked before opening: opening a FIFO waits for a writer, and opening some
    # devices acts on them. O_NONBLOCK and the second check cover a swap in between.
    if not stat.S_ISREG(path.stat().st_mode):
        raise FileProblem(Problem(name, "not-a-file"))
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem(Problem(name, "not-a-file"))
        if info.st_size > MAX_FILE_BYTES:
            raise FileProblem(too_large(name, info.st_size))
        return handle.read(MAX_FILE_BYTES + 1), name


def too_large(name: str, size: int, code: str = "too-large") -> Problem:
    """The problem of a table of ``size`` bytes, over ``MAX_FILE_BYTES``."""
    return Problem(name, code, params={
        "size_mb": f"{size / 1024 / 1024:.1f}", "limit_mb": f"{MAX_FILE_BYTES / 1024 / 1024:.0f}"})


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def to_csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """The stored form of a table: UTF-8 without BOM, comma-separated, LF line ends
    (``read_table`` reads it back as it was)."""
    return _csv_text(header, rows).encode("utf-8")


def oversize(header: list[str], rows: list[list[str]]) -> int | None:
    """The size of ``to_csv_bytes(header, rows)`` when it is over ``MAX_FILE_BYTES``,
    else ``None``. Not built when it cannot be (at most 4 bytes a character, doubled
    by quoting, 3 more a cell): the check runs on every save."""
    cells = [header, *rows]
    if sum(8 * len(cell) + 3 for row in cells for cell in row) + len(cells) <= MAX_FILE_BYTES:
        return None
    size = len(_csv_text(header, rows).encode("utf-8", "surrogatepass"))  # a lone surrogate is refused apart
    return size if size > MAX_FILE_BYTES else None


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


def _read_csv(data: bytes, name: str, max_rows: int | None) -> FileRows:
    text, encoding = decode(data)
    delimiter = sniff_delimiter(text)
    try:
        return _to_table(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter),
                         name, encoding, delimiter, max_rows)
    except csv.Error as exc:
        raise FileProblem(Problem(name, "not-a-table", params={"detail": str(exc)})) from None


def _read_xlsx(data: bytes, name: str, max_rows: int | None) -> FileRows:
    _check_xlsx_archive(data, name)
    # Imported here: openpyxl is only needed for the rare XLSX upload. It parses with
    # defusedxml (a pinned requirement) when installed, which refuses XML entities.
    from openpyxl import load_workbook

    bad = FileProblem(Problem(name, "bad-xlsx"))
    try:
        # data_only=False: a formula is read as its text (=SUM(...)), never its result.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many types for a damaged or non-XLSX zip
        raise bad from None
    try:
        if not book.worksheets:
            raise FileProblem(Problem(name, "xlsx-no-sheet"))
        return _to_table(_xlsx_records(book.worksheets[0], name), name, None, None, max_rows)
    except FileProblem:
        raise
    except Exception:  # damage inside a sheet shows only while its rows are read
        raise bad from None
    finally:
        book.close()


def _check_xlsx_archive(data: bytes, name: str) -> None:
    """Refuse a workbook that would unpack to too much, from the zip's directory
    alone (``zipfile`` then never reads a part past its declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise FileProblem(Problem(name, "bad-xlsx")) from None
    if len(parts) > MAX_XLSX_PARTS:
        raise FileProblem(Problem(name, "xlsx-unusual", params={
            "detail": Msg("xlsx.too_many_parts", count=len(parts), limit=MAX_XLSX_PARTS)}))
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise FileProblem(Problem(name, "xlsx-too-large", params={
            "size_mb": f"{unpacked / 1024 / 1024:.0f}", "limit_mb": f"{MAX_XLSX_UNPACKED_BYTES / 1024 / 1024:.0f}"}))
    for part in parts:
        if part.file_size > 1024 * 1024 and part.file_size > MAX_XLSX_RATIO * part.compress_size:
            raise FileProblem(Problem(name, "xlsx-unusual", params={
                "detail": Msg("xlsx.packed_too_tightly", part=part.filename,
                              ratio=part.file_size // max(part.compress_size, 1), limit=MAX_XLSX_RATIO)}))


def _xlsx_records(sheet, name: str) -> Iterator[list[str]]:
    # Bounded before openpyxl builds a row: it pads every row to the width the sheet
    # declares, and fills a gap up to any row number the file claims.
    rows = sheet.iter_rows(max_row=EXCEL_MAX_ROWS + 1, max_col=MAX_COLUMNS + 1, values_only=True)
    for number, values in enumerate(rows, start=1):
        if number > EXCEL_MAX_ROWS:  # no spreadsheet program writes such a sheet
            raise FileProblem(Problem(name, "bad-xlsx"))
        yield _xlsx_record(values)


def _xlsx_record(values: tuple) -> list[str]:
    if values.count(None) == len(values):  # cheap: a sheet may have a million blank rows
        return []
    end = len(values)
    while values[end - 1] is None:
        end -= 1
    return [_xlsx_cell_text(v) for v in values[:end]]


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


def cell_text(cell: str) -> str:
    """A cell as the app reads it: stripped of spaces at either end, and empty when
    all it holds is characters that show nothing (a zero-width space or joiner, a
    word joiner, a direction mark: Unicode's format characters). Such a cell,
    pasted from a web page or a word processor, looks empty on every page: a
    required label must not pass for filled with it."""
    cell = cell.strip()
    if cell and all(unicodedata.category(c) == "Cf" or c.isspace() for c in cell):
        return ""
    return cell


def _to_table(records: Iterable[list[str]], name: str, encoding: str | None, delimiter: str | None,
              max_rows: int | None) -> FileRows:
    """The header and rows of ``records``, numbered as a spreadsheet numbers them;
    stops at the first row past ``max_rows`` or wider than ``MAX_COLUMNS``."""
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    for number, record in enumerate(records, start=1):
        if len(record) > MAX_COLUMNS:
            if any(cell.strip() for cell in record[MAX_COLUMNS:]):
                raise FileProblem(Problem(name, "too-many-columns", row=number, params={"limit": MAX_COLUMNS}))
            record = record[:MAX_COLUMNS]
        cells = [cell_text(c) for c in record]
        if not any(cells):
            continue
        if header is None:
            header = cells
            continue
        if max_rows is not None and len(rows) == max_rows:
            raise FileProblem(Problem(name, "too-many-rows", params={
                "count": Msg("count.more_than", count=max_rows), "limit": max_rows}))
        rows.append(cells)
        numbers.append(number)
    if header is None:
        raise FileProblem(Problem(name, "empty-file"))
    return FileRows(filename=name, header=header, rows=rows, row_numbers=numbers,
                    encoding=encoding, delimiter=delimiter)
