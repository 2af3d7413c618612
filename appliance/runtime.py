"""The composition root: opens the store, builds the service, the scheduler and the web app, and serves.

This is the one place (with the CLI commands) where ``appliance`` meets
``web`` and ``modem``.
"""
from __future__ import annotations

import datetime as dt
import logging
import signal
from collections.abc import Callable
from typing import Any

import peewee

from appliance import systemd
from appliance.db import open_database
from appliance.migrations import migrate
from appliance.service import Gates, PaymentService, utcnow
from appliance.settings import Settings

log = logging.getLogger(__name__)


def open_store(settings: Settings) -> peewee.Database:
    """Open the database the settings name and bring its schema up to date."""
    db = open_database(settings.database_url, settings.database.busy_timeout_ms)
    version = migrate(db)
    log.debug("store %s at schema version %s", settings.database_url.split("@")[-1], version)
    return db


def build_service(settings: Settings, clock: Callable[[], dt.datetime] = utcnow,
                  gates: Gates | None = None) -> PaymentService:
    open_store(settings)
    return PaymentService(settings, clock=clock, gates=gates)


def parse_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


class Box:
    """The running service: store, scheduler, web server (and, when configured, the modems)."""

    def __init__(self, settings: Settings, clock: Callable[[], dt.datetime] = utcnow) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self.settings = settings
        self.clock = clock
        self.db = open_store(settings)
        self.service = PaymentService(settings, clock=clock, gates=Gates())
        self.scheduler = BackgroundScheduler(timezone=dt.timezone.utc)
        self._server: Any = None

    def health(self) -> dict[str, Any]:
        return {"box": self.settings.box.name, "demo": self.settings.box.demo}

    def _schedule_jobs(self) -> None:
        from appliance.jobs import install_jobs

        install_jobs(self.scheduler, self)

    def make_app(self) -> Any:
        from web.app import create_app

        return create_app(self.service, self.settings, health=self.health)

    def serve(self, listen: str | None = None, on_ready: Callable[[str, int], None] | None = None) -> None:
        """Serve until SIGTERM or Ctrl-C with waitress (threaded; never Bottle's development server)."""
        import waitress

        host, port = parse_listen(listen or self.settings.server.listen)
        app = self.make_app()
        server = waitress.create_server(
            app, host=host, port=port, threads=self.settings.server.threads,
            # Our app answers oversize bodies itself (code 16); waitress only stops the absurd.
            max_request_body_size=self.settings.server.max_body_bytes * 4,
            ident="carttocart", clear_untrusted_proxy_headers=True)
        self._server = server
        self._schedule_jobs()
        self.scheduler.start()
        previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        real_host, real_port = server.effective_host, server.effective_port
        log.warning("CartToCart serving on http://%s:%s", real_host, real_port)
        if on_ready:
            on_ready(str(real_host), int(real_port))
        systemd.ready(f"serving on {real_host}:{real_port}")
        try:
            server.run()
        except KeyboardInterrupt:
            log.warning("stopping")
            systemd.stopping()
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.close()

    def close(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._server is not None:
            self._server.close()
            self._server = None
        if not self.db.is_closed():
            self.db.close()


def _raise_keyboard_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
