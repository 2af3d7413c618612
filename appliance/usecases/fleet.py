"""A fleet: several boxes sharing one PostgreSQL database, each known by its ``[box] id``.

Every running box writes a heartbeat row (``fleet_box``) on a schedule; the
token's health report lists the boxes with their last heartbeat, so one box
sees that another has gone quiet. A second process claiming the same box id
shows up as a change of the row's random ``instance``, and is reported.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
import socket
from collections.abc import Callable
from typing import Any

from appliance.settings import Settings
from appliance.store import database as store
from appliance.store.models import FleetBox, Payment

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
# A box whose last heartbeat is older than this is reported as quiet.
QUIET_AFTER = dt.timedelta(seconds=HEARTBEAT_SECONDS * 4)


def box_identity(settings: Settings) -> str:
    """``[box] id``, else the host's name (made to fit the id's alphabet)."""
    return settings.box.id or _host_name()[:40]


def _host_name() -> str:
    """The host's name in the id's alphabet."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", socket.gethostname()).strip("-._") or "box"


def default_box_id() -> str:
    """A new box's id: its host's name and four random hex digits (Pis flashed alike share a host name)."""
    return f"{_host_name()[:35]}-{secrets.token_hex(2)}"


def redact_url(url: str) -> str:
    """A database URL without its password, for messages."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


class Fleet:
    """This box's heartbeat, and what the database knows of the others."""

    def __init__(self, settings: Settings, version: str, clock: Callable[[], dt.datetime]) -> None:
        self.box = box_identity(settings)
        self.name = settings.box.name
        self.version = version
        self.clock = clock
        self.instance = secrets.token_hex(8)
        self.started_at = clock()
        self.clash: str | None = None

    def heartbeat(self) -> None:
        """Record that this box is alive; notice another process writing under the same id."""
        now = self.clock()
        with store.write():
            row = FleetBox.get_or_none(FleetBox.box == self.box)
            if row is None:
                FleetBox.insert(
                    box=self.box,
                    instance=self.instance,
                    version=self.version,
                    name=self.name,
                    started_at=self.started_at,
                    heartbeat_at=now,
                ).on_conflict_ignore().execute()
                return
            if row.instance != self.instance and row.heartbeat_at > self.started_at:
                # Someone else wrote this box's row since this process started: a second box with our id.
                self.clash = (
                    f"another running box uses the id {self.box!r} (its heartbeat at "
                    f"{row.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC): give each box its own [box] id"
                )
                log.error("fleet: %s", self.clash)
            else:
                self.clash = None
            FleetBox.update(
                instance=self.instance,
                version=self.version,
                name=self.name,
                started_at=self.started_at,
                heartbeat_at=now,
            ).where(FleetBox.id == row.id).execute()

    def boxes(self) -> list[dict[str, Any]]:
        """Every box that ever beat, newest first, with how long ago and whether it has gone quiet."""
        now = self.clock()
        return [
            {
                "box": row.box,
                "name": row.name,
                "version": row.version,
                "started_at": row.started_at.isoformat(),
                "last_heartbeat": row.heartbeat_at.isoformat(),
                "seconds_ago": max(0, int((now - row.heartbeat_at).total_seconds())),
                "quiet": now - row.heartbeat_at > QUIET_AFTER,
                "this_box": row.box == self.box,
            }
            for row in FleetBox.select().order_by(FleetBox.heartbeat_at.desc())
        ]


def fleet_summary() -> tuple[int, list[str]]:
    """What an existing database holds, for a box about to join it: payments, and the boxes seen."""
    return Payment.select().count(), [row.box for row in FleetBox.select().order_by(FleetBox.box)]
