"""SMS-DELIVER PDU decoding (3GPP TS 23.040 §9.2.2.1, alphabets per TS 23.038).

Written here rather than taken from ``gsmmodem.pdu.decodeSmsPdu`` because that
decoder loses the first character of GSM-7 text under a 16-bit concatenation
header, only understands DCS group 00xx, and leaves UCS2 surrogate pairs
unjoined (an emoji would break a strict UTF-8 write). The GSM-7 character
tables are the library's (with 0x5F corrected to the section sign, per 23.038).

Pure: no I/O, no clock.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from gsmmodem.pdu import GSM7_BASIC, GSM7_EXTENDED

from modem.errors import PduError

_GSM7 = GSM7_BASIC[:0x5F] + "§" + GSM7_BASIC[0x60:]

__all__ = ["MTI_DELIVER", "MTI_STATUS_REPORT", "Concat", "DeliverPdu", "decode_deliver", "message_type", "split_smsc"]

# The library's extension table maps char -> code as a one-char string; invert it.
# (Its 0xFF -> 0x0A entry is the page break, which 23.038 defines as U+000C.)
_GSM7_EXT_DECODE = {
    (code if isinstance(code, int) else ord(code)): ("\x0c" if char == chr(0xFF) else char)
    for char, code in GSM7_EXTENDED.items()
}

# Type-of-number values (bits 6..4 of the type-of-address octet).
_TON_INTERNATIONAL = 0x1
_TON_NATIONAL = 0x2
_TON_ALPHANUMERIC = 0x5
_TON_NAMES = {
    0x0: "unknown",
    0x1: "international",
    0x2: "national",
    0x3: "network",
    0x4: "subscriber",
    0x5: "alphanumeric",
    0x6: "abbreviated",
    0x7: "reserved",
}
_BCD_DIGITS = "0123456789*#abc"


@dataclass(frozen=True)
class Concat:
    """A concatenation information element: part ``seq`` (1-based) of ``total``."""

    ref: int
    total: int
    seq: int
    ref_bits: int  # 8 (IEI 00) or 16 (IEI 08)


@dataclass(frozen=True)
class DeliverPdu:
    sender: str  # "+98700717", "6104", "bank melli"
    sender_type: str  # "international", "national", "alphanumeric", "unknown", ...
    smsc: str | None  # the service centre's address from the SCA field, None when absent
    scts: datetime  # the service centre time stamp, aware, with the offset the network sent
    text: str
    encoding: str  # "gsm7", "ucs2" or "8bit"
    concat: Concat | None
    pdu_hex: str  # upper case, as read from the modem (SCA included)
    pid: int = 0
    dcs: int = 0
    more_messages: bool = False  # TP-MMS clear: the SMSC has more messages waiting

    @property
    def message_class(self) -> int | None:
        """The TP-DCS message class (23.038 §4): 0 is a "flash" SMS shown at once, None when none is given."""
        group = self.dcs >> 4
        if group <= 0x7 and self.dcs & 0x10:  # general data coding / automatic deletion, class bit set
            return self.dcs & 0x03
        if group == 0xF:
            return self.dcs & 0x03
        return None


class _Reader:
    """Walks the PDU octets; running past the end is a :class:`PduError`."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise PduError(f"PDU truncated in {what} (needs {n} octets at {self.pos}, has {len(self.data)})")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def octet(self, what: str) -> int:
        return self.take(1, what)[0]

    def rest(self) -> bytes:
        chunk = self.data[self.pos :]
        self.pos = len(self.data)
        return chunk


def _bcd_digits(data: bytes, count: int | None = None) -> str:
    """Swapped-nibble BCD (``21 43`` -> ``1234``); 0xF is padding."""
    digits = []
    for octet in data:
        for nibble in (octet & 0x0F, octet >> 4):
            if nibble == 0xF:
                continue
            digits.append(_BCD_DIGITS[nibble])
    text = "".join(digits)
    return text[:count] if count is not None else text


