"""The operator's day in a real headless Chromium, on a phone and on a laptop: today at a glance, the review
queue's every action and filters, the SMS inbox, the CSV export, and the pages with JavaScript off.

Screenshots go to artifacts/screenshots/dashboard-<page>-<device>.png.
"""

from __future__ import annotations

import pytest

from appliance.domain import jalali
from appliance.domain.reasons import Reason, parse
from appliance.store.models import Deposit, Payment
from appliance.usecases.service import DepositState
from tests.conftest import serving
from tests.web.conftest import BrowserPage
from tests.web.dash_box import PASSWORD, DayBox, build_day
from tests.web.test_dashboard import submit
from web.present import Present

DEVICES = {"phone": (412, 915), "laptop": (1280, 900)}


def _login(page, base: str) -> None:
    page.goto(f"{base}/admin")
    page.fill("input[name=password]", PASSWORD)
    submit(page, "#login")
    page.wait_for_url(f"{base}/admin")


@pytest.mark.slow
@pytest.mark.parametrize("device", sorted(DEVICES))
def test_the_operators_day(two_cards, clock, chromium, device):
    width, height = DEVICES[device]
    box = build_day(two_cards, clock)
    browser_page = BrowserPage(chromium, width=width, height=height)
    try:
        with serving(box.service) as http:
            _login(browser_page.page, http.base)
            _overview(box, browser_page, device)
            _inbox(box, browser_page, device)
            _review(box, browser_page, device, http.base)
            _export(box, browser_page, device)
        assert browser_page.foreign_requests() == []
        assert any(url.endswith("/static/vazirmatn-arabic-400.woff2") for url in browser_page.requests)
    finally:
        browser_page.close()


def _overview(box: DayBox, browser_page: BrowserPage, device: str) -> None:
    page = browser_page.page
    p = Present("fa", box.clock())
    page.goto(page.url.split("/admin")[0] + "/admin")
    today = box.paid.amount + box.late_ok.amount + box.late_back.amount  # matched and late deposits of today
    assert page.locator("#today .big").inner_text().startswith(p.grouped(today))
    assert p.toman(today) in page.locator("#today").inner_text()
    week = today + 90_010  # and yesterday's matched payment, in the same Iranian week
    assert page.locator("#week .big").inner_text().startswith(p.grouped(week))
    assert page.locator("#queue .big").inner_text().startswith("۵")
    assert "دقیقه پیش" in page.locator("#queue").inner_text() or "ساعت پیش" in page.locator("#queue").inner_text()
    by_state = page.locator("#by-state").inner_text()
    assert "در انتظار\t۲" in by_state and "پرداخت دیرهنگام\t۲" in by_state and "پرداخت‌شده\t۱" in by_state
    cards = page.locator("#cards-today").inner_text()
    # Against its daily ceiling a card counts every deposit it took today (held ones too): all went to Mellat.
    on_card = today + 777_770 + 640_000
    assert f"{p.rial_short(on_card)} · ۵ واریز" in cards
    # The chart: the signal as lines broken where the modem was off the network, the band red there.
    chart = page.locator("section.modem svg.chart")
    assert chart.locator("polyline").count() == 2
    assert chart.locator("rect.unreg").count() >= 3 and chart.locator("rect.reg").count() > 80
    assert page.locator("#last-sms-age").inner_text().endswith("پیش")
    assert "آنتن ضعیف" in page.locator("section.modem .problems").inner_text()
    browser_page.screenshot(f"dashboard-overview-{device}")
    page.goto(page.url.split("?")[0] + "?lang=en")
    assert page.locator("#today .big").inner_text().startswith(f"{today:,}")
    browser_page.screenshot(f"dashboard-overview-en-{device}")
    page.goto(page.url.split("?")[0] + "?lang=fa")


def _inbox(box: DayBox, browser_page: BrowserPage, device: str) -> None:
    page = browser_page.page
    base = page.url.split("/admin")[0]
    page.goto(f"{base}/admin/sms")
    assert page.locator("section.sms").count() == 7
    browser_page.screenshot(f"dashboard-sms-{device}")
    page.click("#sms-filter >> text=دیگر")
    assert page.locator("section.sms").count() == 2
    assert "رمز یک‌بارمصرف" in page.locator("main").inner_text()
    browser_page.screenshot(f"dashboard-sms-other-{device}")


