"""Helpers for the appliance tests: a real pseudo-terminal modem that answers AT commands;
the arm64 image tiers moved to the end of the session, their root built in the background."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import threading
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def wait_until(predicate: Callable[[], object], timeout: float, step: float = 0.05) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


class PtyModem:
    """Answers AT commands on a real pty; ``replies`` maps a command to its reply lines."""

    def __init__(self, replies: dict[str, str]) -> None:
        self.replies = replies
        self.received: list[str] = []
        self.master, slave = pty.openpty()
        tty.setraw(slave)
        self.port = os.ttyname(slave)
        self._slave = slave
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        buffer = b""
        while not self._stop.is_set():
            try:
                import select

                ready, _, _ = select.select([self.master], [], [], 0.05)
                if not ready:
                    continue
                buffer += os.read(self.master, 1024)
            except OSError:
                return
            while b"\r" in buffer:
                line, _, buffer = buffer.partition(b"\r")
                command = line.decode("ascii", "replace").strip()
                if not command:
                    continue
                self.received.append(command)
                reply = self.replies.get(command, "ERROR")
                os.write(self.master, f"\r\n{reply}\r\n".encode("ascii"))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def pty_modem() -> Iterator[Callable[[dict[str, str]], PtyModem]]:
    modems: list[PtyModem] = []

    def make(replies: dict[str, str]) -> PtyModem:
        modem = PtyModem(replies)
        modems.append(modem)
        return modem

    yield make
    for modem in modems:
        modem.close()


REPO = Path(__file__).resolve().parents[2]


def arm64_wanted() -> bool:
    """The arm64 image tiers run in make test; CARTTOCART_IMAGE_ARM64=0 leaves them out (image/README.md, "Tests").
    Their guests boot on one vCPU: two hung once in 13 boots (a soft lockup in modprobe under multi-threaded
    TCG), one vCPU booted 36 times with no hang."""
    return os.environ.get("CARTTOCART_IMAGE_ARM64", "1") != "0"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the arm64 image tiers last and start building their root now (tests/image/arm64_root.py),
    so that its emulated build overlaps the rest of the session."""
    from tests.image import arm64_root

    arm64 = [item for item in items if "test_image_tiers.py" in item.nodeid and "[arm64]" in item.nodeid]
    if not arm64:
        return
    chosen = set(arm64)
    items[:] = [item for item in items if item not in chosen] + arm64
    if not arm64_wanted() or os.geteuid() != 0 or config.getoption("collectonly"):
        return
    subprocess.run([str(REPO / "image" / "test" / "install-deps.sh")], capture_output=True, timeout=900)
    if (
        shutil.which("arch-test")
        and subprocess.run(["arch-test", "arm64"], capture_output=True, timeout=60).returncode == 0
    ):
        arm64_root.start()


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.image import arm64_root

    arm64_root.stop()
