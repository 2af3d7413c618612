"""One sweep of a modem's storage: every part handed to the sink once, then deleted; nothing lost.

The rules, per part the gateway lists (and per part the modem showed with
``+CMT`` and never stored):

* a status report is not a deposit: it is logged, counted and deleted;
* a part whose TPDU the receiver delivered before (the network's duplicate,
  a part whose delete failed) is deleted without being handed on again;
* a part the sink's store already holds (``already_stored``: after a restart
  the receiver's memory is empty, the store's is not) is deleted likewise;
* anything else goes to the sink, which commits it durably; only then is the
  slot deleted. A sink that raises leaves the part on the SIM (a ``+CMT``
  part, which has no slot, is kept in memory) for the next sweep. A sink that
  returns ``False`` says the part was already stored: it counts as a duplicate.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from modem.errors import CommandFailed, SlotChanged
from modem.gateway import ModemGateway, StoredPart
from modem.messages import dedupe_key
from modem.storage import DIRECT, STATUS_REPORT

log = logging.getLogger(__name__)

# How many recently delivered PDUs are remembered to recognise a repeat (the
# network's duplicate, or a part whose delete failed). The sink dedupes too.
REMEMBERED = 20000

Sink = Callable[[StoredPart], Any]


@dataclass
class SweepResult:
    deleted: int = 0
    sink_failures: list[tuple[StoredPart, Exception]] = field(default_factory=list)  # parts the sink refused
    stopped: bool = False


class Sweeper:
    """The receiver's memory of delivered parts and the sweep that uses it (called on the receiver's thread).

    ``count`` adds one to a status counter as each part is decided, before its slot is deleted: whoever sees
    the SIM empty sees the counts that emptied it.
    """

    def __init__(
        self,
        name: str,
        sink: Sink,
        count: Callable[[str], None],
        already_stored: Callable[[StoredPart], bool] | None = None,
    ) -> None:
        self.name = name
        self.sink = sink
        self._count = count
        self.already_stored = already_stored
        self._delivered: OrderedDict[str, None] = OrderedDict()

    def sweep(self, gateway: ModemGateway, stop: Callable[[], bool]) -> SweepResult:
        result = SweepResult()
        direct = gateway.take_direct()
        kept = [p for p in direct if not self._take(p, result) and p.kind == DIRECT]
        if kept:
            gateway.put_back_direct(kept)
        for part in gateway.list_stored():
            if stop():
                result.stopped = True
                return result
            if self._take(part, result):
                self._delete(gateway, part, result)
        return result

    # -- one part -----------------------------------------------------------------------------------------
    def _take(self, part: StoredPart, result: SweepResult) -> bool:
        """Hand ``part`` on unless it is known or not ours; True when it may be deleted now."""
        if part.kind == STATUS_REPORT:
            log.info("%s: %s/%d holds a status report; not a deposit, deleted", self.name, part.memory, part.index)
            self._count("status_reports")
            return True
        key = dedupe_key(part.pdu_hex)
        if key in self._delivered:
            log.info("%s: %s/%d repeats a delivered message; deleting it", self.name, part.memory, part.index)
            self._count("duplicates_skipped")
            return True
        if self.already_stored is not None and self._stored_before(part):
            log.info(
                "%s: %s/%d is already in the store (handed on before a restart)", self.name, part.memory, part.index
            )
            self._remember(key)
            self._count("duplicates_skipped")
            self._count("already_stored")
            return True
        try:
            outcome = self.sink(part)
        except Exception as exc:  # the sink is the caller's code; the part stays for the next sweep
            log.exception("%s: the sink failed on %s/%d; it stays on the SIM", self.name, part.memory, part.index)
            result.sink_failures.append((part, exc))
            return False
        self._remember(key)
        if outcome is False:  # the sink's store had it already
            self._count("duplicates_skipped")
            return True
        self._count("parts_delivered")
        if part.pdu is None:
            self._count("undecodable")
        if part.flash and part.pdu is not None:
            log.warning("%s: a class-0 (flash) SMS from %s was handed on", self.name, part.pdu.sender)
            self._count("flash_sms")
        return True

    def _stored_before(self, part: StoredPart) -> bool:
        assert self.already_stored is not None
        try:
            return bool(self.already_stored(part))
        except Exception:  # the store cannot say: hand it on (the sink dedupes) rather than lose it
            log.exception("%s: could not ask the store about %s/%d", self.name, part.memory, part.index)
            return False

    def _delete(self, gateway: ModemGateway, part: StoredPart, result: SweepResult) -> None:
        if part.index < 0:
            return
        try:
            gateway.delete(part)
            result.deleted += 1
        except (SlotChanged, CommandFailed) as exc:
            log.warning("%s: %s/%d not deleted: %s", self.name, part.memory, part.index, exc)
            self._count("deletes_failed")

    def _remember(self, key: str) -> None:
        self._delivered[key] = None
        while len(self._delivered) > REMEMBERED:
            self._delivered.popitem(last=False)
