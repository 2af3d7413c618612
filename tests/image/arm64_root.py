"""The arm64 test root, built in the background from the start of the test session.

Its build runs under qemu-user: about half an hour of CPU on a 2-core machine, nearly all
of it before the first arm64 tier can start. The rest of the suite mostly waits on I/O
(SQLite, loopback HTTP, ptys, Chromium), so the build starts as soon as the session is
collected, at a lower CPU priority (nice 10) than the tests, and the arm64 tiers run
last (tests/image/conftest.py). The ``rootfs`` fixture of test_image_tiers.py then
waits for it instead of building the root itself.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
IMAGE = REPO / "image"
WORK = IMAGE / "build-area"
ROOT = WORK / "rootfs-arm64"
LOG = WORK / "rootfs-arm64.log"


@dataclass
class Build:
    process: subprocess.Popen
    started: float


_build: Build | None = None


def start() -> None:
    """Start building the arm64 root (image/test/build-rootfs.sh) in the background, once."""
    global _build
    if _build is not None:
        return
    WORK.mkdir(parents=True, exist_ok=True)
    with LOG.open("wb") as out:
        process = subprocess.Popen(
            ["nice", "-n", "10", str(IMAGE / "test" / "build-rootfs.sh"), str(ROOT)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CARTTOCART_IMAGE_ARCH": "arm64"},
            start_new_session=True,  # its own process group: stopped as a whole
        )
    _build = Build(process, time.monotonic())
    log.info("building the arm64 root in the background (pid %d, log %s)", process.pid, LOG)


def started() -> bool:
    return _build is not None


def wait(timeout: float) -> tuple[int, str, float]:
    """Wait for the background build: its exit status, the end of its log, its duration in seconds."""
    assert _build is not None, "the arm64 root is not being built"
    try:
        code = _build.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop()
        code = -1
    output = LOG.read_text(encoding="utf-8", errors="replace")[-4000:] if LOG.exists() else ""
    return code, output, time.monotonic() - _build.started


def _session(sid: int) -> list[int]:
    """The processes of a session: build-rootfs.sh and all it started, also those that
    `timeout` put in process groups of their own."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[3]) == sid:  # field 6 of proc(5): the session id
            members.append(int(stat.parent.name))
    return members


def _signal(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def stop() -> None:
    """Stop the background build and every program it started (chroots, qemu-user), if still
    running, and unmount what it had mounted in the root (never leave /dev bound in a tree that
    is removed later)."""
    if _build is None or _build.process.poll() is not None:
        return
    log.warning("stopping the background arm64 build (pid %d)", _build.process.pid)
    _signal(_session(_build.process.pid), signal.SIGTERM)
    try:
        _build.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        _build.process.kill()
        _build.process.wait(timeout=30)
    _signal(_session(_build.process.pid), signal.SIGKILL)
    mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()]
    for mount in sorted((m for m in mounts if m.startswith(f"{ROOT}/")), reverse=True):
        subprocess.run(["umount", "-l", mount], check=False, timeout=60)
