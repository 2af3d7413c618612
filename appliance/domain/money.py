"""Numbers as people and banks write them: digits of every script, separators, Rial and Toman.

Money is an ``int`` of Rial everywhere; Toman is shown to people only as a
convenience. Nothing here ever produces a float.
"""

from __future__ import annotations

import re

# Persian (U+06F0..9) and Arabic-Indic (U+0660..9) digits to ASCII.
DIGITS_TO_ASCII = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
# Thousands separators a person or a bank may put inside a number: Latin comma,
# Arabic thousands separator, Arabic comma, apostrophe, narrow/no-break spaces, underscore.
_SEPARATORS = ",٬،'\u066c\u202f\u00a0\u2009_ "
# Marks that are invisible but break naive parsing: bidi controls, ZWNJ/ZWJ, BOM, kashida.
_INVISIBLE = dict.fromkeys(
    map(ord, "\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u0640")
)
_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


def ascii_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII, invisible marks removed; nothing else changes."""
    return text.translate(DIGITS_TO_ASCII).translate(_INVISIBLE)


def parse_whole_number(value: object) -> int:
    """Read a whole number sent as an int or as text in any digit script, with separators.

    ``"۱۲٬۰۰۰"``, ``"12,000"``, ``" 12000 "`` and ``12000`` give 12000. Raises
    :class:`ValueError` for anything else: fractions, floats, booleans, empty text.
    A float is refused even when whole, because money never travels as one.
    """
    if isinstance(value, bool) or value is None:
        raise ValueError(f"not a whole number: {value!r}")
    if isinstance(value, int):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a whole number: {value!r}")
    if value.isascii() and value.isdigit():  # the usual "12000": nothing to translate or strip
        return int(value)
    text = ascii_digits(value).strip()
    for sep in _SEPARATORS:
        text = text.replace(sep, "")
    if not _WHOLE_NUMBER.fullmatch(text):
        raise ValueError(f"not a whole number: {value!r}")
    return int(text)


def format_rial(amount: int, persian: bool = False) -> str:
    """``1234500`` -> ``"1,234,500"`` (or ``"۱٬۲۳۴٬۵۰۰"`` with Persian digits)."""
    text = f"{amount:,}"
    return to_persian_digits(text.replace(",", "٬")) if persian else text


def rial_to_toman_text(amount: int) -> str:
    """Toman for people: ``123450`` Rial -> ``"12,345"``; a remainder is shown as a decimal fraction."""
    toman, rest = divmod(amount, 10)
    return f"{toman:,}" + (f".{rest}" if rest else "")


def to_persian_digits(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
