"""The simulated SIM: its PIN and PUK, the attempts they allow, and the commands that tell them.

A real SIM blocks its PIN after three wrong presentations and then wants its
PUK (ten tries, then it is dead); the counters survive a power cycle, and a
SIM with its PIN enabled asks for it again at every power-up. The commands
that read the counters differ per family (:attr:`Profile.pin_counters`); a
family that lacks one answers it as an unknown command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from modem.simulator.answer import Answer

if TYPE_CHECKING:
    from modem.simulator.profile_base import Profile

PIN_TRIES, PUK_TRIES = 3, 10


@dataclass
class SimCard:
    pin: str | None = None  # the right PIN while the PIN is enabled; None: no PIN asked
    puk: str = "12345678"
    locked: bool = False  # the PIN must be entered (after power-up, or require_pin)
    pin_left: int = PIN_TRIES
    puk_left: int = PUK_TRIES

    @property
    def state(self) -> str:
        """What ``AT+CPIN?`` says: READY, SIM PIN, SIM PUK, or BLOCKED (no more PUK tries: a dead SIM)."""
        if self.puk_left == 0:
            return "BLOCKED"
        if self.pin_left == 0:
            return "SIM PUK"
        return "SIM PIN" if self.locked else "READY"

    def require(self, pin: str) -> None:
        """Enable the PIN (``pin``) and lock: as after a SIM swap or a power cycle."""
        self.pin, self.locked = pin, True

    def power_up(self) -> None:
        if self.pin is not None:
            self.locked = True

    def enter(self, code: str, new_pin: str | None = None) -> bool | None:
        """One ``AT+CPIN=`` presentation: True accepted, False refused, None nothing was asked."""
        state = self.state
        if state == "SIM PIN":
            if code == self.pin:
                self.locked, self.pin_left = False, PIN_TRIES
                return True
            self.pin_left -= 1
            return False
        if state == "SIM PUK":
            if code == self.puk and new_pin:
                self.pin, self.locked, self.pin_left, self.puk_left = new_pin, False, PIN_TRIES, PUK_TRIES
                return True
            self.puk_left -= 1
            return False
        return None


class SimCardCommands:
    """The engine's SIM commands (a mixin of :class:`~modem.simulator.engine.ModemEngine`)."""

    profile: Profile
    card: SimCard
    sms_ready: bool

    cme: Callable[[int], str]  # provided by the engine

    def _answer(self, info: list[str] | None = None, final: str | None = "OK") -> Answer:

        return Answer(info=info or [], final=final)

    def _counter_style(self, style: str) -> bool:
        return style in self.profile.pin_counters

    def _cmd_cpin(self, op: str, arg: str) -> Answer:
        if op == "?":
            state = self.card.state
            if state == "BLOCKED":
                return self._answer(final=self.cme(13))  # SIM failure
            # Wavecom answers the read with the information line alone (no final result).
            return self._answer([f"+CPIN: {state}"], final=None if self.profile.cpin_no_ok else "OK")
        if op == "=?":
            return self._answer()
        if op == "=":
            values = [v.strip().strip('"') for v in arg.split(",")]
            outcome = self.card.enter(values[0], values[1] if len(values) > 1 else None)
            if outcome is None:
                return self._answer(final=self.cme(3))
            if not outcome:
                return self._answer(final=self.cme(16))  # incorrect password
            answer = self._answer()
            answer.unlocked = True
            self.sms_ready = False  # "SMS Ready" follows a moment later
            return answer
        return self._answer(final="ERROR")

    def _cmd_cpinr(self, op: str, arg: str) -> Answer:  # 27.007 §8.65
        if not self._counter_style("cpinr"):
            return self._answer(final=self.profile.unknown_command)
        if op == "=?":
            return self._answer()
        wanted = arg.strip().strip('"').upper() if op == "=" else "*"
        lines = []
        for code, left, full in (("SIM PIN", self.card.pin_left, PIN_TRIES), ("SIM PUK", self.card.puk_left, 10)):
            if wanted in ("*", "SIM*", code):
                lines.append(f"+CPINR: {code},{left},{full}")
        return self._answer(lines)

    def _cmd_v_cpin(self, op: str, arg: str) -> Answer:  # Huawei ^CPIN
        if not self._counter_style("huawei") or op != "?":
            return self._answer(final=self.profile.unknown_command)
        state = self.card.state
        times = {"SIM PIN": self.card.pin_left, "SIM PUK": self.card.puk_left}.get(state, "")
        code = "READY" if state == "READY" else state
        return self._answer([f"^CPIN: {code},{times},{self.card.puk_left},{self.card.pin_left},10,3"])

    def _cmd_qpinc(self, op: str, arg: str) -> Answer:  # Quectel +QPINC
        if not self._counter_style("quectel") or op == "=?":
            return self._answer(final=self.profile.unknown_command if op != "=?" else "OK")
        facility = arg.strip().strip('"').upper() if op == "=" else ""
        lines = []
        if facility in ("", "SC"):
            lines.append(f'+QPINC: "SC",{self.card.pin_left},{self.card.puk_left}')
        if facility in ("", "P2"):
            lines.append('+QPINC: "P2",3,10')
        return self._answer(lines)

    def _cmd_spic(self, op: str, arg: str) -> Answer:  # SIMCom +SPIC
        if not self._counter_style("simcom"):
            return self._answer(final=self.profile.unknown_command)
        return self._answer([f"+SPIC: {self.card.pin_left},{self.card.puk_left},3,10"])

    def _cmd_zpinpuk(self, op: str, arg: str) -> Answer:  # ZTE +ZPINPUK (answered to the test form)
        if not self._counter_style("zte"):
            return self._answer(final=self.profile.unknown_command)
        return self._answer([f"+ZPINPUK: {self.card.pin_left},{self.card.puk_left}"])

    def _cmd_cpinc(self, op: str, arg: str) -> Answer:  # Wavecom +CPINC
        if not self._counter_style("wavecom"):
            return self._answer(final=self.profile.unknown_command)
        if op == "=?":
            return self._answer()
        return self._answer([f"+CPINC: {self.card.pin_left},3,{self.card.puk_left},10"])
