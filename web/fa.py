"""Persian presentation: digits, separators, Rial and Toman, card numbers in groups."""

from __future__ import annotations

_FA_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
FA_THOUSANDS = "٬"  # U+066C ARABIC THOUSANDS SEPARATOR, what Persian typesetting uses
FA_DECIMAL = "٫"


def fa_digits(value: object) -> str:
    return str(value).translate(_FA_DIGITS)


def grouped(amount: int) -> str:
    """Latin digits with comma separators: 1,200,010."""
    return f"{amount:,}"


def fa_grouped(amount: int) -> str:
    """Persian digits with the Persian thousands separator: ۱٬۲۰۰٬۰۱۰."""
    return fa_digits(f"{amount:,}".replace(",", FA_THOUSANDS))


def fa_toman(rial: int) -> str:
    """Rial as Toman (one Toman is ten Rial), keeping a tenth when the amount is not a whole Toman."""
    whole, tenth = divmod(rial, 10)
    text = fa_grouped(whole)
    return f"{text}{FA_DECIMAL}{fa_digits(tenth)}" if tenth else text


def card_groups(number: str) -> str:
    """6104337890123456 -> 6104 3378 9012 3456 (the way it is printed on the card)."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


def fa_clock(seconds: int) -> str:
    """A countdown as mm:ss (or h:mm:ss), in Persian digits."""
    seconds = max(0, seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
    return fa_digits(text)
