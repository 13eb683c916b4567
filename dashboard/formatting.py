"""Numbers, amounts, qualified figures and links as readers of each language expect them."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

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
