"""Health readings of one modem (registration, operator, signal, clock), each from one AT command.

Each function takes ``ask``: a command in, its information lines out, or None when the modem refused it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Ask = Callable[[str], "list[str] | None"]

_REGISTRATION = {0: "not registered", 1: "home", 2: "searching", 3: "denied", 4: "unknown", 5: "roaming"}


def _quoted(line: str) -> list[str]:
    return re.findall(r'"([^"]*)"', line)


def _fields(line: str) -> list[str]:
    _, _, rest = line.partition(":")
    return [f.strip().strip('"') for f in rest.split(",")]


def registration(ask: Ask) -> str | None:
    """``home``, ``roaming``, ``searching``... from ``+CREG?`` (circuit) or ``+CEREG?`` (LTE), the better one."""
    best = None
    for command in ("AT+CREG?", "AT+CEREG?"):
        for line in ask(command) or []:
            values = _fields(line)
            if len(values) >= 2 and values[1].isdigit():
                state = _REGISTRATION.get(int(values[1]), "unknown")
                if state in ("home", "roaming"):
                    return state
                best = best or state
    return best


def operator(ask: Ask) -> str | None:
    for line in ask("AT+COPS?") or []:
        names = _quoted(line)
        if names:
            return names[0]
    return None


def signal(ask: Ask) -> tuple[int | None, int | None]:
    """(CSQ, dBm) from ``+CSQ``; (None, None) when unknown (99)."""
    for line in ask("AT+CSQ") or []:
        values = _fields(line)
        if values and values[0].isdigit():
            rssi = int(values[0])
            if 0 <= rssi <= 31:
                return rssi, -113 + 2 * rssi  # 27.007 §8.5
            return None, None
    return None, None


def network_clock(ask: Ask) -> str | None:
    """The modem's clock as it answers (``+CCLK: "yy/MM/dd,hh:mm:ss±zz"``), set by the network (NITZ)."""
    for line in ask("AT+CCLK?") or []:
        if line.upper().startswith("+CCLK:"):
            return line
    return None
