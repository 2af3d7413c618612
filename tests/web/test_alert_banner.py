"""The alert banner on every dashboard page and the alerts page, in Persian and English, in real Chromium."""

from __future__ import annotations

import re

import pytest

from appliance.usecases import sim_balance
from appliance.usecases.alerts import AlertCenter, Condition
from appliance.usecases.operator_login import Accounts
from appliance.usecases.service import PaymentService
from tests.conftest import serving
from tests.web.conftest import BrowserPage

PASSWORD = "correct horse battery"
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def _login(page, base: str) -> None:
    page.goto(f"{base}/admin")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("#login")


@pytest.mark.slow
@pytest.mark.parametrize("width,height,name", [(412, 915, "phone"), (1280, 900, "laptop")])
def test_banner_shows_while_an_alert_lasts_and_goes_when_it_clears(
    make_service, sqlite_url, clock, chromium, width: int, height: int, name: str
) -> None:
    service: PaymentService = make_service(sqlite_url, alerts={"owner_phone": "09121234567"})
    Accounts(clock).set_password(PASSWORD)
    center = AlertCenter(service)
    center.evaluate(
        [
            Condition("sim_credit", "sim_credit", True, {"credit": 20_000}),
            Condition("modem_down:sim", "modem_down", True, {"modem": "sim"}),
        ]
    )
    sim_balance.record("sim", "mci", "*140*11#", "اعتبار اصلی شما ۲۰٬۰۰۰ ریال. انقضا ۱۴۰۶/۰۳/۳۱", None, clock)
    center.queue_sms("forward", "[CartToCart] از BankMellat:\nرمز پویا: 482913")
    browser = BrowserPage(chromium, width=width, height=height)
    try:
        with serving(service) as http:
            page = browser.page
            _login(page, http.base)
            banners = page.locator(".alert-banner")
            assert banners.count() == 2
            text = banners.all_inner_texts()
            assert any("اعتبار سیم‌کارت کم است: ۲۰٬۰۰۰ ریال (۲٬۰۰۰ تومان)" in t for t in text), text
            browser.screenshot(f"alerts-banner-fa-{name}")
            page.goto(f"{http.base}/admin/payments")  # on every page
            assert page.locator(".alert-banner").count() == 2
            page.goto(f"{http.base}/admin/alerts")
            persian = page.locator("main").inner_text()
            # No English word on the Persian page but the sender's own name and the box's name.
            leftovers = set(ENGLISH_WORD.findall(persian)) - {"BankMellat", "CartToCart", "sim"}
            assert not leftovers, leftovers
            assert "بازارسال" in persian and "رمز پویا" in persian
            assert page.locator("#sim-balance").inner_text() == (
                "اعتبار: ۲۰٬۰۰۰ ریال (۲٬۰۰۰ تومان) · مهلت تا ۱۴۰۶/۰۳/۳۱ · پرسیده شده ۷ آذر ۱۴۰۵، ۱۱:۳۰"
            )
            browser.screenshot(f"alerts-page-fa-{name}")
            page.goto(f"{http.base}/admin/alerts?lang=en")
            english = page.locator("main").inner_text()
            assert "The SIM's credit is low: 20,000 Rial (2,000 Toman)." in english
            assert "Modem 'sim' is gone or not registered on the network." in english
            assert "20,000 Rial (2,000 Toman) · valid until 2027-06-21" in english
            browser.screenshot(f"alerts-page-en-{name}")
            center.evaluate(
                [Condition("sim_credit", "sim_credit", False), Condition("modem_down:sim", "modem_down", False)]
            )
            page.goto(f"{http.base}/admin")
            assert page.locator(".alert-banner").count() == 0
            assert browser.foreign_requests() == []
    finally:
        browser.close()
