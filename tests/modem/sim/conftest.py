"""Helpers for the simulator's own tests: a started simulator and a tiny AT client over pyserial."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import serial

from tests.polling import wait_until  # noqa: F401 (the modem tests import it from here)

T = TypeVar("T")
FINAL = ("OK", "ERROR", "COMMAND NOT SUPPORT", "+CME ERROR", "+CMS ERROR")


class ATPort:
    """Raw AT over a real pty: send a line, collect the answer up to its final result.

    Every line read is kept in ``history``; :meth:`command` returns the lines from its write up to
    the first final result, and :meth:`expect` walks the history with its own cursor, so a URC is
    found by ``expect`` even when it arrived inside a command's answer.
    """

    def __init__(self, path: Path | str) -> None:
        self.serial = serial.Serial(str(path), 115200, timeout=0.05, exclusive=True)
        self._bytes = b""
        self.history: list[str] = []
        self._expect_cursor = 0

    def close(self) -> None:
        self.serial.close()

    def _pump(self) -> bytes:
        data = self.serial.read(self.serial.in_waiting or 1)
        self._bytes += data
        while b"\r\n" in self._bytes:
            raw, self._bytes = self._bytes.split(b"\r\n", 1)
            line = raw.decode("latin-1").strip("\r")
            if line.strip():
                self.history.append(line)
        return data

    def raw(self, until: Callable[[bytes], bool], timeout: float = 3.0) -> bytes:
        """Read bytes (bypassing the line history) until ``until(buffer)``."""
        buffer = b""
        deadline = time.monotonic() + timeout
        while not until(buffer):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; got {buffer!r}")
            buffer += self.serial.read(self.serial.in_waiting or 1)
        return buffer

    def _wait_line(self, start: int, predicate: Callable[[str], bool], timeout: float) -> int:
        deadline = time.monotonic() + timeout
        position = start
        while True:
            while position < len(self.history):
                if predicate(self.history[position]):
                    return position
                position += 1
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; lines since: {self.history[start:]!r} pending {self._bytes!r}")
            self._pump()

    def command(self, cmd: str, timeout: float = 3.0) -> list[str]:
        """Send ``cmd``; return the lines from then up to and including the first final result."""
        while self.serial.in_waiting:
            self._pump()
        start = len(self.history)
        self.serial.write(cmd.encode() + b"\r")
        end = self._wait_line(start, lambda line: line.startswith(FINAL), timeout)
        return self.history[start : end + 1]

    def expect(self, predicate: Callable[[str], bool], timeout: float = 3.0) -> list[str]:
        """Wait for a line (not yet expected) matching ``predicate``; returns the lines up to it."""
        start = self._expect_cursor
        end = self._wait_line(start, predicate, timeout)
        self._expect_cursor = end + 1
        return self.history[start : end + 1]

    def silent_for(self, cmd: str, timeout: float) -> bytes:
        """Send ``cmd`` and return whatever arrives within ``timeout`` (used to show a hang)."""
        self.serial.write(cmd.encode() + b"\r")
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            data += self._pump()
        return data


@pytest.fixture
def open_port() -> Iterator[Callable[[Path | str], ATPort]]:
    ports: list[ATPort] = []

    def opener(path: Path | str) -> ATPort:
        port = ATPort(path)
        ports.append(port)
        return port

    yield opener
    for port in ports:
        port.close()
