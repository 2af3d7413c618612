"""Encode SMS-DELIVER PDUs (3GPP TS 23.040 §9.2.2.1), as a network would hand them to a modem.

The box receives deposits as SMS-DELIVER (what it sends is in :mod:`modem.pdu_submit`); this
encoder exists so that the modem simulator and the tests can produce byte-exact PDUs: GSM-7 (with the extension
table) or UCS2 text, numeric or alphanumeric senders, the SMSC address, the
SCTS with its time zone, and concatenated parts with 8- or 16-bit references.

Everything here is pure: no clock, no I/O. Hex is upper case, as modems print it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# GSM 03.38 default alphabet; the index of a character is its septet value.
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: these cost two septets (ESC + code).
GSM7_EXTENSION = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
_BASIC_INDEX = {ch: i for i, ch in enumerate(GSM7_BASIC) if ch != "\x1b"}
_ESC = 0x1B

# User-data capacity (23.040 §9.2.3.24): septets for GSM-7, UTF-16 code units for UCS2.
_GSM7_SINGLE = 160
_UCS2_SINGLE = 70
_UDH_OCTETS = {8: 6, 16: 7}  # UDHL + IE header + IE data for the concatenation IE (IEI 00 / 08)

TOA_INTERNATIONAL = 0x91
TOA_UNKNOWN = 0x81
TOA_ALPHANUMERIC = 0xD0


class EncodeError(ValueError):
    """The text, sender or options cannot be put into an SMS-DELIVER PDU."""


@dataclass(frozen=True)
class Segment:
    """One part's user data before framing: the raw payload and its length in UDL units."""

    payload: bytes | list[int]  # UCS2 bytes, or GSM-7 septet values
    units: int


def is_gsm7(text: str) -> bool:
    return all(ch in _BASIC_INDEX or ch in GSM7_EXTENSION for ch in text)


def gsm7_septets(text: str) -> list[list[int]]:
    """The septets of each character (one, or ESC + code for the extension table)."""
    out: list[list[int]] = []
    for ch in text:
        if ch in _BASIC_INDEX:
            out.append([_BASIC_INDEX[ch]])
        elif ch in GSM7_EXTENSION:
            out.append([_ESC, GSM7_EXTENSION[ch]])
        else:
            raise EncodeError(f"character {ch!r} is not in the GSM-7 alphabet")
    return out


def pack_septets(septets: list[int], fill_bits: int = 0) -> bytes:
    """Pack septets LSB first after ``fill_bits`` zero bits (the padding that aligns them after a UDH)."""
    acc = 0
    for i, septet in enumerate(septets):
        acc |= (septet & 0x7F) << (fill_bits + 7 * i)
    nbits = fill_bits + 7 * len(septets)
    return acc.to_bytes(math.ceil(nbits / 8), "little") if nbits else b""


def _swap_bcd(digits: str) -> bytes:
    if len(digits) % 2:
        digits += "F"
    return bytes(int(digits[i + 1] + digits[i], 16) for i in range(0, len(digits), 2))


def encode_smsc(smsc: str | None) -> bytes:
    """The SMSC field: length in octets (TOA + digits), TOA, swapped BCD. None or "" gives ``00``."""
    if not smsc:
        return b"\x00"
    international = smsc.startswith("+")
    digits = smsc.lstrip("+")
    if not digits.isdigit():
        raise EncodeError(f"SMSC address {smsc!r} must be digits")
    body = bytes([TOA_INTERNATIONAL if international else TOA_UNKNOWN]) + _swap_bcd(digits)
    return bytes([len(body)]) + body


