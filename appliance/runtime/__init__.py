"""The composition root: opens the store, builds the service, the modems, the scheduler and the web app.

This package (with the CLI commands) is the one place where ``appliance``
meets ``web`` and ``modem``: :class:`Box` is the running service;
:mod:`appliance.runtime.receive_path` joins the modems to the SMS intake.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import peewee

from appliance import __version__
from appliance.settings import ModemSettings, Settings
from appliance.store.database import open_database
from appliance.store.migrations import migrate
from appliance.usecases.service import Gates, PaymentService, utcnow
from appliance.usecases.webhooks import WebhookQueue

log = logging.getLogger(__name__)

SIMULATOR_PROFILE = "sim800"


def open_store(settings: Settings) -> peewee.Database:
    """Open the database the settings name and bring its schema up to date."""
    db = open_database(settings.database_url, settings.database.busy_timeout_ms)
    version = migrate(db, software=__version__)
    log.debug("store %s at schema version %s", settings.database_url.split("@")[-1], version)
    return db


def build_service(
    settings: Settings, clock: Callable[[], dt.datetime] = utcnow, gates: Gates | None = None
) -> PaymentService:
    open_store(settings)
    service = PaymentService(settings, clock=clock, gates=gates)
    _ = service.secret  # settings naming another link key than the database's are refused here
    WebhookQueue(service).install()  # state changes made by the CLI are notified too (the Box delivers)
    return service


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


def simulator_paths(settings: Settings) -> tuple[Path, str]:
    """Where ``serve --simulate`` puts its fake modem: a stable link and a control socket beside the config."""
    folder = settings.base_dir / "simulator"
    return folder / "ttyUSB0", f"unix:{folder / 'control.sock'}"


def with_simulated_modem(settings: Settings) -> Settings:
    """The settings with one modem on the built-in simulator (replacing any configured modem)."""
    link, _ = simulator_paths(settings)
    modem = ModemSettings(name="simulator", port=str(link), profile=SIMULATOR_PROFILE)
    return dataclasses.replace(settings, modems=(modem,))


class Box:
    """The running service: store, scheduler, web server, and the modems' receive path."""

    def __init__(self, settings: Settings, clock: Callable[[], dt.datetime] = utcnow, simulate: bool = False) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        # The running box's parts load with it, not with every CLI command.
        from appliance.runtime.receive_path import ReceivePath
        from appliance.usecases.fleet import Fleet
        from appliance.usecases.payment_watch import PaymentWatch, long_poll_limit
        from appliance.usecases.sms_intake import SmsIngest, build_reader

        self.simulator: Any = None
        if simulate:
            settings = with_simulated_modem(settings)
        self.settings = settings
        self.clock = clock
        self.db = open_store(settings)
        self.exit_code = 0
        gates = Gates(
            receiving_ok=self._receiving_ok, clock_trusted=self._clock_trusted, recording_ok=self._recording_ok
        )
        self.service = PaymentService(settings, clock=clock, gates=gates)
        self.ingest = SmsIngest(self.service, build_reader(settings, clock), clock)
        self.receive = ReceivePath(settings, self.ingest, clock, self._give_up)
        self.webhooks = WebhookQueue(self.service).install()
        _ = self.service.secret  # a box whose settings name another link key than its fleet's stops here
        self.fleet = Fleet(settings, __version__, clock)
        self.watch = PaymentWatch(self.service, long_poll_limit(settings))  # the payment page's long poll
        self.scheduler = BackgroundScheduler(timezone=dt.UTC)
        self.alerts, self.forwarder = self._owner_channels()
        self.started_at = clock()
        self._down_checks: dict[str, int] = {}  # the alert check's count of checks each modem was down in a row
        self._server: Any = None
        self._simulate = simulate

    def _owner_channels(self) -> tuple[Any, Any]:
        """The owner's alerts and forwarded messages: SMS through the modems, webhooks with the tokens' keys."""
        from appliance.usecases.alerts import AlertCenter
        from appliance.usecases.forwarding import Forwarder

        def send_sms(recipient: str, text: str) -> None:
            self.receive.send_sms(recipient, text)

        alerts = AlertCenter(self.service, send_sms=send_sms, secret_for=self.webhooks.secret_for)
        return alerts, Forwarder(self.settings, alerts)

    def alert_facts(self) -> Any:
        """What the alert check needs this minute (appliance.usecases.alerts.Facts)."""
        import shutil

        from appliance.usecases.alerts import Facts, store_facts

        now = self.clock()
        base = self.settings.database_url
        folder = Path(base[len("sqlite:///") :]).parent if base.startswith("sqlite:///") else self.settings.base_dir
        try:
            free_mb: int | None = shutil.disk_usage(folder).free // (1024 * 1024)
        except OSError:
            free_mb = None
        modems = []
        for m in self.receive.status():
            down = m["state"] != "connected" or m.get("registered") is False
            self._down_checks[m["name"]] = self._down_checks.get(m["name"], 0) + 1 if down else 0
            modems.append({"name": m["name"], "state": m["state"], "down_checks": self._down_checks[m["name"]]})
        storable = self.receive.recording_ok() and not any(m.get("storage_full") for m in self.receive.status())
        return Facts(
            now=now,
            receiving_since=self.started_at,
            modems=modems,
            modem_names=tuple(m["name"] for m in modems),
            disk_free_mb=free_mb,
            sms_storable=storable if self.settings.modems else None,
            clock_trusted=self._clock_trusted(),
            **store_facts(self.settings, now),
        )

    def _receiving_ok(self) -> bool:
        return self.receive.receiving_ok()

    def _recording_ok(self) -> bool:
        return self.receive.recording_ok()

    def _give_up(self, reason: str) -> None:
        """A modem cannot be recovered: exit non-zero so the service manager restarts the process."""
        log.critical("giving up on the modem: %s; exiting for a restart", reason)
        self.exit_code = 1
        os.kill(os.getpid(), signal.SIGTERM)

    def _clock_trusted(self) -> bool:
        """DESIGN.md, "The clock": trusted unless the gate is on; then NTP or the modem's network time must vouch."""
        from appliance.box import clock

        return not self.settings.clock.require_trusted or clock.trusted_source() is not None

    def health(self) -> dict[str, Any]:
        report: dict[str, Any] = {"box": self.settings.box.name, "demo": self.settings.box.demo}
        report["modems"] = self.receive.status()
        report["recording"] = self.receive.recording.report()
        report["last_error"] = report["recording"]["last_error"]  # the receive path's latest failure to store
        report["box_id"] = self.fleet.box
        report["fleet"] = self.fleet.boxes()
        if self.fleet.clash:
            report["fleet_problem"] = self.fleet.clash
        return report

    def start_simulator(self) -> None:
        from modem.simulator import Simulator

        link, control = simulator_paths(self.settings)
        link.parent.mkdir(parents=True, exist_ok=True)
        self.simulator = Simulator(link, SIMULATOR_PROFILE, control=control)
        self.simulator.start()
        log.warning("modem simulator (%s) on %s; control %s", SIMULATOR_PROFILE, link, control)

    def start_background(self) -> None:
        """Everything but the web server: simulator (if asked), modems, jobs."""
        from appliance.jobs import install_jobs

        if self._simulate:
            self.start_simulator()
        self.receive.start()
        self.watch.start_listening(self.settings.database_url)  # PostgreSQL: other boxes' settlements too
        install_jobs(self.scheduler, self)
        self.scheduler.start()

    def make_app(self) -> Any:
        from web.app import create_app

        return create_app(
            self.service,
            self.settings,
            health=self.health,
            ingest=self.ingest,
            webhooks=self.webhooks,
            demo_bank=self._demo_bank if self._simulate else None,
            watch=self.watch,
        )

    def _demo_bank(self, pay_id: int) -> str:
        """The payment page's demo button: the simulated bank sends this payment's deposit SMS."""
        from appliance.store.models import Payment
        from appliance.usecases.demo_bank import next_deposit_sms, next_transfer

        amount, account = next_transfer(self.service, Payment.get_by_id(pay_id))
        sms = next_deposit_sms(amount, self.clock(), account)
        self.simulator.deliver_sms(sms.sender, sms.text)
        return sms.text

    def serve(self, listen: str | None = None, on_ready: Callable[[str, int], None] | None = None) -> int:
        """Serve until SIGTERM or Ctrl-C with waitress (threaded; never Bottle's development server)."""
        from appliance.box import systemd

        host, port = parse_listen(listen or self.settings.server.listen)
        app = self.make_app()
        from web.server import create_http_server, tune_interpreter

        tune_interpreter()
        server = create_http_server(app, self.settings, host, port)  # the limits: waitress_options
        self._server = server
        previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            self.start_background()
            real_host, real_port = server.effective_host, server.effective_port
            log.warning("CartToCart serving on http://%s:%s", real_host, real_port)
            systemd.ready()
            if on_ready:
                on_ready(str(real_host), int(real_port))
            server.run()
        except KeyboardInterrupt:
            log.warning("stopping")
            systemd.stopping()
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.close()
        return self.exit_code

    def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.receive.stop()
        self.watch.stop()
        if self.simulator is not None:
            self.simulator.stop()
            self.simulator = None
        if self._server is not None:
            self._server.close()
            self._server = None
        if not self.db.is_closed():
            self.db.close()


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
