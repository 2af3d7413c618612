"""The dashboard's teaching actions through a real browser: "this sender is Bank X", "learn this format"."""

from __future__ import annotations

import re

import pytest

from appliance.store.models import Event, LearnedTemplate, Payment, SmsMessage, TaughtSender
from appliance.usecases.operator_login import Accounts
from appliance.usecases.service import PaymentService
from appliance.usecases.sms_intake import SmsIngest, build_reader
from tests.conftest import serving
from tests.service.test_ingest import mellat_text, part, pay
from tests.service.test_teaching import STRANGER, new_format
from tests.web.conftest import BrowserPage
from tests.web.test_dashboard import PASSWORD, _login, submit
from web.fa import fa_digits

LATIN = re.compile(r"[A-Za-z]")


def receive(ingest: SmsIngest, clock, text: str, **kw) -> SmsMessage:
    assert ingest.store_part(part(text, clock, **kw)) and ingest.process_ready() == 1
    return SmsMessage.select().order_by(SmsMessage.id.desc()).get()


def persian_only(page, *selectors: str) -> str:
    """The text of these parts of the page, without the data (the SMS, sender IDs, user names)."""
    return page.evaluate(
        """(selectors) => selectors.map(s => {
            const copy = document.querySelector(s).cloneNode(true);
            copy.querySelectorAll('pre, bdi, input, option').forEach(e => e.remove());
            return copy.innerText;
        }).join('\\n')""",
        list(selectors),
    )


@pytest.mark.slow
def test_trust_a_sender_and_learn_a_format_through_the_browser(two_cards: PaymentService, clock, chromium):
    service = two_cards
    Accounts(clock).set_password(PASSWORD)
    ingest = SmsIngest(service, build_reader(service.settings), clock)
    held_for = pay(service, fid=1)
    learn_for = pay(service, fid=2)
    clock.advance(minutes=2)
    held = receive(ingest, clock, mellat_text(held_for.amount, 49_000_000, clock()), sender=STRANGER)
    unparsed = receive(ingest, clock, new_format(learn_for.amount, 49_000_000 + learn_for.amount))
    assert (held.kind, unparsed.kind) == ("other", "unparsed")

    browser_page = BrowserPage(chromium, width=1280, height=900)
    try:
        with serving(service) as http:
            page = browser_page.page
            _login(page, http.base)
            page.goto(f"{http.base}/admin/sms")
            assert page.locator("a.teach").count() == 2
            with page.expect_navigation():
                page.click(f"#sms-{held.id} a.teach")
            assert page.locator("#trust-bank").input_value() == "mellat"  # the bank its text reads as
            text = persian_only(page, "#trust", "#sms-" + str(held.id))
            assert "بانک ملت" in text and not LATIN.search(text), text
            browser_page.screenshot("teach-trust-sender")
            submit(page, "#trust-button")

            assert Payment.get_by_id(held_for.id).state == "paid"
            assert TaughtSender.get().bank == "mellat"
            assert "۱ پیامک" in page.locator("#changes").inner_text()
            row = page.locator("#events tr.sender_trusted")
            assert "اعتماد به فرستنده" in row.inner_text() and "کاربر admin" in row.inner_text()
            event = Event.get((Event.entity == "sms") & (Event.kind == "sender_trusted"))
            assert (event.entity_id, event.actor, event.at) == (held.id, "operator:admin", clock())
            assert not LATIN.search(persian_only(page, "#events"))
            browser_page.screenshot("teach-trust-sender-done")

            page.goto(f"{http.base}/admin/sms/{unparsed.id}/teach")
            fa_amount = page.locator("#learn-amount").input_value()
            assert fa_amount == fa_digits(learn_for.amount)
            assert page.locator("input[name=direction][value=deposit]").is_checked()
            text = persian_only(page, "#learn")
            assert "یادگرفتن این قالب" in text and not LATIN.search(text), text
            browser_page.screenshot("teach-learn-format")
            assert page.locator("#learn-balance").input_value() == fa_digits(49_000_000 + learn_for.amount)
            submit(page, "#learn-button")

            assert Payment.get_by_id(learn_for.id).state == "paid"
            assert SmsMessage.get_by_id(unparsed.id).kind == "deposit"
            assert LearnedTemplate.get().created_by == "operator:admin"
            assert page.locator("#kind").inner_text() == "واریز"
            assert "یادگیری قالب" in page.locator("#events tr.format_learned").inner_text()
            browser_page.screenshot("teach-learn-format-done")

            # A wrong correction comes back as the box's reason, nothing saved.
            again = receive(ingest, clock, new_format(5_000_000, 1_000_000).replace("بانک ملت", "ملت"))
            page.goto(f"{http.base}/admin/sms/{again.id}/teach")
            page.fill("#learn-amount", "123")
            submit(page, "#learn-button")
            assert "قالب ساخته نشد" in page.locator("#flash").inner_text()
            page.goto(page.url + "&lang=en")  # the English page adds the box's reason
            assert "does not print the amount 123" in page.locator("#flash").inner_text()
            assert LearnedTemplate.select().count() == 1

            page.goto(f"{http.base}/admin/sms/{again.id}/teach?lang=en")
            assert "Learn this format" in page.locator("#learn").inner_text()
            page.goto(f"{http.base}/admin/sms/{again.id}/teach?lang=fa")

            # A deposit held because its SMS came through a new SMSC: from the review page to its sender.
            third = pay(service, fid=3)
            balance = 49_000_000 + learn_for.amount + third.amount
            moved = receive(ingest, clock, mellat_text(third.amount, balance, clock()), sender=STRANGER, smsc="+98935")
            page.goto(f"{http.base}/admin/review")
            with page.expect_navigation():
                page.click(f"#deposit-{moved.deposit_id} a.teach")
            assert page.url.endswith(f"/admin/sms/{moved.id}/teach")
            submit(page, "#trust-button")
            assert Payment.get_by_id(third.id).state == "paid"
            assert "مرکز پیامک" in page.locator("#events tr.sender_trusted").inner_text()
    finally:
        browser_page.close()
