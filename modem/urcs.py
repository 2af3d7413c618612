"""What the gateway learns from unsolicited lines, on the link's reader thread; the receiver's thread acts on it.

Nothing here writes to the modem: a URC sets a flag or queues a PDU and wakes
the receiver, whose thread does every command (the gateway is driven from one
thread). The flags:

* a reboot (boot messages, a SIM reset): run the initialisation again;
* a re-registration (``+CREG: 1`` after a loss, Wavecom ``+WIND: 7`` after
  ``+WIND: 8``, or a change seen in health sampling): send ``AT+CNMI`` again,
  because some firmwares stop raising ``+CMTI`` after the network comes back;
* a full storage (Huawei ``^SMMEMFULL``, ZTE ``+ZSMMEMFULL``, Quectel
  ``+QIND: "smsfull"``): sweep now, and report it;
* direct deliveries (``+CMT``, e.g. a class-0 "flash" SMS a modem shows and
  never stores) and status reports (``+CDS``): queued for the receiver.
"""

from __future__ import annotations

import collections
import logging
import re
import threading
from collections.abc import Callable

from modem.families import Family, family

log = logging.getLogger(__name__)

# Lines after which the modem has lost its settings (a reboot): boot messages of SIMCom, Quectel, Huawei.
# "+CPIN:" covers a SIM that asks for its PIN again (a SIM swap, a SIM reset).
BOOT_LINES = ("RDY", "SMS READY", "SMS DONE", "+QIND: SMS DONE", "+CFUN: 1", "+CPIN:", "^SIMST")
_CMTI = re.compile(r'^\+CMTI:\s*"?([A-Z_]+)"?\s*,\s*(\d+)', re.IGNORECASE)
_CDSI = re.compile(r'^\+CDSI:\s*"?([A-Z_]+)"?\s*,\s*(\d+)', re.IGNORECASE)
_REG = re.compile(r"^\+C(?:E|G)?REG:\s*(\d+)\s*(?:,|$)", re.IGNORECASE)
_FULL = re.compile(r'^(?:\^SMMEMFULL|\+ZSMMEMFULL|\+QIND:\s*"smsfull")\s*[:,]?\s*"?([A-Z]*)', re.IGNORECASE)
_NOT_SWEPT = ("MT", "SR", "BM")  # MT is SM+ME seen together, SR status reports, BM broadcasts


class UrcWatch:
    """The state URCs set, read and cleared by the gateway on the receiver's thread."""

    def __init__(self, device: Callable[[], str | None], on_wakeup: Callable[[], None]) -> None:
        self._device = device
        self.on_wakeup = on_wakeup
        self.family: Family = family("generic")
        self.swept: tuple[str, ...] = ("SM",)
        self.reboot = threading.Event()
        self.notify_reset = threading.Event()
        self._lock = threading.Lock()
        self.notified: set[str] = set()  # memories a +CMTI named that the sweep does not cover yet
        self.full: set[str] = set()  # memories the modem said are full
        self.direct: collections.deque[str] = collections.deque()  # PDUs shown by +CMT, never stored
        self.status_reports = 0  # +CDS/+CDSI seen
        self._registered: bool | None = None
        self.ussd: collections.deque[str] = collections.deque(maxlen=8)  # +CUSD answers, oldest first
        self.ussd_arrived = threading.Event()

    # -- the reader thread --------------------------------------------------------------------------------
    def handle(self, line: str) -> None:
        upper = line.upper()
        head = line.split("\n", 1)[0]
        if match := _CMTI.match(line):
            memory = match.group(1).upper()
            if memory not in self.swept and memory not in _NOT_SWEPT:
                with self._lock:
                    self.notified.add(memory)
            log.debug("%s: new SMS in %s/%s", self._device(), memory, match.group(2))
            self.on_wakeup()
        elif upper.startswith("+CMT:"):
            pdu = line.split("\n", 1)[1] if "\n" in line else ""
            if pdu:
                with self._lock:
                    self.direct.append(pdu)
                log.info("%s: an SMS shown directly (+CMT), not stored by the modem", self._device())
                self.on_wakeup()
            else:
                log.warning("%s: +CMT without its PDU line: %r", self._device(), line)
        elif upper.startswith("+CDS:") or _CDSI.match(line):
            with self._lock:
                self.status_reports += 1
            log.info("%s: a status report (%s); not a deposit, ignored", self._device(), head)
        elif upper.startswith("+CUSD:"):
            with self._lock:
                self.ussd.append(line)
            self.ussd_arrived.set()
        elif any(upper.startswith(boot) for boot in BOOT_LINES) or Family.matches(line, self.family.boot_lines):
            log.warning("%s: the modem restarted (%r); re-initialising", self._device(), line)
            self.reboot.set()
            self.on_wakeup()
        elif match := _FULL.match(line):
            with self._lock:
                self.full.add(match.group(1).upper() or "?")
            log.warning("%s: storage full (%r)", self._device(), line)
            self.on_wakeup()
        elif match := _REG.match(line):
            self.registration(int(match.group(1)) in (1, 5))
        elif Family.matches(line, self.family.network_lost):
            self.registration(False)
        elif Family.matches(line, self.family.network_back):
            self.registration(True)

    # -- both threads -------------------------------------------------------------------------------------
    def registration(self, registered: bool | None) -> None:
        """A registration state seen (URC or health sample): back from a loss means CNMI must be sent again."""
        if registered is None:
            return
        with self._lock:
            before, self._registered = self._registered, registered
        if registered and before is False:
            log.warning("%s: registered on the network again; new-message notifications are set again", self._device())
            self.notify_reset.set()
            self.on_wakeup()

    def forget_registration(self) -> None:
        """After an initialisation: CNMI is fresh, so the next state seen is the reference."""
        with self._lock:
            self._registered = None

    def notified_memories(self) -> set[str]:
        with self._lock:
            return set(self.notified)

    def take_direct(self) -> list[str]:
        with self._lock:
            pdus = list(self.direct)
            self.direct.clear()
        return pdus

    def put_back_direct(self, pdus: list[str]) -> None:
        """Direct PDUs the receiver could not hand on: kept (in memory) for its next attempt."""
        with self._lock:
            self.direct.extendleft(reversed(pdus))

    def take_status_reports(self) -> int:
        """Status reports shown (+CDS/+CDSI) since the last call."""
        with self._lock:
            count, self.status_reports = self.status_reports, 0
        return count

    def take_full(self) -> set[str]:
        with self._lock:
            full, self.full = self.full, set()
        return full

    def take_ussd(self) -> list[str]:
        """The ``+CUSD:`` lines seen since the last call."""
        with self._lock:
            lines = list(self.ussd)
            self.ussd.clear()
            self.ussd_arrived.clear()
        return lines
