"""Tell systemd how the service is doing (sd_notify), without a dependency.

The appliance runs ``carttocart serve`` as a ``Type=notify`` unit with
``WatchdogSec=``: systemd waits for ``READY=1`` before it counts the service as
started, and restarts it when ``WATCHDOG=1`` stops arriving. Outside systemd
(``$NOTIFY_SOCKET`` unset) every function is a no-op that returns False.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def notify(state: str) -> bool:
    """Send one sd_notify message (``"READY=1"``, ...); True when it was delivered."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # abstract namespace socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode("utf-8"))
    except OSError as exc:
        log.warning("cannot notify systemd (%s): %s", state.split("=", 1)[0], exc)
        return False
    return True


def ready(status: str = "") -> bool:
    """The service is up (call once it listens)."""
    return notify("READY=1" + (f"\nSTATUS={status}" if status else ""))


def watchdog() -> bool:
    """The service is still alive (call from a periodic job, well within WatchdogSec)."""
    return notify("WATCHDOG=1")


def stopping() -> bool:
    """The service is shutting down on purpose."""
    return notify("STOPPING=1")


def watchdog_seconds() -> float | None:
    """How often systemd expects :func:`watchdog` (its ``WatchdogSec=``), or None when unsupervised."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1_000_000
