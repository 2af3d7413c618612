"""USSD answers (27.007 §7.15 ``+CUSD: <m>[,<str>,<dcs>]``): parse the line, decode the text.

Operators answer balance queries in GSM-7 (``<dcs>`` 15, shown as text) or in
UCS2 (``<dcs>`` 72, shown as hex of UTF-16), and both are seen in Iran. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from modem.errors import UssdFailed

_CUSD = re.compile(r'^\+CUSD:\s*(\d+)\s*(?:,\s*"(.*)"\s*(?:,\s*(\d+))?)?\s*$', re.S)
_HEX = re.compile(r"^(?:[0-9A-Fa-f]{4})+$")
# <m>: 0 no further action, 1 further action required (a menu), 2 terminated by the network,
# 3 other client responded, 4 not supported, 5 timed out.
STATUS = {0: "done", 1: "menu", 2: "terminated", 3: "other client", 4: "not supported", 5: "timed out"}


@dataclass(frozen=True)
class UssdReply:
    status: int
    text: str
    dcs: int | None


def _is_ucs2(dcs: int | None) -> bool:
    """The CBS data coding scheme (23.038 §5) of a USSD string says UCS2 (72 = 0x48 is the common one)."""
    if dcs is None:
        return False
    if dcs >> 6 == 0x1:  # 01xx: general data coding, bits 3..2 the alphabet
        return (dcs >> 2) & 0x3 == 2
    return dcs == 0x11  # 0001 0001: UCS2 preceded by a language indication


def parse_cusd(line: str) -> UssdReply:
    """``+CUSD: 0,"...",72`` -> the reply with its text decoded; UssdFailed for an answer with no text."""
    match = _CUSD.match(line.strip())
    if not match:
        raise UssdFailed(f"not a USSD answer: {line!r}")
    status = int(match.group(1))
    raw = match.group(2)
    dcs = int(match.group(3)) if match.group(3) else None
    if raw is None or raw == "":
        raise UssdFailed(f"USSD {STATUS.get(status, status)} without text ({line.strip()!r})")
    text = raw
    if _is_ucs2(dcs) and _HEX.match(raw):
        text = bytes.fromhex(raw).decode("utf-16-be", errors="replace")
    return UssdReply(status=status, text=text, dcs=dcs)


def encode_code(code: str) -> str:
    """A USSD code as sent: ``*140#`` style, digits, ``*`` and ``#`` only; ValueError otherwise."""
    cleaned = code.strip()
    if not re.fullmatch(r"[0-9*#]{2,40}", cleaned):
        raise ValueError(f"USSD code {code!r}: use digits, * and # (e.g. *140#)")
    return cleaned
