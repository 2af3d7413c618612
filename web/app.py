"""The Bottle application: ``create_app(service, settings)`` assembles the API, pages, dashboard and errors.

No module-level app and no global configuration: each call builds a fresh
app bound to the service it is given (tests build several).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import bottle

from appliance import __version__
from appliance.domain.codes import Code
from appliance.settings import Settings
from appliance.usecases import status as box_status
from appliance.usecases.service import PaymentService
from appliance.usecases.sms_intake import SmsIngest, build_ingest
from appliance.usecases.webhooks import WebhookQueue
from web.admin.dashboard import Dashboard
from web.api import openapi
from web.api.merchant import MerchantApi, error_response, json_response
from web.api.sms_handin import SmsApi
from web.pay.payment_page import DemoBank, PaymentPages
from web.rendering import static_file

log = logging.getLogger(__name__)

HealthProvider = Callable[[], dict[str, Any]]


def create_app(
    service: PaymentService,
    settings: Settings,
    health: HealthProvider | None = None,
    demo_bank: DemoBank | None = None,
    ingest: SmsIngest | None = None,
    webhooks: WebhookQueue | None = None,
) -> bottle.Bottle:
    """The app. ``demo_bank`` (demo mode: pay_id -> the SMS the simulated bank sent), ``ingest`` (for
    ``POST /api/sms``) and ``webhooks`` (the dashboard's delivery log) come from the Box; tests may omit them."""
    app = bottle.Bottle()
    app.install(box_status.per_thread_connection)
    api = MerchantApi(service, settings.server.max_body_bytes)
    api.install(app)
    SmsApi(api, ingest or build_ingest(service)).install(app)
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
    log.error(
        "unhandled error on %s %s: %r",
        bottle.request.method,
        bottle.request.path,
        error.exception,
        exc_info=error.exception,
    )
    return error_response(Code.INTERNAL)


def _health_report(service: PaymentService, health: HealthProvider | None) -> dict[str, Any]:
    report: dict[str, Any] = {"version": __version__, "time": service.clock().isoformat()}
    report["database"] = box_status.database_status()
    if report["database"] == "ok":
        report.update(box_status.waiting_work())
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
