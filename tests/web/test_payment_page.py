"""The payment page in a real headless Chromium: the demo box's whole path, expiry, no external request."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from appliance.usecases.service import PaymentService
from tests.conftest import serving
from tests.polling import wait_until
from tests.web.conftest import BrowserPage, Receiver
from tests.web.demo_box import DemoBox, api


def fetch(url: str, data: bytes | None = None) -> tuple[int, str, str]:
    """(status, the final URL after redirects, the body) of a GET, or a POST when ``data`` is given."""
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.url, resp.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, url, exc.read().decode()


def on(http, link: str) -> str:
    """The link as served by this test's server (links name the box's configured address)."""
    return http.base + urlsplit(link).path


@pytest.fixture
def demo_box(tmp_path: Path) -> Iterator[DemoBox]:
    box = DemoBox(tmp_path / "demo")
    try:
        yield box
    finally:
        log = box.close()
        assert box.proc.returncode == 0, log


@pytest.mark.slow
def test_a_newcomer_pays_in_the_browser_and_finds_it_in_the_dashboard(
    demo_box: DemoBox, receiver: Receiver, browser_page: BrowserPage
):
    created = api(
        demo_box.base,
        "/api/create",
        demo_box.token,
        {"price": 120000, "fid": 4242, "callback": f"{receiver.url}/back?order=7"},
    )
    assert created["code"] == 200, created
    pay_id = created["pay_id"]
    page = browser_page.page
    page.goto(created["link"])
    assert page.locator("#amount-fa").inner_text() == "۱۲۰٬۰۱۰"
    assert page.locator("#toman-fa").inner_text() == "۱۲٬۰۰۱"
    assert page.locator("#amount-latin").inner_text() == "120010"
    numbers = page.locator(".card .number").all_inner_texts()
    assert numbers == ["۶۱۰۴ ۳۳۷۸ ۹۰۱۲ ۳۴۵۶", "۶۰۳۷ ۹۹۱۲ ۳۴۵۶ ۷۸۹۳"]
    assert "نه پایا، نه ساتنا" in page.locator(".warning").inner_text()
    # The countdown runs in the browser (Persian digits, below the server's figure).
    first = page.locator("#countdown").inner_text()
    wait_until(lambda: page.locator("#countdown").inner_text() != first, 5, what="the countdown to tick")
    assert page.locator("button.copy").count() == 3 and page.locator("button.copy").first.is_visible()
    browser_page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    for index, expected in ((0, "120010"), (2, "6037991234567893")):
        page.locator("button.copy").nth(index).click()
        wait_until(lambda: page.evaluate("navigator.clipboard.readText()") == expected, 5, what="the copy")
    browser_page.screenshot("pay-pending")

    page.click("#demo-pay")  # the simulated bank sends the deposit SMS to the fake modem
    page.wait_for_selector("section.state.ok", timeout=30_000)
    browser_page.screenshot("pay-paid")
    page.wait_for_url(f"{receiver.url}/back*", timeout=15_000)
    landed = parse_qs(urlsplit(page.url).query)
    assert landed == {"order": ["7"], "pay_id": [str(pay_id)], "fid": ["4242"], "status": ["paid"]}
    assert any(hit["path"].startswith("/back?") for hit in receiver.hits)

    checked = api(demo_box.base, f"/api/check?pay_id={pay_id}", demo_box.token)
    assert checked["code"] == 201 and checked["state"] == "verified"

    # The operator finds it in the dashboard.
    demo_box.cli("admin", "set-password", "--password-stdin", stdin="a-long-password\n")
    page.goto(f"{demo_box.base}/admin/payments")
    page.fill("input[name=password]", "a-long-password")
    page.click("#login")
    page.wait_for_url(f"{demo_box.base}/admin/payments")
    page.fill("input[name=fid]", "4242")
    page.click("#search")
    page.click(f"#payments a[href='/admin/payments/{pay_id}']")
    # The dashboard speaks Persian: states in words (the code stays in an attribute), transitions read right to left.
    assert page.locator("#payment-state").inner_text() == "تأییدشده"
    assert page.locator("#payment-state").get_attribute("data-state") == "verified"
    events = page.locator("table.events").inner_text()
    assert "در انتظار ← پرداخت‌شده" in events and "پرداخت‌شده ← تأییدشده" in events
    page.goto(f"{demo_box.base}/admin")
    assert page.locator("#health-status").inner_text() == "سالم"
    browser_page.screenshot("dashboard-health")
    page.goto(f"{demo_box.base}/admin/sms")
    assert "واریز120,010" in page.locator("pre").first.inner_text()
    browser_page.screenshot("dashboard-sms")
    assert browser_page.foreign_requests() == []


@pytest.mark.slow
def test_an_expired_payment_says_so_and_offers_the_way_back(
    two_cards: PaymentService, clock, receiver: Receiver, browser_page: BrowserPage
):
    _, token = two_cards.add_token("shop")
    with serving(two_cards, token) as http:
        status, created = http.post_form(
            "/api/create", {"price": 250000, "fid": 77, "expire_minutes": 5, "callback": f"{receiver.url}/cb"}
        )
        assert status == 200
        page = browser_page.page
        page.goto(on(http, created["link"]))
        assert page.locator("#countdown").inner_text().startswith(("۰۵:۰۰", "۰۴:۵"))
        clock.advance(minutes=6)  # the page's next poll sees the deadline passed
        page.wait_for_selector("section.state.bad", timeout=15_000)
        assert "مهلت پرداخت تمام شد" in page.locator("#state-box").inner_text()
        browser_page.screenshot("pay-expired")
        page.click("#back")
        page.wait_for_url(f"{receiver.url}/cb*")
        assert parse_qs(urlsplit(page.url).query) == {
            "pay_id": [str(created["pay_id"])],
            "fid": ["77"],
            "status": ["expired"],
        }
        assert http.get(f"/api/check?pay_id={created['pay_id']}")[1]["code"] == 6
    assert browser_page.foreign_requests() == []


def test_the_link_cannot_be_guessed(http_server):
    status, created = http_server.post_form(
        "/api/create", {"price": 120000, "fid": 5, "callback": "https://s.example/"}
    )
    good = urlsplit(created["link"]).path
    assert fetch(http_server.base + good)[0] == 200
    for bad in (
        good[:-1] + ("A" if good[-1] != "A" else "B"),
        f"/pay/{created['pay_id'] + 1}/{good.rsplit('/', 1)[1]}",
    ):
        assert fetch(http_server.base + bad)[0] == 404


def test_without_javascript_the_page_refreshes_and_links_back(two_cards: PaymentService, clock):
    _, token = two_cards.add_token("shop")
    with serving(two_cards, token) as http:
        _, created = http.post_form("/api/create", {"price": 120000, "fid": 8, "callback": "https://s.example/r?x=1"})
        link = on(http, created["link"])
        html = fetch(link)[2]
        assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in html
        assert "۱۲۰٬۰۱۰" in html and "120010" in html and 'id="demo-pay"' not in html
        clock.advance(minutes=20)
        html = fetch(link)[2]
        assert 'href="https://s.example/r?x=1&amp;pay_id=' in html and "status=expired" in html


def test_the_payer_card_form_follows_the_setcard_rules(make_service, sqlite_url, clock):
    service = make_service(sqlite_url, payments={"ask_payer_card": True})
    service.add_card("6104337890123456", "x", account="6204718359")
    _, token = service.add_token("shop")
    with serving(service, token) as http:
        _, created = http.post_form("/api/create", {"price": 120000, "fid": 9, "callback": "https://s.example/"})
        link = on(http, created["link"])
        assert 'action="' + urlsplit(link).path + '/card"' in fetch(link)[2]

        def post(card: str) -> str:
            return fetch(link + "/card", f"card={urllib.request.quote(card)}".encode())[1]  # after the 303

        assert post("1234").endswith("notice=card_error_-3")
        assert post("۶۰۳۷۹۹۱۲۳۴۵۶۷۸۹۳").endswith("notice=card_saved")
        assert post("6037991234567893").endswith("notice=card_error_-2")
        assert service.get_payment(created["pay_id"]).payer_card == "6037991234567893"
        assert 'action="' + urlsplit(link).path + '/card"' not in fetch(link)[2]


def test_the_demo_button_is_only_in_demo_mode(make_service, sqlite_url):
    sent = []
    for demo in (False, True):
        service = make_service(sqlite_url, box={"demo": demo})
        if not service.list_cards():
            service.add_card("6104337890123456", "x", account="6204718359")
        _, token = service.add_token(f"shop{demo}")
        with serving(service, token, demo_bank=lambda pay_id: sent.append(pay_id) or "sms") as http:
            _, created = http.post_form("/api/create", {"price": 120000, "fid": 10 + demo, "callback": "https://s/"})
            link = on(http, created["link"])
            html = fetch(link)[2]
            assert ('id="demo-pay"' in html) is demo
            status, landed, _ = fetch(link + "/demo", b"")
            if demo:
                assert status == 200 and landed.endswith("notice=demo_sent")
                assert sent == [created["pay_id"]]
            else:
                assert status == 404 and sent == []


def test_a_late_transfer_tells_the_customer_the_shop_will_review_it(two_cards: PaymentService, clock):
    from appliance.usecases.service import NewDeposit

    _, token = two_cards.add_token("shop")
    with serving(two_cards, token) as http:
        _, created = http.post_form("/api/create", {"price": 120000, "fid": 12, "callback": "https://s.example/"})
        clock.advance(minutes=40)
        two_cards.record_deposit(
            NewDeposit(amount=created["amount"], source="sms", created_by="t", account="6204718359", bank_time=clock())
        )
        status, _, html = fetch(on(http, created["link"]))
        assert status == 200 and "واریز شما پس از پایان مهلت رسید" in html
        assert "status=expired" in html  # what check answers (6) until the operator accepts it
        _, _, state = fetch(on(http, created["link"]) + "/status")
        assert '"state":"late"' in state
