"""When received SMS cannot be stored: ``create`` answers code 22, health is degraded with the reason, and the
dashboard's overview says so in Persian (first) and English."""

from __future__ import annotations

import re
from typing import Any

from appliance.usecases.operator_login import Accounts
from appliance.usecases.service import Gates, PaymentService
from tests.conftest import SAMAN_CARD, make_settings, serving
from tests.web.test_dashboard import PASSWORD, Client

FAILING = {
    "ok": False,
    "since": "2026-11-28T08:00:00+00:00",
    "error": "database or disk is full",
    "failures": 3,
    "last_stored_at": None,
    "last_error": "database or disk is full",
    "last_error_at": "2026-11-28T08:01:00+00:00",
}


def _service(sqlite_url: str, clock: Any, recording_ok: bool) -> PaymentService:
    return PaymentService(make_settings(sqlite_url), clock=clock, gates=Gates(recording_ok=lambda: recording_ok))


def _alert(page: str) -> str | None:
    found = re.search(r'<p class="flash bad" id="recording-alert">(.*?)</p>', page, re.S)
    return found.group(1) if found else None


def test_code_22_and_a_degraded_health_from_the_recording_gate(make_service, sqlite_url, clock):
    base = make_service(sqlite_url)
    base.add_card(SAMAN_CARD, "x")
    _, token = base.add_token("shop")
    with serving(_service(sqlite_url, clock, False), token, health=lambda: {"recording": FAILING}) as http:
        status, body = http.post_form("/api/create", {"price": 500_000, "fid": 1})
        assert (status, body["code"]) == (503, 22) and body["msg_fa"]
        status, short = http.get("/api/health", token="")
        assert (status, short) == (200, {"status": "degraded", "version": short["version"]})
        detail = http.get("/api/health")[1]
        assert detail["status"] == "degraded" and detail["recording"]["error"] == "database or disk is full"
        assert detail["problems"] == [
            "received SMS cannot be stored (database or disk is full): "
            "they stay on the SIM; new payments are refused (code 22)"
        ]
    with serving(_service(sqlite_url, clock, True), token) as http:  # no provider: the gate alone
        assert http.get("/api/health")[1]["recording"] == {"ok": True}
        assert http.post_form("/api/create", {"price": 500_000, "fid": 1})[1]["code"] == 200


def test_the_overview_alerts_in_persian_and_in_english(make_service, sqlite_url, clock):
    make_service(sqlite_url)
    Accounts(clock).set_password(PASSWORD)
    with serving(_service(sqlite_url, clock, False), health=lambda: {"recording": FAILING}) as http:
        client = Client(http.base)
        assert client.login(PASSWORD) == 303
        status, persian = client.call("/admin")
        assert status == 200
        alert = _alert(persian)
        assert alert is not None and "پیامک‌های دریافتی ذخیره نمی‌شوند" in alert and "پر است" in alert
        assert not re.search(r"[A-Za-z]", re.sub(r"<[^>]*>", "", alert)), alert  # no English word in Persian
        assert '<span id="recording">خیر</span>' in persian
        _, english = client.call("/admin?lang=en")
        alert = _alert(english)
        assert alert is not None and "Received SMS cannot be stored" in alert and "database or disk is full" in alert
        assert "7 Azar 1405, 11:30" in alert  # since: the Jalali day, in Tehran time
    with serving(_service(sqlite_url, clock, True)) as http:
        client = Client(http.base)
        assert client.login(PASSWORD) == 303
        _, page = client.call("/admin?lang=fa")
        assert _alert(page) is None and '<span id="recording">بله</span>' in page
