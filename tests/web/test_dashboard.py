"""The operator's dashboard: login, CSRF, rate limiting, and every review action through a real browser."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from appliance.domain.errors import InvalidInput
from appliance.domain.reasons import Reason, parse
from appliance.store.models import Card, Deposit, Payment
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.operator_login import MAX_FAILURES, SESSION_LIFETIME, Accounts, check_password, hash_password
from appliance.usecases.service import DepositState, NewDeposit, PaymentService
from appliance.usecases.webhooks import WebhookQueue
from tests.conftest import SAMAN_CARD, serving
from tests.web.conftest import BrowserPage, Receiver

PASSWORD = "correct horse battery"


def _last_event(service: PaymentService, entity: str, entity_id: int):
    return service.events_for(entity, entity_id)[-1]


def submit(page, selector: str) -> None:
    """Click a form's button and wait for the page the POST lands on."""
    with page.expect_navigation():
        page.click(selector)


def _login(page, base: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/admin")
    page.fill("input[name=password]", password)
    submit(page, "#login")


@pytest.mark.slow
def test_every_review_action_through_the_browser(two_cards: PaymentService, clock, chromium, receiver: Receiver):
    browser_page = BrowserPage(chromium, width=1280, height=900)  # the operator's laptop
    try:
        _review_through_the_browser(two_cards, clock, browser_page, receiver)
    finally:
        browser_page.close()


def _review_through_the_browser(service: PaymentService, clock, browser_page: BrowserPage, receiver: Receiver):
    Accounts(clock).set_password(PASSWORD)
    queue = WebhookQueue(service).install()
    token, token_value = service.add_token("shop", webhook_url=receiver.url)
    waiting = service.create_payment(CreateRequest(price=500000, fid=1, expire_minutes=180), token).payment
    late_ok = service.create_payment(CreateRequest(price=200000, fid=2), token).payment
    late_back = service.create_payment(CreateRequest(price=300000, fid=3), token).payment
    clock.advance(minutes=40)
    mellat = "6204718359"

    def deposit(amount: int, **kw) -> Deposit:
        return service.record_deposit(
            NewDeposit(amount=amount, source="sms", created_by="t", account=mellat, bank_time=clock(), **kw)
        ).deposit

    stray = deposit(777_770)
    held = deposit(640_000, hold_reason="SMSC differs from the bank's")
    late1 = deposit(late_ok.amount)
    late2 = deposit(late_back.amount)
    assert [d.state for d in (stray, held, late1, late2)] == ["unmatched", "held", "late", "late"]

    with serving(service, webhooks=queue) as http:
        detail = http.get("/api/health", token=token_value)[1]
        assert detail["review_queue"] == 4 and detail["webhooks"] == {
            "pending": 7,
            "failed": 0,
        }  # 3 created, 2 expired, 2 paid_late
        page = browser_page.page
        _login(page, http.base, "wrong password")
        assert "نادرست" in page.locator("#error").inner_text()
        _login(page, http.base)
        page.wait_for_url(f"{http.base}/admin")

        # A POST without the session's CSRF token (or from another origin) changes nothing.
        refused = page.request.post(
            f"{http.base}/admin/review/dismiss", form={"deposit_id": str(held.id), "note": "forged"}
        )
        assert refused.status == 403
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.content()).group(1)
        foreign = page.request.post(
            f"{http.base}/admin/review/dismiss",
            headers={"Origin": "http://evil.example"},
            form={"deposit_id": str(held.id), "note": "forged", "csrf": csrf},
        )
        assert foreign.status == 403
        assert Deposit.get_by_id(held.id).state == "held"

        page.goto(f"{http.base}/admin/review")
        assert page.locator("section.review").count() == 4
        browser_page.screenshot("dashboard-review")

        page.fill(f"#deposit-{stray.id} form.assign input[name=pay_id]", str(waiting.id))
        page.fill(f"#deposit-{stray.id} form.assign input[name=note]", "customer sent a receipt")
        submit(page, f"#deposit-{stray.id} form.assign button")
        assert page.locator("#flash").inner_text() == "انجام شد."
        assert Payment.get_by_id(waiting.id).state == "paid"
        assert _last_event(service, "payment", waiting.id).actor == "operator:admin"

        page.fill(f"#deposit-{held.id} form.dismiss input[name=note]", "a test message from the bank")
        submit(page, f"#deposit-{held.id} form.dismiss button")
        assert Deposit.get_by_id(held.id).state == DepositState.DISMISSED
        event = _last_event(service, "deposit", held.id)
        assert event.actor == "operator:admin"
        assert parse(event.reason) == [Reason("dismissed", {"note": "a test message from the bank"})]

        submit(page, f"#deposit-{late1.id} form.accept-late button")
        assert Payment.get_by_id(late_ok.id).state == "paid"
        assert _last_event(service, "deposit", late1.id).actor == "operator:admin"

        page.fill(f"#deposit-{late2.id} form.refund input[name=note]", "returned by card transfer")
        submit(page, f"#deposit-{late2.id} form.refund button")
        assert Payment.get_by_id(late_back.id).state == "refunded"
        refunded = _last_event(service, "deposit", late2.id).reason
        assert parse(refunded) == [Reason("refunded", {"note": "returned by card transfer"})]
        assert page.locator("#empty").is_visible()

        # An operator error (assigning to a payment that cannot take money) comes back as a message.
        another = deposit(123_450)
        page.goto(f"{http.base}/admin/review")
        page.fill(f"#deposit-{another.id} form.assign input[name=pay_id]", str(waiting.id))
        submit(page, f"#deposit-{another.id} form.assign button")
        # In Persian: the kind of error in words (the English detail only on the English page).
        assert page.locator("#flash").inner_text() == "این کار در وضعیت کنونی ممکن نیست."
        assert Deposit.get_by_id(another.id).state == "unmatched"

        # Cards: add one, disable it.
        page.goto(f"{http.base}/admin/cards")
        page.fill("input[name=number]", SAMAN_CARD)
        page.fill("input[name=holder]", "شاهین محسنی")
        page.fill("input[name=daily_limit]", "۵۰٬۰۰۰٬۰۰۰")
        submit(page, "#add-card")
        card = Card.get(Card.number == SAMAN_CARD)
        assert card.daily_limit_rial == 50_000_000 and card.active
        submit(page, f"form[action='/admin/cards/{card.id}/active'] button")
        assert not Card.get_by_id(card.id).active
        browser_page.screenshot("dashboard-cards")

        # Webhooks: the deliveries of these changes, and a redelivery.
        queue.deliver_due()
        page.goto(f"{http.base}/admin/webhooks")
        first = queue.list_deliveries()[-1]
        submit(page, f"#delivery-{first.id} form button")
        assert queue.deliver_due() == 1
        page.goto(f"{http.base}/admin/tokens")
        assert queue.secret_for(token) in page.content()
        page.fill("input[name=name]", "second-shop")
        page.fill("input[name=webhook_url]", f"{receiver.url}/two")
        submit(page, "#add-token")
        shown = page.locator("#new-token code").inner_text()
        made = service.authenticate(shown)
        assert made is not None and made.name == "second-shop" and made.webhook_url == f"{receiver.url}/two"
        page.goto(f"{http.base}/admin/tokens")
        assert shown not in page.content()  # shown once
        submit(page, f"form[action='/admin/tokens/{made.id}/revoke'] button")
        assert service.authenticate(shown) is None
        assert _last_event(service, "token", made.id).kind == "token_revoked"

        page.goto(f"{http.base}/admin/payments?lang=en")
        assert page.locator("h1").inner_text() == "Payments"
        page.goto(f"{http.base}/admin/payments/{waiting.id}")
        assert "assigned by the operator: customer sent a receipt" in page.locator("table.events").inner_text()
        browser_page.screenshot("dashboard-payment")
        submit(page, "#logout")
        page.goto(f"{http.base}/admin/review")
        assert "/admin/login" in page.url
    assert browser_page.foreign_requests() == []