def _review(box: DayBox, browser_page: BrowserPage, device: str, base: str) -> None:
    page = browser_page.page
    page.goto(f"{base}/admin/review")
    assert page.locator("section.review").count() == 5
    stray = page.locator(f"#deposit-{box.stray.id}")
    # What was read, why it was held, the SMS and its likely payment, beside the actions.
    assert "هیچ پرداختی مبلغ ۷۷۷٬۷۷۰ ریال را ندارد" in stray.locator(".why").first.inner_text()
    assert "۷۷۷٬۷۷۰ ریال (۷۷٬۷۷۷ تومان)" in stray.locator("table.kv").inner_text()
    assert "واریز777,770" in stray.locator("pre").inner_text()
    assert stray.locator(f"#candidate-{box.stray.id}-{box.waiting.id}").count() == 1
    held = page.locator(f"#deposit-{box.held.id}")
    assert "مرکز پیام" in held.locator(".why").first.inner_text()
    # Without the matcher's hints, the open payments around the transfer are offered, nearest amount first.
    assert (
        held.locator("table.candidates tr[id]").first.get_attribute("id") == f"candidate-{box.held.id}-{box.waiting.id}"
    )
    browser_page.screenshot(f"dashboard-review-{device}")

    # Filters: by state, by Jalali day, and a date that is not one.
    page.select_option("#review-filter select[name=state]", "held")
    submit(page, "#filter")
    assert page.locator("section.review").count() == 1 and page.locator(f"#deposit-{box.held.id}").count() == 1
    yesterday = jalali.jalali_text(jalali.tehran_day(box.yesterday.received_at))
    page.goto(f"{base}/admin/review")
    page.fill("#review-filter input[name=from]", Present("fa", box.clock()).num(yesterday))
    page.fill("#review-filter input[name=to]", yesterday)
    submit(page, "#filter")
    assert page.locator("section.review").count() == 1 and page.locator(f"#deposit-{box.yesterday.id}").count() == 1
    browser_page.screenshot(f"dashboard-review-filtered-{device}")
    page.fill("#review-filter input[name=from]", "۱۴۰۵/۱۳/۰۱")
    submit(page, "#filter")
    assert page.locator("#bad-date").is_visible()

    # Each action, in one step from the queue.
    page.goto(f"{base}/admin/review")
    submit(page, f"#candidate-{box.stray.id}-{box.waiting.id} form.assign-one button")
    assert page.locator("#flash").inner_text() == "انجام شد."
    assert Payment.get_by_id(box.waiting.id).state == "paid"
    assert Deposit.get_by_id(box.stray.id).state == DepositState.MATCHED

    page.fill(f"#deposit-{box.held.id} form.dismiss input[name=note]", "پیام آزمایشی بانک")
    submit(page, f"#deposit-{box.held.id} form.dismiss button")
    assert Deposit.get_by_id(box.held.id).state == DepositState.DISMISSED

    submit(page, f"#deposit-{box.late1.id} form.accept-late button")
    assert Payment.get_by_id(box.late_ok.id).state == "paid"

    page.fill(f"#deposit-{box.late2.id} form.refund input[name=note]", "با کارت برگردانده شد")
    submit(page, f"#deposit-{box.late2.id} form.refund button")
    assert Payment.get_by_id(box.late_back.id).state == "refunded"

    # Assign by typing a payment id (Persian digits), and an operator error comes back in Persian.
    page.fill(
        f"#deposit-{box.yesterday.id} form.assign input[name=pay_id]", Present("fa", box.clock()).num(box.paid.id)
    )
    submit(page, f"#deposit-{box.yesterday.id} form.assign button")
    assert page.locator("#flash").inner_text() == "این کار در وضعیت کنونی ممکن نیست."
    pending = Payment.select().where(Payment.state == "pending").get()
    page.fill(f"#deposit-{box.yesterday.id} form.assign input[name=pay_id]", str(pending.id))
    submit(page, f"#deposit-{box.yesterday.id} form.assign button")
    assert Payment.get_by_id(pending.id).state == "paid"
    assert page.locator("#empty").is_visible()
    events = box.service.events_for("deposit", box.held.id)
    assert events[-1].actor == "operator:admin"  # the reason is stored as a code with the operator's note
    assert parse(events[-1].reason) == [Reason("dismissed", {"note": "پیام آزمایشی بانک"})]
    browser_page.screenshot(f"dashboard-review-done-{device}")


def _export(box: DayBox, browser_page: BrowserPage, device: str) -> None:
    page = browser_page.page
    base = page.url.split("/admin")[0]
    page.goto(f"{base}/admin/export")
    browser_page.screenshot(f"dashboard-export-{device}")
    with page.expect_download() as info:
        page.click("#export-deposits button")
    download = info.value
    with open(download.path(), "rb") as saved:
        body = saved.read()
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8")
    today = {d.id for d in Deposit.select() if jalali.tehran_day(d.received_at) == jalali.tehran_day(box.clock())}
    assert text.count("\r\n") == 1 + len(today)
    assert download.suggested_filename.startswith("deposits-")


@pytest.mark.slow
def test_with_javascript_off_every_view_reads(two_cards, clock, chromium):
    box = build_day(two_cards, clock)
    context = chromium.new_context(viewport={"width": 412, "height": 915}, java_script_enabled=False)
    try:
        page = context.new_page()
        with serving(box.service) as http:
            _login(page, http.base)
            for path, selector in (
                ("/admin", "#today"),
                ("/admin/review", "section.review"),
                ("/admin/sms", "section.sms"),
                ("/admin/payments", "#payments"),
                ("/admin/export", "#export-payments"),
            ):
                page.goto(http.base + path)
                assert page.locator(selector).first.is_visible(), path
            # The filters are plain GET forms: they work without script too.
            page.goto(http.base + "/admin/review")
            page.select_option("#review-filter select[name=state]", "late")
            submit(page, "#filter")
            assert page.locator("section.review").count() == 2
    finally:
        context.close()
