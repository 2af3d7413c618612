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
from functools import lru_cache

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
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "  " in text:
        text = _SPACES.sub(" ", text)  # a run of spaces never spans a line break: one pass for every line
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def normalize_text(text: str) -> str:
    """The one form every dialect pattern is written against.

    ASCII digits, Persian ی/ک, no invisible marks or kashida, ``\\n`` line
    breaks, single spaces, no leading/trailing spaces on a line, no empty
    lines, and no separators inside correctly grouped numbers.
    """
    text = normalize_layout(text)
    if _SEPARATOR.search(text) is None:
        return text
    return _GROUPED.sub(lambda m: _SEPARATOR.sub("", m.group(0)), text)


@lru_cache(maxsize=4096)
def normalize_word(text: str) -> str:
    """A label compared without its spaces: «خرید اینترنتی» is «خریداینترنتی»."""
    return normalize_text(text).replace(" ", "").replace("\n", "")


# --- Tolerances: other spellings of the same layout, tried only when the
# message as it came matches no layout. Each one only removes or reorders
# text that carries no figure a layout reads as money; the layout must still
# match the whole remaining message.

# A balance written after its label's number, as some phones lay out an RTL
# line when it is copied: «64220175:مانده» for «مانده:64220175». Only balance
# labels are turned back, so a number moved this way can only become a
# balance, never the amount.
_BALANCE_LABELS = "مانده حساب|موجودی حساب|مانده|موجودی"
_NUMBER_THEN_BALANCE_LABEL = re.compile(rf"^(\d+):({_BALANCE_LABELS})(?=ریال|\s|$)(.*)$", re.MULTILINE)
# How the label and its number were joined before: «مانده:N», «مانده: N», «مانده N», «ماندهN».
_LABEL_JOINS = (":", ": ", " ", "")

# Advert and app-promotion lines a bank or a phone adds before or after the
# layout («همراه بانک را نصب کنید», a link). A line counts only when it has a
# phrase of this lexicon, no digit, no «label:» and no word of a movement.
ADVERT_PHRASE = _ADVERT_PHRASE = re.compile(
    # A domain is looked for from the start of its word only: a run of digits is not tried at each of its places.
    r"همراه ?بانک|نصب ?کنید|اپلیکیشن|اپلیکیشن|دانلود|(?i:https?://|www\.|(?<![a-z0-9-])[a-z0-9-]+\.(?:ir|com)\b)"
)
_URL = re.compile(r"(?i:https?://\S+)")
_DIGIT_OR_LABEL = re.compile(r"\d|:")
_MOVEMENT_WORD = re.compile(r"واریز|برداشت|انتقال|مانده|موجودی|مبلغ|ریال|حساب|کارت|خرید|پرداخت|سود|برگشت|[+-]")


def is_advert_line(line: str) -> bool:
    """A line of the advert lexicon that carries no figure and no label (normalised text)."""
    if not _ADVERT_PHRASE.search(line):
        return False
    bare = _URL.sub("", line)
    return not _DIGIT_OR_LABEL.search(bare) and not _MOVEMENT_WORD.search(bare)


def strip_advert_lines(text: str) -> str:
    """Normalised text without the advert lines at its start and its end (never those in the middle)."""
    lines = text.split("\n")
    while lines and is_advert_line(lines[-1]):
        lines.pop()
    while lines and is_advert_line(lines[0]):
        lines.pop(0)
    return "\n".join(lines)


def balance_label_first(text: str) -> list[str]:
    """``N:مانده`` lines put back as ``مانده:N`` (one text per way of joining them); ``[]`` when there are none."""
    if not _NUMBER_THEN_BALANCE_LABEL.search(text):
        return []

    def put_back(join: str) -> str:
        return _NUMBER_THEN_BALANCE_LABEL.sub(lambda m: f"{m.group(2)}{join}{m.group(1)}{m.group(3)}", text)

    return [put_back(join) for join in _LABEL_JOINS]


def tolerant_variants(text: str) -> list[str]:
    """Other readings of a normalised message to try when it matches no layout as it is."""
    variants: list[str] = []
    stripped = strip_advert_lines(text)
    for base in dict.fromkeys([text, stripped]):
        if base != text and base:
            variants.append(base)
        variants += balance_label_first(base)
    return [v for v in dict.fromkeys(variants) if v != text]
