"""Scheduled jobs (APScheduler, UTC triggers, one worker thread per job run).

Each job opens its own database connection. ``coalesce`` and
``max_instances=1`` keep a slow run from piling up behind itself.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

from apscheduler.schedulers.base import BaseScheduler

from appliance.box import systemd
from appliance.settings import Settings
from appliance.store import database as store
from appliance.usecases.fleet import HEARTBEAT_SECONDS, Fleet
from appliance.usecases.service import PaymentService
from appliance.usecases.sms_intake import SmsIngest
from appliance.usecases.webhooks import WebhookQueue

log = logging.getLogger(__name__)


class Box(Protocol):
    """What the jobs need of the running box (:class:`appliance.runtime.Box` is one)."""

    settings: Settings
    service: PaymentService
    ingest: SmsIngest
    webhooks: WebhookQueue
    fleet: Fleet
    clock: Callable[[], dt.datetime]


def expire_payments(box: Box) -> int:
    store.ensure_connection()
    count = box.service.expire_due()
    if count:
        log.info("expired %d payment(s)", count)
    return count


def process_stored_sms(box: Box) -> int:
    """Messages whose parts are all stored (or timed out) and not yet processed: after a crash, or a late part."""
    store.ensure_connection()
    return box.ingest.process_ready()


def purge_old_records(box: Box) -> None:
    """Retention: SMS past ``sms.retention_days``, modem samples past ``health.samples_keep_days``."""
    from appliance.store.models import ModemSample

    store.ensure_connection()
    box.ingest.purge()
    cutoff = box.clock() - dt.timedelta(days=box.settings.health.samples_keep_days)
    with store.write():
        store.execute("DELETE FROM modem_sample WHERE at < ?", ModemSample.at.db_value(cutoff))


def deliver_webhooks(box: Box) -> int:
    """Post due webhook deliveries (retries wait with backoff; see appliance.usecases.webhooks)."""
    store.ensure_connection()
    return box.webhooks.deliver_due()


def fleet_heartbeat(box: Box) -> None:
    """Tell the fleet (the boxes sharing this database) that this box is alive."""
    store.ensure_connection()
    box.fleet.heartbeat()


def install_jobs(scheduler: BaseScheduler, box: Box) -> None:
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    scheduler.add_job(expire_payments, "interval", seconds=15, args=[box], id="expire_payments", **common)
    scheduler.add_job(purge_old_records, "interval", hours=6, args=[box], id="purge_old_records", **common)
    # Run once right away (messages left from before a restart), then every minute.
    scheduler.add_job(
        process_stored_sms,
        "interval",
        seconds=60,
        args=[box],
        id="process_stored_sms",
        next_run_time=box.clock(),
        **common,
    )
    scheduler.add_job(deliver_webhooks, "interval", seconds=5, args=[box], id="deliver_webhooks", **common)
    scheduler.add_job(
        fleet_heartbeat,
        "interval",
        seconds=HEARTBEAT_SECONDS,
        args=[box],
        id="fleet_heartbeat",
        next_run_time=box.clock(),
        **common,
    )
    if interval := systemd.watchdog_seconds():
        # systemd restarts the service when these stop (the unit's WatchdogSec=): a hung scheduler counts.
        scheduler.add_job(systemd.watchdog, "interval", seconds=max(1.0, interval / 3), id="systemd_watchdog", **common)
