"""SMS-SUBMIT PDUs (3GPP TS 23.040 §9.2.2.2): what the box hands its modem to send with ``AT+CMGS``.

:func:`encode_submit` turns a recipient and a text into the PDUs of one message
(GSM-7 when every character fits, UCS2 otherwise, a concatenation UDH with an
8-bit reference when it needs several parts). The SMSC field is ``00``: the
modem uses the SIM's own SMS centre. :func:`decode_submit` reads one back; the
modem simulator uses it to show what was sent.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from modem.errors import PduError
from modem.pdu import Concat, _address, _bytes, _concat, _encoding, _gsm7_text, _Reader, _smsc, _unpack_septets
from modem.pdu_encode import (
    TOA_INTERNATIONAL,
    TOA_UNKNOWN,
    EncodeError,
    _swap_bcd,
    choose_encoding,
    concat_udh,
    split_text,
    user_data,
)

__all__ = ["SubmitPart", "SubmitPdu", "decode_submit", "encode_submit", "normalise_recipient"]

# TP-VP relative: 0xA7 = 24 hours (23.040 §9.2.3.12.1). A notice older than a day is not worth delivering.
VALIDITY_24H = 0xA7


@dataclass(frozen=True)
class SubmitPart:
    """One PDU to send: ``AT+CMGS=<length>`` takes the TPDU length (the SMSC octet excluded)."""

    pdu_hex: str
    length: int


@dataclass(frozen=True)
class SubmitPdu:
    recipient: str
    text: str
    encoding: str
    concat: Concat | None
    message_ref: int


def normalise_recipient(number: str) -> str:
    """``+98 912 123 4567`` / ``0912-123-4567`` -> digits, optionally a leading ``+``; EncodeError otherwise."""
    cleaned = "".join(ch for ch in number.strip() if ch not in " -()")
    digits = cleaned[1:] if cleaned.startswith("+") else cleaned
    if not digits or not digits.isdigit() or not digits.isascii() or len(digits) > 20:
        raise EncodeError(f"{number!r} is not a phone number (digits, optionally a leading +)")
    return cleaned


def _destination(number: str) -> bytes:
    digits = number.lstrip("+")
    toa = TOA_INTERNATIONAL if number.startswith("+") else TOA_UNKNOWN
    return bytes([len(digits), toa]) + _swap_bcd(digits)


def encode_submit(
    recipient: str, text: str, *, encoding: str = "auto", ref: int = 0, validity: int = VALIDITY_24H
) -> list[SubmitPart]:
    """The SMS-SUBMIT PDUs of one message, in part order (upper-case hex, SMSC field ``00``)."""
    if not text:
        raise EncodeError("an SMS needs some text")
    number = normalise_recipient(recipient)
    encoding = choose_encoding(text, encoding)
    segments = split_text(text, encoding, 8)
    if len(segments) > 255:
        raise EncodeError("a message has at most 255 parts")
    da = _destination(number)
    dcs = 0x00 if encoding == "gsm7" else 0x08
    parts: list[SubmitPart] = []
    for seq, segment in enumerate(segments, start=1):
        udh = concat_udh(ref, len(segments), seq, 8) if len(segments) > 1 else b""
        # SMS-SUBMIT (MTI 01), TP-VPF relative (10), UDHI when a header follows.
        first_octet = 0x11 | (0x40 if udh else 0)
        ud, udl = user_data(segment, udh, encoding)
        tpdu = bytes([first_octet, 0x00]) + da + bytes([0x00, dcs, validity & 0xFF, udl]) + ud
        parts.append(SubmitPart(pdu_hex=("00" + tpdu.hex()).upper(), length=len(tpdu)))
    return parts


def decode_submit(pdu_hex: str, *, with_smsc: bool = True) -> SubmitPdu:
    """Decode an SMS-SUBMIT as written after ``AT+CMGS`` (with its SMSC field unless ``with_smsc`` is False)."""
    reader = _Reader(_bytes(pdu_hex))
    if with_smsc:
        _smsc(reader)
    first = reader.octet("first octet")
    if first & 0x03 != 0x01:
        raise PduError(f"not an SMS-SUBMIT (message type {first & 0x03})")
    message_ref = reader.octet("message reference")
    recipient, _ = _address(reader)
    reader.octet("protocol identifier")
    dcs = reader.octet("data coding scheme")
    vpf = (first >> 3) & 0x03
    reader.take({0: 0, 2: 1}.get(vpf, 7), "validity period")
    udl = reader.octet("user data length")
    ud = reader.rest()
    encoding = _encoding(dcs)
    udh = b""
    if first & 0x40:
        if not ud:
            raise PduError("user data header flagged but user data is empty")
        udh = ud[1 : 1 + ud[0]]
    header_octets = len(udh) + 1 if first & 0x40 else 0
    if encoding == "gsm7":
        header_septets = (header_octets * 8 + 6) // 7
        if udl < header_septets:
            raise PduError("user data length shorter than its header")
        text = _gsm7_text(_unpack_septets(ud, udl - header_septets, header_septets * 7))
    elif encoding == "ucs2":
        if udl > len(ud):
            raise PduError(f"user data truncated (UDL {udl}, has {len(ud)} octets)")
        text = ud[header_octets:udl].decode("utf-16-be", errors="replace")
    else:
        text = ud[header_octets:udl].decode("latin-1")
    return SubmitPdu(
        recipient=recipient,
        text=text,
        encoding=encoding,
        concat=_concat(udh) if udh else None,
        message_ref=message_ref,
    )
