"""The modem library's errors: one type per failure a caller can act on."""

from __future__ import annotations


class ModemError(Exception):
    """Base of every error raised by :mod:`modem`."""


class PduError(ModemError, ValueError):
    """A PDU could not be decoded (malformed, truncated, or not an SMS-DELIVER)."""


class PortError(ModemError):
    """The serial port cannot be found, opened (busy, missing) or has gone away."""


class ModemTimeout(ModemError):
    """The modem did not answer a command in time (it may be hung or rebooting)."""


class CommandFailed(ModemError):
    """The modem answered a command with ERROR, +CME ERROR or +CMS ERROR."""

    def __init__(self, command: str, result: str, lines: list[str] | None = None) -> None:
        super().__init__(f"{command!r} -> {result!r}")
        self.command = command
        self.result = result
        self.lines = lines or []

    @property
    def code(self) -> int | None:
        """The numeric +CME/+CMS error code, if the modem gave one."""
        _, _, tail = self.result.partition(":")
        tail = tail.strip()
        return int(tail) if tail.isdigit() else None

    @property
    def is_cms(self) -> bool:
        return self.result.startswith("+CMS ERROR")


class SimError(ModemError):
    """The SIM is missing, locked (PIN/PUK) or failed; the modem cannot receive."""


class PinRequired(SimError):
    """The SIM asks for a PIN and none (or a wrong one) was configured."""


class PinRefused(PinRequired):
    """The SIM refused the configured PIN, now or at an earlier start: it is not entered again until it changes."""


class PinAttemptsLow(PinRequired):
    """Entering a PIN could lock the SIM (one attempt left, or the modem cannot tell after earlier refusals)."""


class SimBlocked(SimError):
    """The SIM is locked behind its PUK (or another unlock code): it must be unlocked in a phone."""


class SlotChanged(ModemError):
    """A storage slot no longer holds the PDU that was read from it; nothing was deleted."""


class UssdFailed(ModemError):
    """A USSD request got no usable answer (refused, not supported, cancelled by the network, or no reply in time)."""
