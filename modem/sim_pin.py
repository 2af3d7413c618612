"""Entering the SIM's PIN without ever locking the SIM.

A SIM allows three wrong PINs, then wants its PUK (a call to the operator, or
a lost SIM). The service is restarted by its manager after a failure, so a
wrong PIN entered "once per start" would lock the SIM within three restarts.
The rules here:

* What the SIM said is kept in a :class:`~modem.state_file.StateFile` (the
  box's ``modem-state.json``), per modem: a PIN it refused is never entered
  again until the configured value changes. The PIN is compared by a salted
  PBKDF2 digest; the plaintext is only in the settings file.
* Before a PIN is entered, the attempts left are read where the modem tells
  them (27.007 ``AT+CPINR``, Huawei ``AT^CPIN?``, Quectel ``AT+QPINC``, SIMCom
  ``AT+SPIC``, ZTE ``AT+ZPINPUK=?``, Wavecom ``AT+CPINC``). With one left,
  nothing is entered; when the modem cannot tell and two PINs were refused
  since the last success, nothing is entered either.
* An attempt is written down before the command is sent: a start that died
  (or a modem that never answered) in the middle counts as a refusal unless
  the counter shows the attempts are all there (the PIN was right and the SIM
  asked again after a restart).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from modem.errors import CommandFailed, PinAttemptsLow, PinRefused, PinRequired, SimBlocked, SimError
from modem.families import Family
from modem.state_file import StateFile

log = logging.getLogger(__name__)

__all__ = ["PinCounters", "PinGuard", "SimUnlocker", "parse_counters"]

FULL_PIN_ATTEMPTS = 3  # 3GPP TS 31.102/51.011: a PIN is blocked after three wrong presentations
_ITERATIONS = 100_000
_BLOCKED_STATES = ("SIM PUK", "SIM PUK2", "PH-SIM PIN", "PH-NET PIN", "PH-NET PUK")


@dataclass(frozen=True)
class PinCounters:
    """Attempts left, when the modem tells: ``pin`` before the SIM wants its PUK, ``puk`` before it is dead."""

    pin: int | None = None
    puk: int | None = None


def _numbers(text: str) -> list[int | None]:
    return [int(v) if v.strip().isdigit() else None for v in text.split(",")]


def parse_counters(lines: list[str]) -> PinCounters | None:
    """The counters in any of the answers the families give; None when no line carries them."""
    for line in lines:
        head, _, rest = line.partition(":")
        head = head.strip().upper()
        code, _, after_code = rest.strip().partition(",")
        code = code.strip().strip('"').upper()
        if head == "+CPINR" and code == "SIM PIN":  # +CPINR: SIM PIN,<retries>[,<default>]  (27.007 §8.65)
            return PinCounters(pin=_numbers(after_code)[0])
        if head == "^CPIN":  # ^CPIN: <code>,[<times>],<puk_times>,<pin_times>,<puk2>,<pin2>
            values = _numbers(after_code)
            if len(values) >= 3:
                return PinCounters(pin=values[2], puk=values[1])
        elif head == "+QPINC" and code == "SC":  # +QPINC: "SC",<pin>,<puk>
            counts = _numbers(after_code) + [None, None]
            return PinCounters(pin=counts[0], puk=counts[1])
        elif head in ("+SPIC", "+ZPINPUK"):  # +SPIC: <pin>,<puk>,<pin2>,<puk2>  /  +ZPINPUK: <pin>,<puk>
            counts = _numbers(rest) + [None, None]
            return PinCounters(pin=counts[0], puk=counts[1])
        elif head == "+CPINC":  # +CPINC: <pin1>,<pin2>,<puk1>,<puk2>
            counts = _numbers(rest) + [None] * 4
            return PinCounters(pin=counts[0], puk=counts[2])
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class PinGuard:
    """What one modem's SIM said about the configured PIN, kept in the box's state file (``modems.<name>.sim``)."""

    def __init__(self, state: StateFile | None, modem: str, *, iterations: int = _ITERATIONS) -> None:
        self.state = state or StateFile(None)
        self.modem = modem
        self.iterations = iterations

    # -- reading ------------------------------------------------------------------------------------------
    def record(self) -> dict[str, Any]:
        """The modem's SIM record (empty when nothing was ever written)."""
        return dict(self.state.read().get("modems", {}).get(self.modem, {}).get("sim", {}))

    def refused_before(self, pin: str) -> dict[str, Any] | None:
        """The record, when the SIM refused exactly this PIN earlier."""
        record = self.record()
        refused = record.get("refused_hash")
        return record if refused and refused == self._digest(pin, record) else None

    def pending(self, pin: str) -> bool:
        """An attempt with this PIN was begun and its outcome never written down."""
        record = self.record()
        pending = record.get("pending_hash")
        return bool(pending) and pending == self._digest(pin, record)

    def refusals(self) -> int:
        """PINs refused since the last one the SIM accepted."""
        return int(self.record().get("refusals") or 0)

    # -- writing ------------------------------------------------------------------------------------------
    def note(self, **values: Any) -> dict[str, Any]:
        """Merge ``values`` into the record (None values remove a key); returns the new record."""

        def change(data: dict[str, Any]) -> None:
            data.setdefault("version", 1)
            record = data.setdefault("modems", {}).setdefault(self.modem, {}).setdefault("sim", {})
            record.setdefault("salt", secrets.token_hex(16))
            record.setdefault("iterations", self.iterations)
            for key, value in values.items():
                if value is None:
                    record.pop(key, None)
                else:
                    record[key] = value
            record["updated_at"] = _now()

        return dict(self.state.update(change)["modems"][self.modem]["sim"])

    def attempt(self, pin: str, counters: PinCounters) -> None:
        self._ensure_salt()
        self.note(pending_hash=self._digest(pin, self.record()), attempts_left=counters.pin, puk_left=counters.puk)

    def refused(self, pin: str, counters: PinCounters, message: str) -> None:
        self._ensure_salt()
        self.note(
            state="refused",
            sim_state="SIM PIN",
            refused_hash=self._digest(pin, self.record()),
            refused_at=_now(),
            pending_hash=None,
            refusals=self.refusals() + 1,
            attempts_left=counters.pin,
            puk_left=counters.puk,
            message=message,
        )

    def ready(self, entered: bool) -> None:
        """The SIM says READY (after our PIN when ``entered``); refusals and the pending attempt are over."""
        # A SIM that is READY has had a right PIN (or none is needed): its counter is full again.
        self.note(
            state="ready",
            sim_state="READY",
            pending_hash=None,
            refused_hash=None,
            refusals=0,
            message=None,
            attempts_left=None,
            **({"accepted_at": _now()} if entered else {}),
        )

    def problem(self, state: str, sim_state: str, message: str, counters: PinCounters | None = None) -> None:
        counts = {"attempts_left": counters.pin, "puk_left": counters.puk} if counters else {}
        self.note(state=state, sim_state=sim_state, message=message, **counts)

    # -- internals ----------------------------------------------------------------------------------------
    def _ensure_salt(self) -> None:
        if "salt" not in self.record():
            self.note()

    def _digest(self, pin: str, record: dict[str, Any]) -> str | None:
        salt = record.get("salt")
        if not salt:
            return None
        iterations = int(record.get("iterations") or self.iterations)
        return hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), bytes.fromhex(salt), iterations).hex()


