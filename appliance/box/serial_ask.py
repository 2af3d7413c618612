"""One AT command on an open serial link, for the box's own checks (the clock, the doctor).

The service's modem gateway (modem/) owns the port while it runs; these
helpers are for short exchanges before it starts or while it is not running.
"""

from __future__ import annotations

import re
import time
from typing import Protocol

# A final result code ends an answer (3GPP TS 27.007 / V.250).
_FINAL = re.compile(r"(^|\n)(OK|ERROR|\+CME ERROR[^\r\n]*|\+CMS ERROR[^\r\n]*)\r?\n")


class SerialLink(Protocol):
    def reset_input_buffer(self) -> None: ...
    def write(self, data: bytes) -> int | None: ...
    def read(self, size: int) -> bytes: ...


def ask(link: SerialLink, command: str, timeout: float) -> tuple[str, bool]:
    """Send ``command``; return what came back and whether a final result code ended it in time."""
    link.reset_input_buffer()
    link.write(command.encode("ascii") + b"\r")
    deadline = time.monotonic() + timeout
    reply = b""
    while time.monotonic() < deadline:
        reply += link.read(256)
        text = reply.decode("ascii", "replace").replace("\r\n", "\n")
        if _FINAL.search(text):
            return text, True
    return reply.decode("ascii", "replace"), False
