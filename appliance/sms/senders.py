"""Sender allow-lists: which bank a sender is, and whether it is one at all.

A phone shows the same sender in several spellings (``+98700717``,
``0098700717``, ``Bank Mellat``/``BankMellat``); :func:`canonical_sender` folds
those, and only those: a different name stays different (DESIGN: Trusting an SMS).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

from appliance.sms.errors import TemplateError
from appliance.sms.normalize import normalize_digits

_SPACES_AND_MARKS = re.compile(r"[\s\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+")


@lru_cache(maxsize=1024)  # a box hears from a few dozen senders: each is folded once
def canonical_sender(sender: str) -> str:
    """Case, spaces and the Iranian country prefix (+98, 0098, a leading 0) folded away."""
    text = _SPACES_AND_MARKS.sub("", normalize_digits(unicodedata.normalize("NFKC", sender))).casefold()
    if text.startswith("+98"):
        return text[3:]
    if text.startswith("0098"):
        return text[4:]
    # A mobile number written nationally (09123456789) is the same as +989123456789.
    if text.startswith("0") and text.isdigit() and len(text) >= 10:
        return text[1:]
    return text


class SenderDirectory:
    """Canonical sender -> bank, built from each dialect's shipped senders plus the settings'."""

    def __init__(self, shipped: Mapping[str, Iterable[str]], extra: Mapping[str, Iterable[str]] = {}) -> None:
        self._bank_of: dict[str, str] = {}
        for source, lists in (("shipped senders", shipped), ("[sms.senders]", extra)):
            for bank, senders in lists.items():
                if bank not in shipped:
                    raise TemplateError(f"unknown bank {bank!r} (known: {', '.join(sorted(shipped))})", source)
                for sender in senders:
                    self._add(bank, sender, source)

    def _add(self, bank: str, sender: str, source: str) -> None:
        key = canonical_sender(sender)
        if not key:
            raise TemplateError(f"empty sender for bank {bank!r}", source)
        other = self._bank_of.setdefault(key, bank)
        if other != bank:
            raise TemplateError(f"sender {sender!r} is listed for both {other!r} and {bank!r}", source)

    def bank_of(self, sender: str | None) -> str | None:
        """The bank whose allow-list holds ``sender``, or ``None``."""
        return self._bank_of.get(canonical_sender(sender)) if sender else None