class SimUnlocker:
    """Bring the SIM to READY, entering the configured PIN at most once per value, never the last attempt."""

    def __init__(
        self,
        device: str,
        ask: Callable[[str], list[str]],
        sim_state: Callable[[], str],
        family: Family,
        pin: str | None,
        guard: PinGuard,
        *,
        wait_seconds: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.device = device
        self.ask = ask
        self.sim_state = sim_state
        self.family = family
        self.pin = pin
        self.guard = guard
        self.wait_seconds = wait_seconds
        self.sleep = sleep

    def run(self) -> None:
        """Return once the SIM is READY; raise a :class:`~modem.errors.SimError` subclass saying why not."""
        deadline = time.monotonic() + self.wait_seconds
        entered = False
        while True:
            state = self.sim_state()
            if state == "READY":
                self.guard.ready(entered)
                return
            if state == "SIM PIN":
                if not entered:
                    self._enter()
                    entered = True
                # else: the modem is still checking the PIN; poll
            elif state in _BLOCKED_STATES:
                counters = self.read_counters()
                puk = f" ({counters.puk} PUK attempts left)" if counters.puk is not None else ""
                message = f"{self.device}: the SIM is locked ({state}){puk}; unlock it in a phone"
                self.guard.problem("blocked", state, message, counters)
                raise SimBlocked(message)
            elif not re.search(r"ERROR: (14|515)\b", state) and "BUSY" not in state.upper() and state != "UNKNOWN":
                raise SimError(f"{self.device}: SIM not usable ({state})")
            if time.monotonic() > deadline:
                raise SimError(f"{self.device}: SIM not ready after {self.wait_seconds:.0f} s ({state})")
            self.sleep(0.3)  # SIM busy after the PIN or at boot; nothing to poll but the modem itself

    def read_counters(self) -> PinCounters:
        """The attempts left, from the first of the family's commands that tells them (empty when none does)."""
        for command in self.family.pin_counter:
            try:
                found = parse_counters(self.ask(command))
            except CommandFailed as exc:
                log.debug("%s: %s", self.device, exc)
                continue
            if found is not None:
                return found
        return PinCounters()

    def _enter(self) -> None:
        pin = self.pin
        if not pin:
            message = f"{self.device}: the SIM asks for a PIN and none is configured ([[modems]] pin)"
            self.guard.problem("no_pin", "SIM PIN", message)
            raise PinRequired(message)
        earlier = self.guard.refused_before(pin)
        if earlier is not None:
            left = earlier.get("attempts_left")
            message = (
                f"{self.device}: the SIM refused this PIN on {earlier.get('refused_at', '?')}"
                f"{f' ({left} attempt(s) left)' if left is not None else ''}; it is not entered again: "
                "put the right PIN in [[modems]] pin (a new value is tried once) and restart the service"
            )
            self.guard.note(message=message, state="refused")
            raise PinRefused(message)
        counters = self.read_counters()
        if self.guard.pending(pin):
            if counters.pin is None or counters.pin < FULL_PIN_ATTEMPTS:
                message = (
                    f"{self.device}: an earlier start entered this PIN and never learnt the answer; "
                    f"the SIM still asks for its PIN, so it is taken as refused"
                    f"{f' ({counters.pin} attempt(s) left)' if counters.pin is not None else ''}: "
                    "check [[modems]] pin and restart the service"
                )
                self.guard.refused(pin, counters, message)
                raise PinRefused(message)
            log.info("%s: the last PIN attempt was accepted (all attempts left); entering it again", self.device)
        if counters.pin is not None and counters.pin <= 1:
            message = (
                f"{self.device}: the SIM has {counters.pin} PIN attempt(s) left; the box will not risk it "
                "(a wrong PIN now locks the SIM behind its PUK): unlock the SIM in a phone"
            )
            self.guard.problem("attempts_low", "SIM PIN", message, counters)
            raise PinAttemptsLow(message)
        if counters.pin is None and self.guard.refusals() >= FULL_PIN_ATTEMPTS - 1:
            message = (
                f"{self.device}: {self.guard.refusals()} PINs were refused and the modem cannot tell how many "
                "attempts are left; the box will not risk the last one: unlock the SIM in a phone"
            )
            self.guard.problem("attempts_low", "SIM PIN", message, counters)
            raise PinAttemptsLow(message)
        self.guard.attempt(pin, counters)
        try:
            self.ask(f'AT+CPIN="{pin}"')
        except CommandFailed as exc:
            after = self.read_counters()
            left = f"{after.pin} attempt(s) left" if after.pin is not None else "attempts left unknown"
            message = (
                f"{self.device}: the SIM refused the PIN in [[modems]] pin ({exc.result}; {left}); it will not be "
                "entered again: put the right PIN in the settings (a new value is tried once) and restart the service"
            )
            self.guard.refused(pin, after, message)
            raise PinRefused(message) from exc
