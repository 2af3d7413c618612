"""The payment page learns "paid" from a held request (a long poll), not by asking every 3 s."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from urllib.parse import urlsplit

import pytest

from appliance.usecases.payment_watch import PaymentWatch
from appliance.usecases.service import NewDeposit, PaymentService
from tests.conftest import serving
from tests.polling import wait_until
from tests.web.conftest import BrowserPage

MELLAT_ACCOUNT = "6204718359"


def _status(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=40) as resp:
        return json.loads(resp.read())


def _pay(service: PaymentService, amount: int) -> None:
    service.record_deposit(NewDeposit(amount=amount, source="sms", created_by="t", account=MELLAT_ACCOUNT))


def test_a_held_status_request_answers_when_the_deposit_settles(two_cards: PaymentService):
    _, token = two_cards.add_token("shop")
    with serving(two_cards, token) as http:
        _, created = http.post_form("/api/create", {"price": 120000, "fid": 1, "callback": "https://shop.example/back"})
        status_url = http.base + urlsplit(created["link"]).path + "/status?wait=20"
        timer = threading.Timer(0.5, _pay, (two_cards, created["amount"]))
        started = time.monotonic()
        timer.start()
        body = _status(status_url)  # held until the deposit settles
        took = time.monotonic() - started
        timer.join()
        assert body["state"] == "paid" and body["waited"] is True
        assert 0.4 < took < 5, took  # answered by the settlement itself, not by a deadline
        body = _status(http.base + urlsplit(created["link"]).path + "/status")
        assert body["state"] == "paid" and body["waited"] is False  # without ?wait: at once, as before


def test_past_its_limit_a_status_request_answers_at_once(two_cards: PaymentService):
    _, token = two_cards.add_token("shop")
    watch = PaymentWatch(two_cards, limit=0)
    with serving(two_cards, token, watch=watch) as http:
        _, created = http.post_form("/api/create", {"price": 120000, "fid": 2, "callback": "https://shop.example/back"})
        started = time.monotonic()
        body = _status(http.base + urlsplit(created["link"]).path + "/status?wait=20")
        assert body == {"state": "pending", "seconds_left": body["seconds_left"], "waited": False}
        assert time.monotonic() - started < 2  # no slot: the page falls back to polling


@pytest.mark.slow
def test_the_open_page_shows_paid_within_a_second_and_asks_little(two_cards: PaymentService, chromium):
    _, token = two_cards.add_token("shop")
    browser_page = BrowserPage(chromium)
    watch = PaymentWatch(two_cards, limit=4)
    try:
        with serving(two_cards, token, watch=watch) as http:
            _, created = http.post_form(
                "/api/create", {"price": 120000, "fid": 3, "callback": "https://shop.example/back"}
            )
            page = browser_page.page
            page.goto(http.base + urlsplit(created["link"]).path)
            finished: list[str] = []
            page.on("requestfinished", lambda request: finished.append(request.url))
            page.wait_for_selector("#countdown")
            # The open page's one status request is held by the server (a poll would be answered at once).
            wait_until(lambda: watch._waiting == 1, 10, what="the page's status request to be held")
            asked = [u for u in browser_page.requests if u.endswith("/status?wait=25")]
            assert len(asked) == 1 and not [u for u in finished if "/status" in u]
            paid_at = time.monotonic()
            _pay(two_cards, created["amount"])
            page.wait_for_selector("section.state.ok", timeout=10_000)
            shown_after = time.monotonic() - paid_at
            browser_page.screenshot("pay-live-paid")
            assert shown_after < 5, shown_after  # woken by the settlement (the held request lasts 25 s)
    finally:
        browser_page.close()
