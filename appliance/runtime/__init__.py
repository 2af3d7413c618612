"""The composition root: opens the store, builds the service, the modems, the scheduler and the web app.

This is the one place (with the CLI commands) where ``appliance`` meets
``web`` and ``modem``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import peewee

from appliance.settings import ModemSettings, Settings
from appliance.store import database as store
from appliance.store.database import open_database
from appliance.store.migrations import migrate
from appliance.store.models import ModemSample
from appliance.usecases.service import Gates, PaymentService, utcnow
from appliance.usecases.sms_intake import Concat, RawPart, SmsIngest, build_reader
from appliance.usecases.webhooks import WebhookQueue

log = logging.getLogger(__name__)

SIMULATOR_PROFILE = "sim800"


def open_store(settings: Settings) -> peewee.Database:
    """Open the database the settings name and bring its schema up to date."""
    db = open_database(settings.database_url, settings.database.busy_timeout_ms)
    version = migrate(db)
    log.debug("store %s at schema version %s", settings.database_url.split("@")[-1], version)
    return db


def build_service(
    settings: Settings, clock: Callable[[], dt.datetime] = utcnow, gates: Gates | None = None
) -> PaymentService:
    open_store(settings)
    service = PaymentService(settings, clock=clock, gates=gates)
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


class ReceivePath:
    """The configured modems: a receiver each, parts into the store, health samples, the receive gate."""

    def __init__(
        self, settings: Settings, ingest: SmsIngest, clock: Callable[[], dt.datetime], on_give_up: Callable[[str], None]
    ) -> None:
        self.settings = settings
        self.ingest = ingest
        self.clock = clock
        self.on_give_up = on_give_up
        self.receivers: dict[str, Any] = {}
        self._last_able: dict[str, dt.datetime] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        from modem.gateway import ModemGateway
        from modem.receiver import Receiver

        now = self.clock()
        for cfg in self.settings.modems:
            # A grace period at start-up: a modem counts as able until it has had time to prove otherwise.
            self._last_able[cfg.name] = now

            def factory(cfg: ModemSettings = cfg) -> ModemGateway:
                return ModemGateway(
                    cfg.port,
                    baudrate=cfg.baudrate,
                    rtscts=cfg.rtscts,
                    dsrdtr=cfg.dsrdtr,
                    pin=cfg.pin or None,
                    profile=cfg.profile,
                    usb_id=cfg.usb_id or None,
                )

            receiver = Receiver(
                factory,
                self._sink(cfg.name),
                sweep_seconds=self.settings.health.sweep_seconds,
                name=cfg.name,
                on_health=self._health(cfg.name),
                health_seconds=self.settings.health.sample_seconds,
                on_give_up=self.on_give_up,
            )
            self.receivers[cfg.name] = receiver
            receiver.start()
            log.info("receiving SMS from modem %s on %s", cfg.name, cfg.port)

    def stop(self) -> None:
        for receiver in self.receivers.values():
            receiver.stop()

    def _sink(self, modem: str) -> Callable[[Any], None]:
        def sink(stored: Any) -> None:
            store.ensure_connection()
            pdu = stored.pdu
            concat = pdu.concat if pdu else None
            part = RawPart(
                modem=modem,
                pdu_hex=stored.pdu_hex,
                received_at=self.clock(),
                memory=stored.memory,
                index=stored.index,
                sender=pdu.sender if pdu else None,
                smsc=pdu.smsc if pdu else None,
                scts=pdu.scts if pdu else None,
                text=pdu.text if pdu else None,
                error=stored.error,
                concat=Concat(concat.ref, concat.total, concat.seq, concat.ref_bits) if concat else None,
            )
            self.ingest.store_part(part)  # raises if it cannot commit: the part stays on the SIM
            try:
                self.ingest.process_ready()
            except Exception:  # the part is committed; the scheduled job will process it again
                log.exception("processing stored SMS failed; will retry")

        return sink

    def _health(self, modem: str) -> Callable[[Any], None]:
        from modem.health import assess

        def on_health(sample: Any) -> None:
            verdict = assess(sample, self.clock())
            if verdict.can_receive:
                with self._lock:
                    self._last_able[modem] = self.clock()
            store.ensure_connection()
            try:
                with store.write():
                    ModemSample.create(
                        modem=modem,
                        at=sample.at,
                        responsive=sample.responsive,
                        registered=sample.registered,
                        sim_state=sample.sim_state,
                        operator=sample.operator,
                        signal_dbm=sample.signal_dbm,
                        storage_used=sample.storage_used,
                        storage_total=sample.storage_total,
                        detail={
                            "registration": sample.registration,
                            "csq": sample.signal_csq,
                            "error": sample.error,
                            "problems": list(verdict.problems),
                            "last_sms_at": sample.last_sms_at.isoformat() if sample.last_sms_at else None,
                        },
                    )
            except peewee.PeeweeException:
                log.exception("could not store the health sample of %s", modem)

        return on_health

    def receiving_ok(self) -> bool:
        """With modems configured: has at least one been able to receive within the threshold?"""
        if not self.settings.modems:
            return True
        limit = dt.timedelta(minutes=self.settings.health.receive_down_after_minutes)
        now = self.clock()
        with self._lock:
            return any(now - at <= limit for at in self._last_able.values())

    def status(self) -> list[dict[str, Any]]:
        out = []
        for receiver in self.receivers.values():
            status = receiver.status
            out.append(
                {
                    k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                    for k, v in status.items()
                    if k not in ("health", "identity")
                }
            )
        return out


class Box:
    """The running service: store, scheduler, web server, and the modems' receive path."""

    def __init__(self, settings: Settings, clock: Callable[[], dt.datetime] = utcnow, simulate: bool = False) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self.simulator: Any = None
        if simulate:
            settings = with_simulated_modem(settings)
        self.settings = settings
        self.clock = clock
        self.db = open_store(settings)
        self.exit_code = 0
        gates = Gates(receiving_ok=self._receiving_ok, clock_trusted=self._clock_trusted)
        self.service = PaymentService(settings, clock=clock, gates=gates)
        self.ingest = SmsIngest(self.service, build_reader(settings, clock), clock)
        self.receive = ReceivePath(settings, self.ingest, clock, self._give_up)
        self.webhooks = WebhookQueue(self.service).install()
        self.scheduler = BackgroundScheduler(timezone=dt.UTC)
        self._server: Any = None
        self._simulate = simulate

    def _receiving_ok(self) -> bool:
        return self.receive.receiving_ok()

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
        )

    def _demo_bank(self, pay_id: int) -> str:
        """The payment page's demo button: the simulated bank sends this payment's deposit SMS."""
        from appliance.store.models import Payment
        from appliance.usecases.demo_bank import next_deposit_sms

        sms = next_deposit_sms(Payment.get_by_id(pay_id).amount, self.clock())
        self.simulator.deliver_sms(sms.sender, sms.text)
        return sms.text

    def serve(self, listen: str | None = None, on_ready: Callable[[str, int], None] | None = None) -> int:
        """Serve until SIGTERM or Ctrl-C with waitress (threaded; never Bottle's development server)."""
        import waitress

        from appliance.box import systemd

        host, port = parse_listen(listen or self.settings.server.listen)
        app = self.make_app()
        server = waitress.create_server(
            app,
            host=host,
            port=port,
            threads=self.settings.server.threads,
            # Our app answers oversize bodies itself (code 16); waitress only stops the absurd.
            max_request_body_size=self.settings.server.max_body_bytes * 4,
            ident="carttocart",
            clear_untrusted_proxy_headers=True,
        )
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
