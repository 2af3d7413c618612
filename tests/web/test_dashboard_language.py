"""Every dashboard page, in Persian and in English, shows only words of its language.

The visible text of each page (text nodes, option labels, placeholders, button labels, SVG labels) is
read with an HTML parser. In Persian no Latin letter may appear; in English no Persian letter. Data is
exempt, and marked so in the page: elements with class ``data`` (card numbers, SMS senders and texts,
token names, what the operator typed, the box's name) and the language switch (``lang`` = the other
language); the box's name after the page's title. Nothing else is allowed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from appliance.domain.reasons import CODES
from appliance.store.models import Deposit, Payment, SmsMessage
from tests.conftest import serving
from tests.web.dash_box import PASSWORD, build_day
from tests.web.test_dashboard import Client

LATIN = re.compile(r"[A-Za-z]")
STORED_CODE = re.compile(r"@(?:" + "|".join(sorted(CODES, key=len, reverse=True)) + r")\b")
PERSIAN = re.compile(r"[\u0600-\u06FF]")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    def __init__(self, other_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.other_lang = other_lang
        self.stack: list[bool] = []  # per open element: is it (or an ancestor) exempt?
        self.texts: list[tuple[str, str]] = []  # (where, text)
        self.in_title = False

    def _exempt(self) -> bool:
        return bool(self.stack) and self.stack[-1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        exempt = (
            self._exempt()
            or "data" in (values.get("class") or "").split()
            or values.get("lang") == self.other_lang
            or tag in ("style", "script")
        )
        if not exempt:
            for name in ("placeholder", "aria-label", "title", "alt"):
                if values.get(name):
                    self.texts.append((f"<{tag} {name}>", values[name]))
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.texts.append(("<input value>", values["value"]))
        self.in_title = tag == "title"
        if tag not in VOID:
            self.stack.append(exempt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        self.in_title = False
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_title:  # "page — box name": the box's name is the merchant's (data)
            data = data.rsplit(" — ", 1)[0]
        if not self._exempt() and data.strip():
            self.texts.append(("", data.strip()))


def foreign_words(page: str, lang: str) -> list[str]:
    parser = VisibleText("en" if lang == "fa" else "fa")
    parser.feed(page)
    wrong = LATIN if lang == "fa" else PERSIAN
    return [f"{where} {text}".strip() for where, text in parser.texts if wrong.search(text)]


def test_the_checker_catches_a_foreign_word():
    """The checker itself: English in a Persian page is found, data and the language switch are not."""
    page = '<p>وضعیت: pending</p><p class="data">Bank Mellat</p><a lang="en">English</a><input placeholder="note">'
    assert foreign_words(page, "fa") == ["وضعیت: pending", "<input placeholder> note"]
    assert foreign_words('<p>state: <bdi class="data">بانک</bdi></p><b>در انتظار</b>', "en") == ["در انتظار"]


def _pages(box) -> list[str]:
    pages = ["/admin", "/admin/payments", "/admin/review", "/admin/cards", "/admin/tokens", "/admin/webhooks"]
    pages += [f"/admin/payments/{p.id}" for p in Payment.select()]
    pages += ["/admin/sms"] + [f"/admin/sms?kind={k}" for k in ("deposit", "withdrawal", "other", "unparsed")]
    pages += [f"/admin/review?state={s}" for s in ("unmatched", "held", "late", "ambiguous")]
    pages += ["/admin/review?from=1405/09/08&to=1405/09/08", "/admin/review?from=1405/99/99", "/admin/export"]
    pages += ["/admin/export/payments.csv?from=1405/13/01&to=1405/09/08"]  # a bad date: the form with an error
    pages += [
        "/admin/review?flash=done",
        "/admin/review?flash=" + "error%3AInvalidTransition%3Apayment%201%20is%20paid",
    ]
    pages += ["/admin/review?flash=error%3AKeyError%3Asomething", "/admin/review?flash=whatever"]
    pages += ["/admin/payments/99999"]  # no such payment: a page that says so
    return pages


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_every_page_speaks_one_language(two_cards, clock, lang):
    box = build_day(two_cards, clock)
    # The operator's own words are data; here they are in Persian so that the English check sees them as data.
    box.service.assign_deposit(box.yesterday.id, box.waiting.id, "operator:admin", "رسید مشتری")
    assert Deposit.get_by_id(box.yesterday.id).state == "matched"
    with serving(box.service) as http:
        client = Client(http.base)
        status, login_page = client.call(f"/admin/login?lang={lang}")
        assert status == 200
        assert foreign_words(login_page, lang) == []
        assert client.login(PASSWORD) == 303
        client.call(f"/admin?lang={lang}")  # the language is kept in a cookie from here on
        checked = 0
        for path in _pages(box):
            status, page = client.call(path)
            assert status in (200, 400, 404), (path, status)
            assert f'<html lang="{lang}"' in page
            assert foreign_words(page, lang) == [], path
            assert not STORED_CODE.search(page), path  # a reason shown as its stored code
            checked += 1
        # A forged POST's refusal page too.
        status, page = client.call("/admin/review/dismiss", {"deposit_id": "1", "note": "x"})
        assert status == 403 and foreign_words(page, lang) == []
    assert checked > 20


def _split_alert_teaching_box(service, clock):  # type: ignore[no-untyped-def]
    """A box with what the day box lacks: a split payment paid in part and late, a suggested settlement,
    alerts raised and cleared (the banner, the alerts page, the owner's notices), a SIM balance answer,
    and stored SMS to teach from (a stranger's deposit, an unparsed one, a held one)."""
    from appliance.usecases import sim_balance
    from appliance.usecases.alerts import AlertCenter, Condition
    from appliance.usecases.checkout import CreateRequest
    from appliance.usecases.service import NewDeposit
    from appliance.usecases.sms_intake import SmsIngest, build_reader
    from appliance.usecases.teaching import Teaching
    from tests.web.dash_box import SMSC, _ingest, mellat_text

    split = service.create_payment(CreateRequest(price=250_000_000, fid=801)).payment
    parts = service.payment_parts(split)
    service.record_deposit(NewDeposit(amount=parts[0].amount, source="manual", created_by="t"))
    near = service.create_payment(CreateRequest(price=120_000, fid=802)).payment
    service.record_deposit(NewDeposit(amount=near.price, source="manual", created_by="t"))  # the offset dropped
    clock.advance(minutes=16)
    service.expire_due()
    late = service.payment_parts(split)[1]
    service.record_deposit(NewDeposit(amount=late.amount, source="manual", created_by="t"))
    center = AlertCenter(service)
    center.evaluate([Condition("sim_credit", "sim_credit", True, {"credit": 20_000})])
    center.evaluate([Condition("modem_down:m1", "modem_down", True, {"modem": "m1"})])
    center.evaluate([Condition("modem_down:m1", "modem_down", False)])
    reply = "اعتبار شما 20000 ریال است. تاریخ انقضا 1405/12/29"
    sim_balance.record("m1", "mci", "*140*11#", reply, None, clock)
    ingest = SmsIngest(service, build_reader(service.settings), clock)
    stranger = service.create_payment(CreateRequest(price=130_000, fid=803)).payment
    _ingest(ingest, clock, "+989121234567", mellat_text(stranger.amount, 9_000_000, clock()), SMSC)
    _ingest(ingest, clock, "Bank Mellat", "بانک ملت\nحساب 6204718359\nپول آمد ۵۰۰٬۰۰۰\nمانده ۹٬۵۰۰٬۰۰۰", SMSC)
    first = service.create_payment(CreateRequest(price=140_000, fid=804)).payment
    _ingest(ingest, clock, "Bank Mellat", mellat_text(first.amount, 10_000_000, clock()), SMSC)
    held = service.create_payment(CreateRequest(price=150_000, fid=805)).payment
    _ingest(ingest, clock, "Bank Mellat", mellat_text(held.amount, 10_000_000 + held.amount, clock()), "+1555")
    messages = list(SmsMessage.select())
    # One decision the operator took, so that the teaching page lists an event with its reason.
    Teaching(ingest).trust_sender("operator:admin", message_id=messages[0].id, bank="mellat")
    return split, messages


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_split_review_alerts_teaching_capacity_and_export_speak_one_language(make_service, sqlite_url, clock, lang):
    from appliance.usecases.operator_login import Accounts
    from tests.conftest import MELLAT_CARD, MELLI_CARD

    service = make_service(
        sqlite_url, payments={"max_transfer_rial": 100_000_000}, alerts={"owner_phone": "09121234567"}
    )
    service.add_card(MELLI_CARD, "شاهین محسنی", account="0217730417009", daily_limit_rial=300_000_000)
    service.add_card(MELLAT_CARD, "شاهین محسنی", account="6204718359")
    split, messages = _split_alert_teaching_box(service, clock)
    assert Payment.get_by_id(split.id).state == "partially_paid"
    Accounts(clock).set_password(PASSWORD)
    pages = ["/admin", "/admin/review", "/admin/alerts", "/admin/capacity", "/admin/export", "/admin/sms"]
    pages += [f"/admin/payments/{p.id}" for p in Payment.select()]
    pages += [f"/admin/sms/{m.id}/teach" for m in messages]
    pages += [f"/admin/review?state={s}" for s in ("unmatched", "held", "late")]
    with serving(service) as http:
        client = Client(http.base)
        assert client.login(PASSWORD) == 303
        client.call(f"/admin?lang={lang}")
        seen = {}
        for path in pages:
            status, page = client.call(path)
            assert status == 200, (path, status)
            assert foreign_words(page, lang) == [], path
            assert not STORED_CODE.search(page), path  # a reason shown as its stored code
            seen[path] = page
    # The pages hold what they are meant to check: the split block, a suggestion, alerts, teaching events.
    assert f'id="partial-{split.id}"' in seen["/admin/review"]
    assert 'id="alert-history"' in seen["/admin/alerts"] and 'id="sim-balance"' in seen["/admin/alerts"]
    assert "alert-banner" in seen["/admin"]
    assert any('class="event sender_trusted"' in seen[f"/admin/sms/{m.id}/teach"] for m in messages)
    assert len(pages) > 15