def _unpack_septets(data: bytes, count: int, skip_bits: int = 0) -> list[int]:
    """GSM-7 packing is little-endian by bit: septet i starts at bit 7*i (plus the fill bits)."""
    value = int.from_bytes(data, "little")
    available = (len(data) * 8 - skip_bits) // 7
    if count > available:
        raise PduError(f"user data holds {available} septets, UDL says {count}")
    return [(value >> (skip_bits + 7 * i)) & 0x7F for i in range(count)]


def _gsm7_text(septets: list[int]) -> str:
    out = []
    escape = False
    for code in septets:
        if escape:
            # An unknown extension code shows as a space (23.038 §6.2.1.1 note).
            out.append(_GSM7_EXT_DECODE.get(code, " "))
            escape = False
        elif code == 0x1B:
            escape = True
        else:
            out.append(_GSM7[code])
    return "".join(out)


def _address(reader: _Reader) -> tuple[str, str]:
    """TP-OA: length in useful semi-octets, type of address, then digits or packed GSM-7."""
    length = reader.octet("sender length")
    toa = reader.octet("sender type")
    raw = reader.take((length + 1) // 2, "sender")
    ton = (toa >> 4) & 0x7
    if ton == _TON_ALPHANUMERIC:
        return _gsm7_text(_unpack_septets(raw, length * 4 // 7)), "alphanumeric"
    digits = _bcd_digits(raw, length)
    if ton == _TON_INTERNATIONAL and digits:
        digits = "+" + digits
    return digits, _TON_NAMES[ton]


def _smsc(reader: _Reader) -> str | None:
    """The SCA prefix the modem puts before the TPDU: length in octets (TOA included)."""
    length = reader.octet("SMSC length")
    if length == 0:
        return None
    toa = reader.octet("SMSC type")
    digits = _bcd_digits(reader.take(length - 1, "SMSC"))
    if ((toa >> 4) & 0x7) == _TON_INTERNATIONAL and digits:
        digits = "+" + digits
    return digits or None


def _scts(raw: bytes) -> datetime:
    def field(octet: int) -> int:
        low, high = octet & 0x0F, octet >> 4
        if low > 9 or high > 9:
            raise PduError(f"time stamp octet {octet:02X} is not BCD")
        return low * 10 + high

    year, month, day, hour, minute, second = (field(o) for o in raw[:6])
    tz_octet = raw[6]
    # Quarter hours, swapped BCD; bit 3 of the octet is the sign (23.040 §9.2.3.11).
    quarters = (tz_octet & 0x07) * 10 + (tz_octet >> 4)
    offset = timedelta(minutes=15 * quarters)
    if tz_octet & 0x08:
        offset = -offset
    try:
        return datetime(2000 + year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError as exc:
        raise PduError(f"invalid time stamp {raw.hex().upper()}: {exc}") from exc


def _encoding(dcs: int) -> str:
    """The alphabet of a TP-DCS value (23.038 §4)."""
    group = dcs >> 4
    if group <= 0x7:  # 00xx general data coding, 01xx automatic deletion
        if dcs & 0x20:
            raise PduError(f"compressed user data (DCS {dcs:02X}) is not supported")
        return {0: "gsm7", 1: "8bit", 2: "ucs2", 3: "gsm7"}[(dcs >> 2) & 0x3]
    if group in (0xC, 0xD):  # message waiting, discard/store: GSM-7
        return "gsm7"
    if group == 0xE:  # message waiting, store: UCS2
        return "ucs2"
    if group == 0xF:
        return "8bit" if dcs & 0x04 else "gsm7"
    return "gsm7"  # reserved groups 1000..1011: "assume the GSM 7 bit default alphabet"


def _concat(udh: bytes) -> Concat | None:
    """The concatenation IE in a user data header, if there is a valid one."""
    pos = 0
    found = None
    while pos + 2 <= len(udh):
        iei, length = udh[pos], udh[pos + 1]
        data = udh[pos + 2 : pos + 2 + length]
        if len(data) < length:
            raise PduError("user data header truncated")
        if iei == 0x00 and length == 3:
            found = Concat(ref=data[0], total=data[1], seq=data[2], ref_bits=8)
        elif iei == 0x08 and length == 4:
            found = Concat(ref=(data[0] << 8) | data[1], total=data[2], seq=data[3], ref_bits=16)
        pos += 2 + length
    # 23.040 §9.2.3.24.1: a receiver ignores an IE with a zero total or an out-of-range part number.
    if found is not None and (found.total == 0 or found.seq == 0 or found.seq > found.total):
        return None
    return found


def split_smsc(pdu_hex: str) -> tuple[str, str]:
    """Split a modem PDU into its SCA prefix and the TPDU, both as upper-case hex."""
    data = _bytes(pdu_hex)
    if not data:
        raise PduError("empty PDU")
    cut = 1 + data[0]
    if cut > len(data):
        raise PduError("PDU truncated in SMSC")
    return data[:cut].hex().upper(), data[cut:].hex().upper()


# TP-MTI of an SC-to-MS message (23.040 §9.2.3.1): what a modem may list in its storage.
MTI_DELIVER, MTI_STATUS_REPORT = 0, 2


def message_type(pdu_hex: str) -> int:
    """The TP-MTI of a PDU as a modem lists it (SCA prefix included); :class:`PduError` if too short."""
    data = _bytes(pdu_hex)
    if not data or 1 + data[0] >= len(data):
        raise PduError("PDU too short for its first octet")
    return data[1 + data[0]] & 0x03


def _bytes(pdu_hex: str) -> bytes:
    try:
        return binascii.unhexlify(pdu_hex.strip())
    except (binascii.Error, ValueError) as exc:
        raise PduError(f"PDU is not hexadecimal: {exc}") from exc


def decode_deliver(pdu_hex: str) -> DeliverPdu:
    """Decode an SMS-DELIVER as a modem lists it in PDU mode (SCA prefix included).

    Raises :class:`PduError` for anything that is not a well-formed SMS-DELIVER.
    """
    reader = _Reader(_bytes(pdu_hex))
    smsc = _smsc(reader)
    first = reader.octet("first octet")
    if first & 0x03 != 0x00:
        raise PduError(f"not an SMS-DELIVER (message type {first & 0x03})")
    sender, sender_type = _address(reader)
    pid = reader.octet("protocol identifier")
    dcs = reader.octet("data coding scheme")
    scts = _scts(reader.take(7, "time stamp"))
    udl = reader.octet("user data length")
    ud = reader.rest()
    encoding = _encoding(dcs)

    udh = b""
    if first & 0x40:  # TP-UDHI
        if not ud:
            raise PduError("user data header flagged but user data is empty")
        udh = ud[1 : 1 + ud[0]]
        if len(udh) < ud[0]:
            raise PduError("user data header truncated")
    header_octets = len(udh) + 1 if udh or first & 0x40 else 0

    if encoding == "gsm7":
        # UDL counts septets, header included; the text starts at the next septet boundary.
        header_septets = (header_octets * 8 + 6) // 7
        if udl < header_septets:
            raise PduError("user data length shorter than its header")
        text = _gsm7_text(_unpack_septets(ud, udl - header_septets, header_septets * 7))
    else:
        if udl > len(ud):
            raise PduError(f"user data truncated (UDL {udl}, has {len(ud)} octets)")
        body = ud[header_octets:udl]
        if encoding == "ucs2":
            # UTF-16 joins surrogate pairs; a lone half becomes U+FFFD rather than a crash downstream.
            text = body.decode("utf-16-be", errors="replace")
        else:
            text = body.decode("latin-1")

    return DeliverPdu(
        sender=sender,
        sender_type=sender_type,
        smsc=smsc,
        scts=scts,
        text=text,
        encoding=encoding,
        concat=_concat(udh) if udh else None,
        pdu_hex=pdu_hex.strip().upper(),
        pid=pid,
        dcs=dcs,
        more_messages=not first & 0x04,
    )
