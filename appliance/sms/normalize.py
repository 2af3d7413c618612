"""Normalisation of SMS text before any pattern sees it (DESIGN: Money and numbers).

Banks and phones send the same message in many spellings: Persian (۰-۹) or
Arabic-Indic (٠-٩) digits, Arabic ي/ك instead of Persian ی/ک, ZWNJ, bidi
marks, kashida, CRLF, doubled or trailing spaces, several thousands
separators. :func:`normalize_text` maps all of them to one form so that a
dialect is written once. It never changes what a number means: separators are
removed only from a correctly grouped number (``12,750,000``); a badly grouped
one (``12,75,000``) keeps its separators so that no pattern reads it as money.
"""

from __future__ import annotations

import re
import unicodedata

from appliance.domain.money import DIGITS_TO_ASCII as _DIGITS  # one digit table for the whole product

_LETTERS = {ord("ي"): "ی", ord("ى"): "ی", ord("ك"): "ک"}

# Marks with no meaning for reading a message: ZWNJ/ZWJ, bidi marks and
# embeddings/isolates, the Arabic letter mark, BOM, kashida, and harakat.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff\u0640"
_HARAKAT = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670"
_DROP = {ord(c): None for c in _INVISIBLE + _HARAKAT}

# Dashes a phone or a bank may print for a minus sign.
_MINUS = {ord(c): "-" for c in "\u2212\u2010\u2011\u2012\u2013\ufe63"}

_TEXT_TABLE = {**_DIGITS, **_LETTERS, **_DROP, **_MINUS, ord("\t"): " ", ord("\u2028"): "\n", ord("\u2029"): "\n"}

# Thousands separators: comma, Arabic thousands separator, Arabic comma, and
# the Arabic decimal separator that Persian keyboards often put in its place
# (Rial amounts have no decimals).
THOUSANDS_SEPARATORS = ",\u066c\u060c\u066b"
_SEP = f"[{THOUSANDS_SEPARATORS}]"
# A whole number grouped by threes: not glued to another digit or group on either side.
_GROUPED = re.compile(rf"(?<!\d)(?<!\d{_SEP})\d{{1,3}}(?:{_SEP}\d{{3}})+(?!{_SEP}?\d)")
_SEPARATOR = re.compile(_SEP)
_SPACES = re.compile(r" {2,}")


def normalize_digits(text: str) -> str:
    """Persian and Arabic-Indic digits to ASCII; nothing else changes."""
    return text.translate(_DIGITS)


def normalize_layout(text: str) -> str:
    """Letters, digits, marks and spacing normalised; numbers keep their separators.

    This is what a template's pattern goes through, so that a pattern and the
    text it reads are spelled alike (a regex such as ``\\d{100,200}`` must keep
    its comma).
    """
    text = unicodedata.normalize("NFKC", text).translate(_TEXT_TABLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def normalize_text(text: str) -> str:
    """The one form every dialect pattern is written against.

    ASCII digits, Persian ی/ک, no invisible marks or kashida, ``\\n`` line
    breaks, single spaces, no leading/trailing spaces on a line, no empty
    lines, and no separators inside correctly grouped numbers.
    """
    return _GROUPED.sub(lambda m: _SEPARATOR.sub("", m.group(0)), normalize_layout(text))


def normalize_word(text: str) -> str:
    """A label compared without its spaces: «خرید اینترنتی» is «خریداینترنتی»."""
    return normalize_text(text).replace(" ", "").replace("\n", "")
