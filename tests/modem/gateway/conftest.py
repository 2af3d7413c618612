"""Helpers for the gateway's tests: simulators on real pseudo-terminals, a recording sink, polling."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest

from modem.gateway import ModemGateway, StoredPart
from modem.receiver import Receiver
from tests.polling import wait_until  # noqa: F401 (the modem tests import it from here)

T = TypeVar("T")


class RecordingSink:
    """The receiver's sink: records every part it is given; can be told to fail."""

    def __init__(self) -> None:
        self.parts: list[StoredPart] = []
        self.failures_left = 0
        self._lock = threading.Lock()

    def __call__(self, part: StoredPart) -> None:
        with self._lock:
            if self.failures_left > 0:
                self.failures_left -= 1
                raise RuntimeError("the database is down")
            self.parts.append(part)

    @property
    def pdus(self) -> list[str]:
        with self._lock:
            return [p.pdu_hex for p in self.parts]

    def texts(self) -> list[str]:
        with self._lock:
            return [p.pdu.text for p in self.parts if p.pdu is not None]


@pytest.fixture
def make_receiver() -> Iterator[Callable[..., tuple[Receiver, RecordingSink]]]:
    receivers: list[Receiver] = []

    def factory(
        port: str, *, pin: str | None = None, command_timeout: float = 1.0, sweep_seconds: float = 30, **kwargs: object
    ) -> tuple[Receiver, RecordingSink]:
        sink = RecordingSink()
        rx = Receiver(
            lambda: ModemGateway(port, pin=pin, command_timeout=command_timeout),
            sink,
            sweep_seconds=sweep_seconds,
            max_retry_seconds=0.5,
            **kwargs,
        )  # type: ignore[arg-type]
        rx.start()
        receivers.append(rx)
        wait_until(
            lambda: rx.status["state"] == "connected" and rx.status["sweeps"] >= 1 and rx.status["health"],
            what="the first sweep and health sample",
        )
        return rx, sink

    yield factory
    for rx in receivers:
        rx.stop()
