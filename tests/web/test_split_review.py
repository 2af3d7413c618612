"""The dashboard's split-payment review, suggested settlements and card capacity, over real HTTP."""

from __future__ import annotations

import re

import pytest

from appliance.store.models import Event, Payment
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.operator_login import Accounts
from appliance.usecases.service import NewDeposit
from tests.conftest import MELLAT_CARD, MELLI_CARD, serving
from tests.web.conftest import BrowserPage
from tests.web.test_dashboard import PASSWORD, Client


def _service(make_service, sqlite_url):
    service = make_service(sqlite_url, payments={"max_transfer_rial": 100_000_000})
    service.add_card(MELLI_CARD, "x", daily_limit_rial=300_000_000)
    service.add_card(MELLAT_CARD, "y")
    return service


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_a_partially_paid_payment_is_in_the_queue_and_accepted_in_one_action(make_service, sqlite_url, clock):
    service = _service(make_service, sqlite_url)
    payment = service.create_payment(CreateRequest(price=250_000_000, fid=1)).payment
    parts = service.payment_parts(payment)
    service.record_deposit(NewDeposit(amount=parts[0].amount, source="manual", created_by="t"))
    clock.advance(minutes=16)
    service.expire_due()
    Accounts(clock).set_password(PASSWORD)
    with serving(service) as http:
        client = Client(http.base)
        assert client.login(PASSWORD) == 303
        status, page = client.call("/admin/review")
        assert status == 200 and f'id="partial-{payment.id}"' in page
        assert "پرداخت‌های ناقص" in page and "Partially" not in page  # Persian first
        status, _ = client.call(
            "/admin/review/partial/wait", {"csrf": _csrf(page), "pay_id": str(payment.id), "back": "/admin/review"}
        )
        assert status == 303 and service.waiting_for_rest(payment.id)
        _, page = client.call("/admin/review")
        assert "منتظر بقیه واریزها" in page
        client.call("/admin/review/partial/accept", {"csrf": _csrf(page), "pay_id": str(payment.id), "note": "ok"})
        assert Payment.get_by_id(payment.id).state == "paid"
        _, page = client.call("/admin/review")
        assert f'id="partial-{payment.id}"' not in page


def test_a_suggested_payment_is_settled_from_the_queue(make_service, sqlite_url, clock):
    service = _service(make_service, sqlite_url)
    payment = service.create_payment(CreateRequest(price=120_000, fid=1)).payment
    deposit = service.record_deposit(NewDeposit(amount=120_000, source="manual", created_by="t")).deposit
    Accounts(clock).set_password(PASSWORD)
    with serving(service) as http:
        client = Client(http.base)
        client.login(PASSWORD)
        _, page = client.call("/admin/review")
        assert f'id="suggestion-{deposit.id}"' in page and "مبلغ بدون رقم‌های یکتا واریز شده" in page
        status, _ = client.call("/admin/review/suggested", {"csrf": _csrf(page), "deposit_id": str(deposit.id)})
        assert status == 303
    assert Payment.get_by_id(payment.id).state == "paid"
    event = Event.get((Event.entity_id == payment.id) & (Event.kind == "settled_with_difference"))
    assert event.data["difference"] == 10 and event.actor == "operator:admin"


def test_capacity_per_card_in_health_and_the_dashboard(make_service, sqlite_url, clock):
    service = _service(make_service, sqlite_url)
    _, token = service.add_token("shop")
    payment = service.create_payment(CreateRequest(price=250_000_000, fid=1)).payment
    parts = service.payment_parts(payment)
    service.record_deposit(NewDeposit(amount=parts[0].amount, source="manual", created_by="t"))
    Accounts(clock).set_password(PASSWORD)
    with serving(service, token) as http:
        status, health = http.request("GET", "/api/health")
        assert status == 200
        melli, mellat = health["cards"]  # the card without a ceiling has the most room: the first part is its
        assert parts[0].card_id == mellat["card"] and mellat["received_today"] == parts[0].amount
        assert mellat["daily_limit_rial"] is None and mellat["rial_left"] is None
        assert melli["received_today"] == 0 and melli["open_rial"] == parts[1].amount
        assert melli["rial_left"] == 300_000_000 - parts[1].amount
        # all cards share one scope: two amounts of 83,340,000 and one of 83,320,000 held, one paid
        assert melli["free_amounts"] == mellat["free_amounts"] == melli["amounts_per_price"] - 1
        assert health["partially_paid"] == 0
        status, public = http.request("GET", "/api/health", token="")
        assert "cards" not in public
        client = Client(http.base)
        client.login(PASSWORD)
        status, page = client.call("/admin/capacity")
        assert status == 200 and 'id="capacity"' in page and "ظرفیت کارت‌ها" in page


@pytest.mark.slow
def test_the_review_and_capacity_pages_in_a_browser_speak_persian(make_service, sqlite_url, clock, chromium):
    service = _service(make_service, sqlite_url)
    payment = service.create_payment(CreateRequest(price=250_000_000, fid=1)).payment
    parts = service.payment_parts(payment)
    service.record_deposit(NewDeposit(amount=parts[0].amount, source="manual", created_by="t"))
    near = service.create_payment(CreateRequest(price=3_000_000, fid=2, expire_minutes=60)).payment
    clock.advance(minutes=16)
    service.expire_due()
    deposit = service.record_deposit(NewDeposit(amount=300_000, source="manual", created_by="t")).deposit  # Toman
    Accounts(clock).set_password(PASSWORD)
    browser_page = BrowserPage(chromium, width=1280, height=900)
    try:
        with serving(service) as http:
            page = browser_page.page
            page.goto(f"{http.base}/admin")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("#login")
            page.goto(f"{http.base}/admin/review")
            for box in (f"#partial-{payment.id}", f"#suggestion-{deposit.id}"):
                text = page.locator(box).inner_text()
                assert not re.search(r"[A-Za-z]", text), text
            assert (
                f"#{near.id}".translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
                in page.locator(f"#suggestion-{deposit.id}").inner_text()
            )
            browser_page.screenshot("admin-review-split")
            page.goto(f"{http.base}/admin/capacity")
            text = page.locator("#capacity").inner_text()
            assert not re.search(r"[A-Za-z]", text), text
            browser_page.screenshot("admin-capacity")
            with page.expect_navigation():
                page.goto(f"{http.base}/admin/review")
                page.click(f"#suggestion-{deposit.id} button")
        assert Payment.get_by_id(near.id).state == "paid"
    finally:
        browser_page.close()
