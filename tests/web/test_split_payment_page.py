"""The payment page of a split payment in a real headless Chromium at a phone's width: the plan, live ticks."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from appliance.usecases.payment_watch import PaymentWatch
from appliance.usecases.service import NewDeposit
from tests.conftest import MELLAT_CARD, MELLI_CARD, serving
from tests.web.conftest import BrowserPage


@pytest.mark.slow
def test_the_page_shows_each_transfer_with_its_card_and_ticks_it_live(make_service, db_url, chromium):
    service = make_service(db_url, payments={"max_transfer_rial": 100_000_000}, box={"name": "فروشگاه نمونه"})
    service.add_card(MELLI_CARD, "شاهین محسنی", account="0217730417009")
    service.add_card(MELLAT_CARD, "شاهین محسنی", account="6204718359")
    _, token = service.add_token("shop")
    browser_page = BrowserPage(chromium, width=412, height=915)
    watch = PaymentWatch(service, limit=4)
    try:
        with serving(service, token, watch=watch) as http:
            _, created = http.post_form(
                "/api/create", {"price": 250_000_000, "fid": 9, "callback": "https://shop.example/back"}
            )
            parts = created["parts"]
            page = browser_page.page
            page.goto(http.base + urlsplit(created["link"]).path)
            assert page.locator("#plan h2").inner_text() == "این ۳ مبلغ را جداگانه کارت به کارت کنید"
            assert page.locator("section.part").count() == 3
            first = page.locator("#part-1")
            assert first.locator(".part-amount").inner_text() == f"{parts[0]['amount']:,}".translate(
                str.maketrans("0123456789,", "۰۱۲۳۴۵۶۷۸۹٬")
            )
            assert first.locator("button.copy").count() == 2  # the amount and the card
            shown = [page.locator(f"#part-{n} .number").inner_text().replace(" ", "") for n in (1, 2, 3)]
            persian = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
            assert [s.translate(persian) for s in shown] == [p["card"]["number"] for p in parts]
            text = page.locator("main").inner_text()
            assert not re.search(r"[A-Za-z]", text), text  # Persian first: no English word on the page

            service.record_deposit(NewDeposit(amount=parts[0]["amount"], source="manual", created_by="t"))
            page.wait_for_selector("#part-1.paid", timeout=10_000)  # ticked by the held status request
            assert page.locator("#part-1 .tick").inner_text() == "✓ رسید"
            assert page.locator("#part-2.paid").count() == 0
            assert page.locator("#parts-paid").inner_text() == "۱"
            browser_page.screenshot("pay-split-one-part-paid")

            for part in parts[1:]:
                service.record_deposit(NewDeposit(amount=part["amount"], source="manual", created_by="t"))
            page.wait_for_selector("section.state.ok", timeout=10_000)
    finally:
        browser_page.close()


def test_a_partially_paid_payment_page_lists_what_is_still_to_send(make_service, db_url, clock):
    import urllib.request

    service = make_service(db_url, payments={"max_transfer_rial": 100_000_000})
    service.add_card(MELLI_CARD, "x")
    service.add_card(MELLAT_CARD, "y")
    _, token = service.add_token("shop")
    with serving(service, token) as http:
        _, created = http.post_form("/api/create", {"price": 250_000_000, "fid": 9, "callback": "https://shop.example"})
        parts = created["parts"]
        service.record_deposit(NewDeposit(amount=parts[0]["amount"], source="manual", created_by="t"))
        clock.advance(minutes=16)
        service.expire_due()
        with urllib.request.urlopen(http.base + urlsplit(created["link"]).path, timeout=5) as resp:
            html = resp.read().decode()
    assert "بخشی از مبلغ رسید و مهلت تمام شد" in html
    assert 'id="part-1"' not in html and 'id="part-2"' in html and 'id="part-3"' in html
    assert str(parts[1]["amount"]) in html and str(parts[0]["amount"]) not in html
