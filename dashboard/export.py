"""Files people download: safe to open in Excel, and the whole data package.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or tab, CR, NUL) is a formula to
Excel, LibreOffice and Sheets; OWASP's advice is to prefix it with a single quote.
Only text cells are touched: a negative number stays a number. Their
bidirectional controls are balanced (``i18n.balance_bidi``): in a text editor a CSV
line is one paragraph, and an override left open in one cell would reverse the
cells after it.
"""
from __future__ import annotations

import io
import zipfile

import pandas as pd

from .i18n import balance_bidi

# What makes a spreadsheet read a cell as a formula when it starts the cell: OWASP's
# CSV-injection list (= + - @, tab, carriage return) and ASVS 1.2.10's NUL. The one
# list: validation warns about the same text that downloads neutralise.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise(value: object) -> object:
    """``'=1+1'`` → ``"'=1+1"``; anything that is not text is returned as is."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def sanitize_for_spreadsheet(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as formulas, nor reorder
    the cells beside them."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: neutralise(balance_bidi(v) if isinstance(v, str) else v))
    return out


def csv_for_excel(frame: pd.DataFrame) -> bytes:
    """CSV bytes for people: UTF-8 with a BOM (so Excel shows ë, č, ć correctly)
    and formula-like text neutralised."""
    return sanitize_for_spreadsheet(frame).to_csv(index=False).encode("utf-8-sig")


def package_zip(files: dict[str, bytes]) -> bytes:
    """The data package as published (``Store.package_files``: ``datapackage.json``
    and every table as stored, plain UTF-8, machine-readable), in one zip.
    Deliberately not made formula-safe: a quote before "=" would change the data for
    every program that reads it. The Sources page says so at the download, and
    points to the per-table CSVs for spreadsheets."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
