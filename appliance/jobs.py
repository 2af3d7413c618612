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
    """Retention: SMS past ``sms.retention_days``, modem samples past ``health.samples_keep_days``;
    then the query planner's statistics are refreshed (:func:`appliance.store.database.refresh_statistics`)."""
    from appliance.store.models import ModemSample

    store.ensure_connection()
    box.ingest.purge()
    cutoff = box.clock() - dt.timedelta(days=box.settings.health.samples_keep_days)
    with store.write():
        store.execute("DELETE FROM modem_sample WHERE at < ?", ModemSample.at.db_value(cutoff))
    store.refresh_statistics()


def deliver_webhooks(box: Box) -> int:
    """Post due webhook deliveries (retries wait with backoff; see appliance.usecases.webhooks)."""
    store.ensure_connection()
    return box.webhooks.deliver_due()


def fleet_heartbeat(box: Box) -> None:
    """Tell the fleet (the boxes sharing this database) that this box is alive."""
    store.ensure_connection()
    box.fleet.heartbeat()


def check_alerts(box: Box) -> dict[str, list[str]]:
    """Raise, repeat and resolve the owner's alerts (appliance.usecases.alerts)."""
    from appliance.usecases.alerts import conditions

    store.ensure_connection()
    alerts = getattr(box, "alerts", None)
    facts = getattr(box, "alert_facts", None)
    if alerts is None or facts is None:
        return {}
    return alerts.evaluate(conditions(facts(), box.settings))


def notify_owner(box: Box) -> int:
    """Queue the messages the forwarding rule sends on, then send the owner's due notices (SMS, webhooks)."""
    store.ensure_connection()
    alerts = getattr(box, "alerts", None)
    forwarder = getattr(box, "forwarder", None)
    if alerts is None:
        return 0
    if forwarder is not None:
        forwarder.run()
    return int(alerts.deliver_due())


def query_sim_balance(box: Box) -> int:
    """Ask each modem's SIM its credit and validity by USSD and keep the answer (appliance.usecases.sim_balance)."""
    from appliance.usecases import sim_balance

    store.ensure_connection()
    receive = getattr(box, "receive", None)
    if receive is None:
        return 0
    done = 0
    for modem, network in receive.network_names().items():
        operator = sim_balance.operator_for(box.settings.sim_balance, network)
        if operator is None:
            log.info("SIM balance of %s: operator of network %r not known; set sim_balance.operator", modem, network)
            continue
        code = sim_balance.code_for(box.settings.sim_balance, operator)
        if not code:
            continue
        try:
            reply, error = receive.ussd(code, modem), None
        except Exception as exc:  # the modem's or the network's refusal: kept as the query's outcome
            reply, error = None, f"{type(exc).__name__}: {exc}"
            log.warning("SIM balance of %s (%s): %s", modem, code, error)
        sim_balance.record(modem, operator, code, reply, error, box.clock)
        done += 1
    return done


def install_jobs(scheduler: BaseScheduler, box: Box) -> None:
    common = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
    scheduler.add_job(expire_payments, "interval", seconds=15, args=[box], id="expire_payments", **common)
    # The first run a minute after the start, so that a box upgraded with a year of data plans well at once.
    scheduler.add_job(
        purge_old_records,
        "interval",
        hours=6,
        args=[box],
        id="purge_old_records",
        next_run_time=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),  # the scheduler's clock is real time
        **common,
    )
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
    scheduler.add_job(check_alerts, "interval", seconds=60, args=[box], id="check_alerts", **common)
    scheduler.add_job(notify_owner, "interval", seconds=10, args=[box], id="notify_owner", **common)
    if box.settings.sim_balance.every_hours and box.settings.modems:
        scheduler.add_job(
            query_sim_balance,
            "interval",
            hours=box.settings.sim_balance.every_hours,
            args=[box],
            id="query_sim_balance",
            next_run_time=box.clock() + dt.timedelta(minutes=2),
            **common,
        )
    if interval := systemd.watchdog_seconds():
        # systemd restarts the service when these stop (the unit's WatchdogSec=): a hung scheduler counts.
        scheduler.add_job(systemd.watchdog, "interval", seconds=max(1.0, interval / 3), id="systemd_watchdog", **common)