def encode_originator(sender: str) -> bytes:
    """TP-OA: numeric (international with a leading +) or alphanumeric (GSM-7 packed, TOA D0)."""
    if not sender:
        raise EncodeError("the sender must not be empty")
    digits = sender[1:] if sender.startswith("+") else sender
    if digits.isdigit() and digits.isascii():
        toa = TOA_INTERNATIONAL if sender.startswith("+") else TOA_UNKNOWN
        return bytes([len(digits), toa]) + _swap_bcd(digits)
    septets = [s for char in gsm7_septets(sender) for s in char]
    if len(septets) > 11:
        raise EncodeError(f"an alphanumeric sender has at most 11 characters: {sender!r}")
    packed = pack_septets(septets)
    # The length counts useful semi-octets (23.040 §9.1.2.5), e.g. 10 chars -> 18.
    return bytes([math.ceil(7 * len(septets) / 4), TOA_ALPHANUMERIC]) + packed


def encode_scts(when: datetime) -> bytes:
    """TP-SCTS: local time fields and the offset in quarter hours, each as swapped BCD."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise EncodeError("the SCTS must be an aware datetime")
    offset = when.utcoffset() or timedelta(0)
    quarters = int(offset.total_seconds() // 900)
    if abs(quarters) > 79:
        raise EncodeError(f"time zone offset {offset} is out of range")
    fields = [when.year % 100, when.month, when.day, when.hour, when.minute, when.second]
    out = bytearray(_swap_bcd("".join(f"{v:02d}" for v in fields)))
    tz = _swap_bcd(f"{abs(quarters):02d}")[0]
    if quarters < 0:
        tz |= 0x08  # the sign is bit 3 once the semi-octets are swapped
    out.append(tz)
    return bytes(out)


def split_text(text: str, encoding: str, ref_bits: int = 8) -> list[Segment]:
    """Split text into the segments of one message, never cutting an escape or a surrogate pair."""
    if encoding == "gsm7":
        chars = gsm7_septets(text)
        total = sum(len(c) for c in chars)
        if total <= _GSM7_SINGLE:
            return [Segment([s for c in chars for s in c], total)]
        limit = (140 - _UDH_OCTETS[ref_bits]) * 8 // 7  # 153 or 152 septets
        groups = _greedy([len(c) for c in chars], limit)
        return [Segment([s for c in chars[a:b] for s in c], sum(len(c) for c in chars[a:b])) for a, b in groups]
    if encoding == "ucs2":
        units = [ch.encode("utf-16-be") for ch in text]  # 2 or 4 bytes per character
        total = sum(len(u) // 2 for u in units)
        if total <= _UCS2_SINGLE:
            return [Segment(b"".join(units), total)]
        limit = (140 - _UDH_OCTETS[ref_bits]) // 2  # 67 or 66 code units
        groups = _greedy([len(u) // 2 for u in units], limit)
        return [Segment(b"".join(units[a:b]), sum(len(u) // 2 for u in units[a:b])) for a, b in groups]
    raise EncodeError(f"unknown encoding {encoding!r} (gsm7 or ucs2)")


def _greedy(costs: list[int], limit: int) -> list[tuple[int, int]]:
    groups: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, cost in enumerate(costs):
        if used + cost > limit:
            groups.append((start, i))
            start, used = i, 0
        used += cost
    groups.append((start, len(costs)))
    return groups


def choose_encoding(text: str, encoding: str = "auto") -> str:
    if encoding == "auto":
        return "gsm7" if is_gsm7(text) else "ucs2"
    if encoding not in ("gsm7", "ucs2"):
        raise EncodeError(f"unknown encoding {encoding!r} (auto, gsm7 or ucs2)")
    return encoding


def concat_udh(ref: int, total: int, seq: int, ref_bits: int) -> bytes:
    """The UDH with one concatenation IE: ``05 00 03 RR TT SS`` or ``06 08 04 RRRR TT SS``."""
    if ref_bits == 8:
        return bytes([5, 0x00, 3, ref & 0xFF, total, seq])
    if ref_bits == 16:
        return bytes([6, 0x08, 4, (ref >> 8) & 0xFF, ref & 0xFF, total, seq])
    raise EncodeError(f"ref_bits must be 8 or 16, not {ref_bits}")


def user_data(segment: Segment, udh: bytes, encoding: str) -> tuple[bytes, int]:
    """A segment's TP-UD after its header and its TP-UDL (septets for GSM-7, the header padded to a septet)."""
    if encoding == "gsm7":
        assert isinstance(segment.payload, list)
        fill = (7 - (len(udh) * 8) % 7) % 7 if udh else 0
        return udh + pack_septets(segment.payload, fill), (len(udh) * 8 + fill) // 7 + segment.units
    assert isinstance(segment.payload, bytes)
    ud = udh + segment.payload
    return ud, len(ud)


