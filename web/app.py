"""The Bottle application: ``create_app(service, settings)`` assembles the API, pages, dashboard and errors.

No module-level app and no global configuration: each call builds a fresh
app bound to the service it is given (tests build several).
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any

import bottle
import peewee

from appliance import __version__
from appliance.store import database as store
from appliance.domain.codes import Code
from appliance.usecases.sms_intake import SmsIngest
from appliance.store.models import Deposit, WebhookDelivery
from appliance.usecases.service import DepositState, PaymentService
from appliance.settings import Settings
from appliance.usecases.webhooks import WebhookQueue
from web.api import openapi
from web.api.merchant import MerchantApi, error_response, json_response
from web.admin.dashboard import Dashboard
from web.rendering import static_file
from web.pay.payment_page import DemoBank, PaymentPages
from web.api.sms_handin import SmsApi

log = logging.getLogger(__name__)

HealthProvider = Callable[[], dict[str, Any]]


def _db_connection(callback: Callable[..., Any]) -> Callable[..., Any]:
    """A Bottle plugin: each worker thread keeps its database connection; a broken one is dropped.

    Opening a connection per request (and its pragmas) cost more than the
    request itself; after a database error the connection is closed so the
    next request on this thread starts clean (a restarted PostgreSQL, say).
    """
    @functools.wraps(callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        db = store.ensure_connection()
        try:
            return callback(*args, **kwargs)
        except (peewee.OperationalError, peewee.InterfaceError):
            db.close()
            raise
    return wrapper


def create_app(service: PaymentService, settings: Settings,
               health: HealthProvider | None = None, demo_bank: DemoBank | None = None,
               ingest: SmsIngest | None = None, webhooks: WebhookQueue | None = None) -> bottle.Bottle:
    """The app. ``demo_bank`` (demo mode: pay_id -> the SMS the simulated bank sent), ``ingest`` (for
    ``POST /api/sms``) and ``webhooks`` (the dashboard's delivery log) come from the Box; tests may omit them."""
    from appliance.runtime import build_reader

    app = bottle.Bottle()
    app.install(_db_connection)
    api = MerchantApi(service, settings.server.max_body_bytes)
    api.install(app)
    SmsApi(api, ingest or SmsIngest(service, build_reader(settings, service.clock), service.clock)).install(app)
    PaymentPages(service, demo_bank).install(app)
    Dashboard(service, webhooks or WebhookQueue(service), health=lambda: _health_report(service, health)).install(app)
    app.route("/static/<path:path>", "GET", static_file)

    def health_route() -> str:
        report = _health_report(service, health)
        token = service.authenticate(bottle.request.get_header("token"))
        status = 503 if report["status"] == "down" else 200
        if token is None:
            return json_response({"status": report["status"], "version": __version__}, status)
        return json_response(report, status)

    app.route("/api/health", "GET", health_route)
    app.route("/api/openapi.json", "GET", lambda: json_response(openapi.document(app)))

    for status, code in ((404, Code.NOT_FOUND), (405, Code.METHOD_NOT_ALLOWED)):
        app.error(status)(functools.partial(_contract_error, code))
    app.error(500)(_internal_error)
    return app


def _contract_error(code: Code, error: bottle.HTTPError) -> str:
    body = error_response(code)
    bottle.response.status = code.http_status
    return body


def _internal_error(error: bottle.HTTPError) -> str:
    log.error("unhandled error on %s %s: %r", bottle.request.method, bottle.request.path, error.exception,
              exc_info=error.exception)
    return error_response(Code.INTERNAL)


def _queues() -> dict[str, Any]:
    """What waits for someone: deposits for the operator, webhook deliveries for the shop."""
    return {"review_queue": Deposit.select().where(Deposit.state.in_(list(DepositState.REVIEW))).count(),
            "webhooks": {state: WebhookDelivery.select().where(WebhookDelivery.state == state).count()
                         for state in ("pending", "failed")}}


def _health_report(service: PaymentService, health: HealthProvider | None) -> dict[str, Any]:
    report: dict[str, Any] = {"version": __version__, "time": service.clock().isoformat()}
    try:
        store.database.obj.execute_sql("SELECT 1")
        report["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 -- health must describe any failure, not raise it
        report["database"] = f"error: {exc}"
    if report["database"] == "ok":
        report.update(_queues())
    report["clock_trusted"] = service.gates.clock_trusted()
    report["receiving"] = service.gates.receiving_ok()
    if health:
        report.update(health())
    if report["database"] != "ok":
        report["status"] = "down"
    elif not (report["clock_trusted"] and report["receiving"]):
        report["status"] = "degraded"
    else:
        report["status"] = "ok"
    return report