class Client:
    """A cookie-keeping HTTP client that does not follow redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect())

    def call(self, path: str, fields: dict | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(fields).encode() if fields is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode()

    def login(self, password: str) -> int:
        _, form = self.call("/admin/login")
        nonce = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        return self.call("/admin/login", {"csrf": nonce, "username": "admin", "password": password})[0]


def test_the_session_cookie_is_secure_behind_https(make_service, sqlite_url, clock):
    service = make_service(sqlite_url, server={"public_url": "https://pay.example.com"})
    Accounts(clock).set_password(PASSWORD)
    with serving(service) as http:
        client = Client(http.base)
        _, form = client.call("/admin/login")
        nonce = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        fields = {"csrf": nonce, "username": "admin", "password": PASSWORD}
        # Sent by hand: the cookie jar keeps no Secure cookie over plain http.
        request = urllib.request.Request(
            http.base + "/admin/login",
            headers={"Cookie": f"c2c_login={nonce}"},
            data=urllib.parse.urlencode(fields).encode(),
        )
        try:
            client.opener.open(request, timeout=10)
        except urllib.error.HTTPError as exc:  # the 303, not followed
            with exc:
                cookie = [v for k, v in exc.headers.items() if k == "Set-Cookie" and "c2c_session" in v][0]
        assert "; Secure" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_login_needs_the_form_token_and_is_rate_limited(two_cards, clock):
    Accounts(clock).set_password(PASSWORD)
    with serving(two_cards) as http:
        client = Client(http.base)
        assert client.call("/admin")[0] == 303  # to the login page
        status, _ = client.call("/admin/login", {"username": "admin", "password": PASSWORD})
        assert status == 403  # no form token: a cross-site login is refused
        for _ in range(MAX_FAILURES):
            assert client.login("wrong") == 403
        assert client.login(PASSWORD) == 429  # even the right password waits
        clock.advance(minutes=16)
        assert client.login(PASSWORD) == 303
        assert client.call("/admin")[0] == 200


def test_passwords_are_slow_hashes_and_a_new_one_ends_sessions(sqlite_url, make_service, clock):
    make_service(sqlite_url)
    stored = hash_password("s3cret-pass")
    assert stored.startswith("scrypt$16384$") and "s3cret" not in stored
    assert check_password("s3cret-pass", stored) and not check_password("s3cret-pasS", stored)
    assert not check_password("x", "md5$abc")
    accounts = Accounts(clock)
    with pytest.raises(InvalidInput):
        accounts.set_password("short")
    accounts.set_password(PASSWORD)
    cookie, session = accounts.login("admin", PASSWORD, "127.0.0.1")
    assert accounts.session(cookie).csrf == session.csrf and accounts.session("forged") is None
    accounts.set_password(PASSWORD + "!")
    assert accounts.session(cookie) is None
    cookie, _ = accounts.login("admin", PASSWORD + "!", "127.0.0.1")
    clock.advance(hours=13)
    assert accounts.session(cookie) is None  # sessions expire


@pytest.mark.parametrize("years", [-7, 9], ids=["box-clock-7-years-behind", "box-clock-9-years-ahead"])
def test_login_sticks_when_the_box_clock_is_years_away_from_real_time(two_cards, clock, years):
    """A Pi without a real-time clock boots years off until NTP answers: its operator can still log in.

    The cookie jar (like a browser) judges an absolute ``Expires`` by the real clock, so the cookie
    carries a relative ``Max-Age``; the box itself still ends the session after its lifetime.
    """
    clock.now = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=365 * years)
    Accounts(clock).set_password(PASSWORD)
    with serving(two_cards) as http:
        client = Client(http.base)
        _, form = client.call("/admin/login")
        nonce = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        request = urllib.request.Request(
            http.base + "/admin/login",
            headers={"Cookie": f"c2c_login={nonce}"},
            data=urllib.parse.urlencode({"csrf": nonce, "username": "admin", "password": PASSWORD}).encode(),
        )
        with pytest.raises(urllib.error.HTTPError) as answer:  # the 303, not followed
            client.opener.open(request, timeout=10)
        with answer.value as redirect:
            cookie = [v for k, v in redirect.headers.items() if k == "Set-Cookie" and "c2c_session" in v][0]
            client.jar.extract_cookies(redirect, request)
        assert f"Max-Age={int(SESSION_LIFETIME.total_seconds())}" in cookie and "expires" not in cookie.lower()
        assert client.call("/admin")[0] == 200  # the session sticks
        clock.advance(seconds=SESSION_LIFETIME.total_seconds() - 60)
        assert client.call("/admin")[0] == 200
        clock.advance(minutes=2)
        assert client.call("/admin")[0] == 303  # the box ends it by its own clock