def encode_deliver(
    sender: str,
    text: str,
    *,
    smsc: str | None = "+9891100500",
    scts: datetime | None = None,
    encoding: str = "auto",
    ref: int = 0,
    ref_bits: int = 8,
    pid: int = 0,
    message_class: int | None = None,
) -> list[str]:
    """The SMS-DELIVER PDUs (SMSC field included, upper-case hex) of one message, in part order.

    ``scts`` defaults to 2026-01-01 12:00 +03:30 so that the output is a pure function of the arguments.
    A message that fits one PDU has no UDH; a longer one gets a concatenation UDH with ``ref``.
    ``message_class`` 0..3 sets the DCS class bits (class 0 is a "flash" SMS, 23.038 §4).
    """
    encoding = choose_encoding(text, encoding)
    if ref_bits not in (8, 16):
        raise EncodeError(f"ref_bits must be 8 or 16, not {ref_bits}")
    if scts is None:
        scts = datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=3, minutes=30)))
    segments = split_text(text, encoding, ref_bits)
    if len(segments) > 255:
        raise EncodeError("a message has at most 255 parts")
    head_smsc = encode_smsc(smsc)
    oa = encode_originator(sender)
    dcs = 0x00 if encoding == "gsm7" else 0x08
    if message_class is not None:
        if message_class not in (0, 1, 2, 3):
            raise EncodeError(f"message_class must be 0..3, not {message_class}")
        dcs |= 0x10 | message_class
    ts = encode_scts(scts)
    pdus: list[str] = []
    for seq, segment in enumerate(segments, start=1):
        udh = concat_udh(ref, len(segments), seq, ref_bits) if len(segments) > 1 else b""
        first_octet = 0x44 if udh else 0x04  # SMS-DELIVER, TP-MMS set, UDHI when a UDH follows
        ud, udl = user_data(segment, udh, encoding)
        tpdu = bytes([first_octet]) + oa + bytes([pid, dcs]) + ts + bytes([udl]) + ud
        pdus.append((head_smsc + tpdu).hex().upper())
    return pdus


def encode_status_report(
    recipient: str,
    *,
    message_ref: int,
    smsc: str | None = "+9891100500",
    scts: datetime | None = None,
    discharged: datetime | None = None,
    status: int = 0,
) -> str:
    """An SMS-STATUS-REPORT (23.040 §9.2.2.3), SMSC field included: what a network sends about a sent SMS.

    The box asks for no reports when it sends (alerts), but a SIM can still receive them (a previous owner's).
    """
    when = scts or datetime(2026, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=3, minutes=30)))
    first_octet = 0x06  # TP-MTI 10 (status report), TP-MMS set
    tpdu = (
        bytes([first_octet, message_ref & 0xFF])
        + encode_originator(recipient)
        + encode_scts(when)
        + encode_scts(discharged or when)
        + bytes([status & 0xFF])
    )
    return (encode_smsc(smsc) + tpdu).hex().upper()


def tpdu_length(pdu_hex: str) -> int:
    """The ``<length>`` of ``+CMGR``/``+CMGL``: octets of the TPDU, the SMSC field excluded (27.005 §3.4.1)."""
    data = bytes.fromhex(pdu_hex)
    return len(data) - 1 - data[0] if data else 0
