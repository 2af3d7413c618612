"""The simulator's quirks and the faults added for them (a mixin of :class:`~modem.simulator.core.Simulator`).

* :meth:`set_quirk` turns a profile quirk on or off while running
  (``misroute_to``, ``cmti``, ``forgets_cnmi_on_reregistration``, ``class0``,
  ``status_reports``...; see :class:`~modem.simulator.profile_base.Profile`);
* :meth:`fail_command` makes the next commands starting with a prefix fail
  (``+CMS ERROR: 321`` in the middle of a sweep, say);
* :meth:`deliver_status_report` and :meth:`deliver_flash` send what is not a
  deposit, or not stored, among the deposits;
* :meth:`set_network_time` is what NITZ would put in ``+CCLK``;
* :meth:`commands_received` is what the host sent (how many PINs, for one).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from modem.pdu_encode import encode_deliver, encode_status_report

if TYPE_CHECKING:
    from modem.simulator.engine import ModemEngine
    from modem.simulator.profile_base import Profile

QUIRKS = frozenset(
    {
        "class0",
        "misroute_to",
        "forgets_cnmi_on_reregistration",
        "cmti",
        "status_reports",
        "pin_counters",
        "noise_in_answers",
    }
)


class QuirkFaults:
    profile: Profile
    engine: ModemEngine
    commands: list[str]
    default_smsc: str
    _lock: threading.RLock
    _failures: list[list[Any]]  # [command prefix (upper case), kind, code, times left]

    _queue: Callable[[Sequence[str]], None]  # provided by the simulator
    _next_ref: Callable[[int], int]

    def set_quirk(self, name: str, value: Any) -> None:
        """Turn one of the profile's quirks on or off (the others keep their values)."""
        if name not in QUIRKS:
            raise ValueError(f"unknown quirk {name!r}; known: {', '.join(sorted(QUIRKS))}")
        if name == "pin_counters" and value is not None:
            value = tuple(value)
        with self._lock:
            self.profile = dataclasses.replace(self.profile, **{name: value})
            self.engine.profile = self.profile

    def fail_command(self, prefix: str, code: int = 321, kind: str = "CMS", times: int = 1) -> None:
        """The next ``times`` commands starting with ``prefix`` (``AT+CMGD``) answer ``+CMS ERROR: <code>``."""
        if kind not in ("CMS", "CME"):
            raise ValueError(f"kind must be CMS or CME, not {kind!r}")
        with self._lock:
            self._failures.append([prefix.upper(), kind, int(code), int(times)])

    def _injected_failure(self, line: str) -> str | None:
        """The error to answer ``line`` with, if a :meth:`fail_command` applies (call with the lock held)."""
        upper = line.strip().upper()
        for failure in self._failures:
            prefix, kind, code, left = failure
            if left > 0 and upper.startswith(prefix):
                failure[3] -= 1
                return self.engine.cms(code) if kind == "CMS" else self.engine.cme(code)
        return None

    def deliver_status_report(self, recipient: str = "+989121234567", message_ref: int = 1) -> str:
        """The network reports on an SMS "we" sent (a previous owner's, an operator test). Returns the PDU."""
        pdu = encode_status_report(recipient, message_ref=message_ref, smsc=self.default_smsc)
        self._queue([pdu])
        return pdu

    def deliver_flash(self, sender: str, text: str) -> list[str]:
        """A class-0 ("flash") SMS: a phone shows it at once; some modems show it with +CMT and never store it."""
        pdus = encode_deliver(sender, text, smsc=self.default_smsc, ref=self._next_ref(8), message_class=0)
        self._queue(pdus)
        return pdus

    def set_network_time(self, when: datetime | None = None, factory: bool = False) -> None:
        """What ``+CCLK`` tells from now on: ``when`` running on (NITZ), the real time (None), or the epoch."""
        if when is not None and when.tzinfo is None:
            raise ValueError("the network time must be aware (give its offset)")
        with self._lock:
            self.engine.network_time = (when, time.monotonic()) if when is not None else None
            self.engine.factory_clock = factory

    def commands_received(self, prefix: str = "") -> list[str]:
        """The command lines received so far (those starting with ``prefix``, case-insensitive)."""
        with self._lock:
            return [c for c in self.commands if c.upper().startswith(prefix.upper())]
