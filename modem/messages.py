"""Which stored parts form one SMS, and the text they make: pure reassembly.

A long SMS arrives as several SMS-DELIVERs carrying a concatenation header
(reference, total, sequence; 23.040 §9.2.3.24.1). Parts arrive out of order,
twice (the network re-sends when its acknowledgement was lost; the sweep and
a notification can both see one), or never. The caller (the store) keeps the
committed parts and asks here which ones belong together, whether a group is
complete, and what its text is; after its own timeout it processes an
incomplete group, which :func:`assemble` marks and fills with
:data:`MISSING_MARK`.

No I/O and no clock: pass ``now``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from modem.pdu import Concat, DeliverPdu, split_smsc

__all__ = ["MISSING_MARK", "Assembled", "Part", "assemble", "dedupe_key", "group_key", "group_parts", "is_ready"]

# Stands where a missing part's text would be, so that an incomplete message is
# visibly incomplete to a person and to a parser (which must not find an amount in it).
MISSING_MARK = "[…]"


@dataclass(frozen=True)
class Part:
    """One committed SMS-DELIVER, as the store keeps it."""

    sender: str
    text: str
    scts: datetime
    pdu_hex: str
    concat: Concat | None = None
    smsc: str | None = None
    received_at: datetime | None = None  # when the box committed it (for the missing-part timeout)

    @classmethod
    def from_pdu(cls, pdu: DeliverPdu, received_at: datetime | None = None) -> Part:
        return cls(
            sender=pdu.sender,
            text=pdu.text,
            scts=pdu.scts,
            pdu_hex=pdu.pdu_hex,
            concat=pdu.concat,
            smsc=pdu.smsc,
            received_at=received_at,
        )


def dedupe_key(pdu_hex: str) -> str:
    """SHA-256 of the TPDU (the SMSC prefix left out): equal for a message the network delivered twice."""
    try:
        _, tpdu = split_smsc(pdu_hex)
    except ValueError:
        tpdu = pdu_hex.strip().upper()
    return hashlib.sha256(tpdu.encode("ascii", errors="replace")).hexdigest()


def group_key(part: Part) -> str:
    """The key shared by all parts of one message (a string, to store in a column).

    Multipart: sender, reference size, reference and total (23.040 §9.2.3.24.1:
    a reference is unique per originator; 8- and 16-bit references are separate
    spaces). A single-part message is its own group, keyed by its PDU. A
    reference is reused once the sender has sent 256 (or 65536) long messages,
    so the store should only join a part to a group that is still open.
    """
    if part.concat is None or part.concat.total <= 1:
        return f"single:{dedupe_key(part.pdu_hex)}"
    c = part.concat
    return f"concat:{c.ref_bits}:{c.ref}:{c.total}:{part.sender}"


def group_parts(parts: Iterable[Part]) -> dict[str, list[Part]]:
    """Parts by :func:`group_key`, each list in the order given."""
    groups: dict[str, list[Part]] = {}
    for part in parts:
        groups.setdefault(group_key(part), []).append(part)
    return groups


@dataclass(frozen=True)
class Assembled:
    key: str
    sender: str
    text: str  # parts in sequence order; MISSING_MARK where one is missing
    total: int
    parts: tuple[Part, ...]  # one per sequence number present, in order
    missing: tuple[int, ...]  # 1-based sequence numbers not (yet) received
    duplicates: int  # parts dropped as repeats of one already present
    conflicts: tuple[int, ...]  # sequence numbers seen with two different texts (the first kept)
    scts: datetime  # the earliest part's time stamp
    smsc: str | None

    @property
    def complete(self) -> bool:
        return not self.missing


def _earliest_first(part: Part) -> tuple:
    return (part.received_at is None, part.received_at or part.scts, part.scts, part.pdu_hex)


def assemble(parts: Iterable[Part]) -> Assembled:
    """Order and dedupe the parts of ONE group and join their text.

    Raises ValueError if the parts are of different groups or there are none.
    A sequence number seen twice keeps the part committed first; a repeat with
    other text counts as a conflict (kept visible rather than silently mixed).
    """
    ordered = sorted(parts, key=_earliest_first)
    if not ordered:
        raise ValueError("assemble() needs at least one part")
    keys = {group_key(p) for p in ordered}
    if len(keys) != 1:
        raise ValueError(f"parts of different messages: {sorted(keys)}")
    first = ordered[0]
    total = first.concat.total if first.concat and first.concat.total > 1 else 1

    by_seq: dict[int, Part] = {}
    duplicates = 0
    conflicts: set[int] = set()
    for part in ordered:
        seq = part.concat.seq if total > 1 and part.concat else 1
        kept = by_seq.get(seq)
        if kept is None:
            by_seq[seq] = part
            continue
        duplicates += 1
        if kept.text != part.text:
            conflicts.add(seq)

    missing = tuple(seq for seq in range(1, total + 1) if seq not in by_seq)
    text = "".join(by_seq[seq].text if seq in by_seq else MISSING_MARK for seq in range(1, total + 1))
    present = tuple(by_seq[seq] for seq in sorted(by_seq))
    return Assembled(
        key=keys.pop(),
        sender=first.sender,
        text=text,
        total=total,
        parts=present,
        missing=missing,
        duplicates=duplicates,
        conflicts=tuple(sorted(conflicts)),
        scts=min(p.scts for p in present),
        smsc=first.smsc,
    )


def is_ready(parts: Iterable[Part], now: datetime, timeout: timedelta) -> bool:
    """Whether a group should be processed: complete, or its first part is older than ``timeout``.

    The age is taken from when the box received the first part (``received_at``),
    falling back to the network's time stamp, because a modem that was off for a
    day must not make fresh parts look stale.
    """
    parts = list(parts)
    if not parts:
        return False
    if assemble(parts).complete:
        return True
    first_seen = min(p.received_at or p.scts for p in parts)
    return now - first_seen >= timeout
