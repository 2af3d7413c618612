"""Scheduled jobs (APScheduler, UTC triggers, one worker thread per job run).

Each job opens its own database connection. ``coalesce`` and
``max_instances=1`` keep a slow run from piling up behind itself.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from apscheduler.schedulers.base import BaseScheduler

from appliance import db as store
from appliance import systemd

if TYPE_CHECKING:
    from appliance.runtime import Box

log = logging.getLogger(__name__)


def expire_payments(box: "Box") -> int:
    with store.connection():
        count = box.service.expire_due()
    if count:
        log.info("expired %d payment(s)", count)
    return count


def install_jobs(scheduler: BaseScheduler, box: "Box") -> None:
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    scheduler.add_job(expire_payments, "interval", seconds=15, args=[box], id="expire_payments", **common)
    if interval := systemd.watchdog_seconds():
        # systemd restarts the service when these stop (the unit's WatchdogSec=): a hung scheduler counts.
        scheduler.add_job(systemd.watchdog, "interval", seconds=max(1.0, interval / 3), id="systemd_watchdog", **common)
