"""Numbers, amounts, qualified figures and links as readers of each language expect them."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pandas as pd
from babel import Locale
from babel.numbers import format_currency, format_decimal

from .i18n import t

# English readers here are European: day-month dates and the euro sign (en_GB).
_LOCALES = {"en": "en_GB", "sq": "sq_AL", "sr": "sr_Latn_RS"}


def babel_locale(lang: str) -> str:
    """The Babel locale for an interface language."""
    return _LOCALES.get(lang, _LOCALES["en"])


def format_number(value: float, lang: str = "en") -> str:
    """``17510500`` → ``17,510,500`` (en), ``17 510 500`` (sq), ``17.510.500`` (sr)."""
    return format_decimal(value, locale=babel_locale(lang))


def format_exact(value: float, lang: str = "en") -> str:
    """A number with every digit it has and no more, grouped as the language groups
    them: ``17462600.0`` → ``17,462,600`` (en), ``42.6629`` → ``42,6629`` (sq, sr).
    For tables of data, where rounding to the three decimals of ``format_number``
    would change a coordinate; values read from a file have their shortest form
    (``53.9``), so nothing like ``53.900000001`` appears."""
    return format_decimal(value, locale=babel_locale(lang), decimal_quantization=False)


# The package's integer fields that hold calendar years (the descriptor says "The
# year ..."; tests/test_figures.py checks it against this list): shown as written,
# 2019 and not 2,019.
YEAR_COLUMNS = frozenset({"year", "term_start", "term_end"})


def figures_as_text(frame: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A copy of ``frame`` to read on screen: each number as the language writes it
    (``format_exact``), each year column (``YEAR_COLUMNS``) as plain digits, missing
    numbers empty; text, dates and true/false left as they are. The frame itself
    (and the CSV made of it) keeps the exact values."""
    out = frame.copy(deep=False)
    for i, (name, dtype) in enumerate(frame.dtypes.items()):
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            continue
        column = frame.iloc[:, i]
        if name in YEAR_COLUMNS:
            texts = ["" if pd.isna(v) else str(int(v)) for v in column]
        else:
            texts = ["" if pd.isna(v) else format_exact(v, lang) for v in column]
        out.isetitem(i, pd.Series(texts, index=column.index, dtype=object))
    return out


def format_money(amount: float, currency: str, lang: str = "en") -> str:
    """An amount with its currency, without decimals when whole:
    ``€17,510,500`` (en), ``17 510 500 €`` (sq), ``17.510.500 €`` (sr)."""
    locale = Locale.parse(babel_locale(lang))
    pattern = locale.currency_formats["standard"].pattern.split(";")[0]
    if float(amount).is_integer():
        pattern = pattern.replace(".00", "")
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)


def qualify(text: str, qualifier: str, lang: str = "en") -> str:
    """Puts the source's own hedge on a figure: ``over 280``, ``about 25,735``."""
    if qualifier == "exact":
        return text
    return t(f"qualifier.{qualifier}", lang, value=text)


_WEB_URL = re.compile(r"https?://[^\s\x00-\x1f\x7f]+", re.IGNORECASE)


def web_url(value: object) -> str | None:
    """``value`` when it is a web address a reader may follow (``http:`` or
    ``https:`` with a host), else ``None``: a data file's ``javascript:`` or
    ``data:`` address is never offered as a link."""
    if not isinstance(value, str) or not _WEB_URL.fullmatch(value):
        return None
    try:
        return value if urlsplit(value).hostname else None
    except ValueError:  # e.g. an unclosed [ in the host
        return None
