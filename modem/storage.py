"""The modem's SMS storages as the gateway learns them: names, where new SMS land, use, and the listings.

Pure: parsing ``AT+CPMS`` and ``AT+CMGL`` answers and the bookkeeping the
gateway keeps between commands; no I/O.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from modem.errors import PduError
from modem.pdu import MTI_DELIVER, MTI_STATUS_REPORT, DeliverPdu, decode_deliver, message_type

log = logging.getLogger(__name__)

__all__ = ["Storage", "StoredPart", "parse_cmgl", "parse_cpms_test", "parse_selected_use"]

# Where new SMS may be stored; MT is SM+ME combined and SR holds status reports.
SWEPT_MEMORIES = ("SM", "ME")
_CMGL = re.compile(r"^\+CMGL:\s*(\d+)\s*,\s*(\d*)\s*,")
_HEX = re.compile(r"^[0-9A-Fa-f]+$")

DELIVER, STATUS_REPORT, DIRECT = "deliver", "status-report", "direct"


@dataclass(frozen=True)
class StoredPart:
    """One received SMS in the modem's storage (or shown directly with ``+CMT``: ``memory`` "CMT", index -1)."""

    memory: str  # "SM", "ME", "CMT"
    index: int
    status: int  # 0 unread, 1 read (27.005 <stat>)
    pdu_hex: str  # upper case
    pdu: DeliverPdu | None  # None when the PDU could not be decoded
    error: str | None = None  # why it could not be decoded
    kind: str = DELIVER  # DELIVER, STATUS_REPORT (not ours to hand on) or DIRECT (+CMT, never stored)

    @property
    def flash(self) -> bool:
        """A class-0 ("flash") SMS: shown at once by phones, sometimes never stored by modems."""
        return self.pdu is not None and self.pdu.message_class == 0


@dataclass
class Storage:
    readable: tuple[str, ...] = ()
    swept: tuple[str, ...] = ("SM",)
    incoming: str = "SM"  # mem3, where new SMS are asked to go
    selected: str | None = None  # mem1 now
    notified: set[str] = field(default_factory=set)  # memories a +CMTI named that are not swept otherwise
    usage: dict[str, tuple[int, int]] = field(default_factory=dict)  # memory -> (used, total), last seen
    misrouted: str | None = None  # where new SMS were found instead of ``incoming`` (a firmware quirk)

    def memories_to_sweep(self) -> list[str]:
        memories = list(self.swept)
        return memories + [m for m in sorted(self.notified) if m not in memories and m in self.readable]

    def fullest(self) -> tuple[str, int, int] | None:
        """The swept memory closest to full, as (memory, used, total): a quirky modem may fill either."""
        known = [(m, *self.usage[m]) for m in self.memories_to_sweep() if m in self.usage and self.usage[m][1]]
        if not known:
            return None
        return max(known, key=lambda u: (u[1] / u[2], u[0] == self.incoming))


def _quoted(text: str) -> list[str]:
    return re.findall(r'"([^"]*)"', text)


def parse_cpms_test(lines: list[str], prefer: str = "SM") -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """``AT+CPMS=?``: the readable memories, the ones swept for new SMS, and the one new SMS should go to.

    Takes the standard three lists as well as Wavecom's ``(("SM","BM","SR"),("SM"))`` (two lists, nested).
    """
    text = " ".join(lines)
    groups = [g for g in (_quoted(g) for g in re.findall(r"\(([^()]*)\)", text)) if g]
    readable = tuple(m.upper() for m in groups[0]) if groups else ("SM",)
    incoming_options = tuple(m.upper() for m in groups[2]) if len(groups) >= 3 else readable
    swept = tuple(m for m in SWEPT_MEMORIES if m in readable) or readable[:1]
    order = (prefer, *[m for m in SWEPT_MEMORIES if m != prefer])
    incoming = next((m for m in order if m in incoming_options), incoming_options[0] if incoming_options else "SM")
    return readable, swept, incoming


def parse_selected_use(lines: list[str]) -> tuple[int, int] | None:
    """The used/total of mem1 in the answer to ``AT+CPMS="XX"`` (``+CPMS: 3,50,3,50,0,30``)."""
    for line in lines:
        if line.upper().startswith("+CPMS:"):
            values = [v.strip() for v in line.split(":", 1)[1].split(",")]
            if len(values) >= 2 and values[0].isdigit() and values[1].isdigit():
                return int(values[0]), int(values[1])
    return None


def parse_cpms_query(lines: list[str]) -> dict[str, tuple[int, int]]:
    """``AT+CPMS?`` (``+CPMS: "ME", 0, 50, "SM",1,30, ...``): used and total per memory named."""
    found: dict[str, tuple[int, int]] = {}
    for line in lines:
        if not line.upper().startswith("+CPMS:"):
            continue
        values = [v.strip().strip('"') for v in line.split(":", 1)[1].split(",")]
        for i in range(0, len(values) - 2, 3):
            name, used, total = values[i : i + 3]
            if used.isdigit() and total.isdigit():
                found.setdefault(name.upper(), (int(used), int(total)))
    return found


def _part(memory: str, index: int, status: int, pdu_hex: str, device: str | None) -> StoredPart:
    try:
        kind = message_type(pdu_hex)
    except PduError as exc:
        return StoredPart(memory, index, status, pdu_hex, None, str(exc))
    if kind == MTI_STATUS_REPORT:
        return StoredPart(memory, index, status, pdu_hex, None, "a status report", STATUS_REPORT)
    try:
        return StoredPart(memory, index, status, pdu_hex, decode_deliver(pdu_hex))
    except PduError as exc:
        if kind != MTI_DELIVER:
            log.warning("%s: %s/%d holds a message of type %d, not an SMS-DELIVER", device, memory, index, kind)
        else:
            log.warning("%s: %s/%d holds an undecodable PDU: %s", device, memory, index, exc)
        return StoredPart(memory, index, status, pdu_hex, None, str(exc))


def parse_cmgl(memory: str, lines: list[str], device: str | None = None) -> list[StoredPart]:
    """The received messages of one ``AT+CMGL=4`` listing: each header paired with the line after it."""
    parts = []
    for i, line in enumerate(lines):
        match = _CMGL.match(line)
        if not match:
            continue
        index = int(match.group(1))
        status = int(match.group(2)) if match.group(2) else 0
        following = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if status in (2, 3):  # stored outgoing messages are not ours to take
            continue
        if not _HEX.match(following):
            parts.append(
                StoredPart(memory, index, status, following.upper(), None, "no PDU line after the +CMGL header")
            )
            continue
        parts.append(_part(memory, index, status, following.upper(), device))
    return parts


def direct_part(pdu_hex: str, device: str | None = None) -> StoredPart:
    """A ``+CMT`` delivery (never stored by the modem) as a part to hand on."""
    part = _part("CMT", -1, 0, pdu_hex.strip().upper(), device)
    return part if part.kind == STATUS_REPORT else StoredPart(**{**part.__dict__, "kind": DIRECT})
