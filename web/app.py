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
from appliance.usecases.payment_watch import PaymentWatch, long_poll_limit
from appliance.usecases.service import PaymentService
from appliance.usecases.sms_intake import SmsIngest, build_ingest
from appliance.usecases.teaching import Teaching
from appliance.usecases.webhooks import WebhookQueue
from web.admin.dashboard import Dashboard
from web.admin.split_review import SplitReview
from web.admin.teaching import TeachingPages
from web.api import openapi
from web.api.merchant import MerchantApi, error_response, json_response, request_token
from web.api.sms_handin import SmsApi
from web.pay.payment_page import DemoBank, PaymentPages
from web.rendering import readable_form, static_file

log = logging.getLogger(__name__)

HealthProvider = Callable[[], dict[str, Any]]


def create_app(
    service: PaymentService,
    settings: Settings,
    health: HealthProvider | None = None,
    demo_bank: DemoBank | None = None,
    ingest: SmsIngest | None = None,
    webhooks: WebhookQueue | None = None,
    watch: PaymentWatch | None = None,
) -> bottle.Bottle:
    """The app. ``demo_bank`` (demo mode: pay_id -> the SMS the simulated bank sent), ``ingest`` (for
    ``POST /api/sms``), ``webhooks`` (the dashboard's delivery log) and ``watch`` (the payment page's long
    poll) come from the Box; tests may omit them."""
    app = bottle.Bottle()
    app.install(box_status.per_thread_connection)
    app.add_hook("before_request", readable_form)
    api = MerchantApi(service, settings.server.max_body_bytes)
    api.install(app)
    ingest = ingest or build_ingest(service)
    SmsApi(api, ingest).install(app)
    PaymentPages(service, demo_bank, watch or PaymentWatch(service, long_poll_limit(settings))).install(app)
    dashboard = Dashboard(service, webhooks or WebhookQueue(service), health=lambda: _health_report(service, health))
    dashboard.install(app)
    TeachingPages(dashboard, Teaching(ingest)).install(app)  # "this sender is Bank X", "learn this format"
    SplitReview(dashboard).install(app)
    app.route("/static/<path:path>", "GET", static_file)

    def health_route() -> str:
        report = _health_report(service, health)
        token = service.authenticate(request_token())  # not UTF-8: no token, the short view
        status = 503 if report["status"] == "down" else 200
        if token is None:
            return json_response({"status": report["status"], "version": __version__}, status)
        if report["database"] == "ok":
            report["cards"] = service.capacity()  # free amounts now, today's money against each ceiling
        return json_response(report, status)

    app.route("/api/health", "GET", health_route)
    app.route("/api/openapi.json", "GET", lambda: json_response(openapi.document(app)))

    # Bottle's own 400 (a broken multipart or chunked body, a page's form it cannot read) and 413 (a form
    # over its memory limit) answer with the contract's JSON too, like 404 and 405.
    contract_errors = (
        (400, Code.BODY_MALFORMED),
        (404, Code.NOT_FOUND),
        (405, Code.METHOD_NOT_ALLOWED),
        (413, Code.BODY_TOO_LARGE),
    )
    for status, code in contract_errors:
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
    report["recording"] = {"ok": service.gates.recording_ok()}  # the box's provider adds since, error, ...
    if health:
        report.update(health())
    report["problems"] = _problems(report)
    if report["database"] != "ok":
        report["status"] = "down"
    elif report["problems"]:
        report["status"] = "degraded"
    else:
        report["status"] = "ok"
    return report


def _problems(report: dict[str, Any]) -> list[str]:
    """Why the box is not ok, one plain sentence each (empty when it is)."""
    problems = []
    if report["database"] != "ok":
        problems.append(f"database: {report['database']}")
    if not report["clock_trusted"]:
        problems.append("the clock is not trusted yet: new payments are refused (code 11)")
    if not report["receiving"]:
        problems.append("no modem can receive SMS: new payments are refused (code 10)")
    recording = report["recording"]
    if not recording["ok"]:
        why = f" ({recording['error']})" if recording.get("error") else ""
        problems.append(f"received SMS cannot be stored{why}: they stay on the SIM; new payments are refused (code 22)")
    return problems
