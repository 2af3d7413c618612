"""Values as the dashboard shows them: Jalali dates in Tehran time, Persian digits, relative times, Rial with
Toman, reasons from their codes."""

from __future__ import annotations

import datetime as dt

from web.present import Present

NOW = dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.UTC)  # 02:30 on 11 Azar 1405 in Tehran


def test_persian_dates_times_and_relative_times():
    fa, en = Present("fa", NOW), Present("en", NOW)
    assert fa.when(NOW) == "۱۱ آذر ۱۴۰۵، ۰۲:۳۰"
    assert en.when(NOW) == "11 Azar 1405, 02:30"
    assert fa.ago(NOW - dt.timedelta(minutes=3, seconds=20)) == "۳ دقیقه پیش"
    assert en.ago(NOW - dt.timedelta(hours=5)) == "5 hours ago"
    assert fa.ago(NOW - dt.timedelta(seconds=10)) == "همین حالا"
    assert fa.ago(NOW - dt.timedelta(days=2, hours=1)) == "۲ روز پیش"
    assert fa.ago(NOW - dt.timedelta(days=9)) == "۲ آذر ۱۴۰۵، ۰۲:۳۰"  # beyond a week: the date


def test_rial_with_toman():
    assert Present("fa", NOW).rial(1_200_010) == "۱٬۲۰۰٬۰۱۰ ریال (۱۲۰٬۰۰۱ تومان)"
    assert Present("en", NOW).rial(1_200_015) == "1,200,015 Rial (120,001.5 Toman)"


def test_reasons_in_the_pages_language():
    stored = "deposit by mellat layout 'current'; settles"
    assert Present("fa", NOW).reason(stored) == "واریز، خوانده با قالب بانک ملت؛ پرداخت را تسویه می‌کند"
    assert (
        Present("en", NOW).reason(stored)
        == 'deposit, read by the Bank Mellat layout <bdi class="data" dir="auto">current</bdi>; settles'
    )
    held = Present("fa", NOW).reason("no payment holds amount 555550")
    assert held == "هیچ پرداختی مبلغ ۵۵۵٬۵۵۰ ریال را ندارد"
    # The operator's note is data, escaped.
    assert (
        Present("fa", NOW).reason("dismissed: <b>x</b>")
        == 'بسته شد؛ <bdi class="data" dir="auto">&lt;b&gt;x&lt;/b&gt;</bdi>'
    )
    assert Present("fa", NOW).state("paid_late") == "پرداخت دیرهنگام"


def test_a_modems_problems_in_persian():
    fa = Present("fa", NOW)
    assert fa.reason("weak signal (-109 dBm)") == 'آنتن ضعیف (<bdi dir="ltr">−۱۰۹</bdi> دسی‌بل‌میلی‌وات)'
    assert fa.reason("SMS storage full (30/30)") == "حافظهٔ پیامک پر است (۳۰ از ۳۰)"
    assert fa.reason("not registered on the network (searching)") == "در شبکه ثبت نشده"
    assert Present("en", NOW).reason("not registered on the network (searching)").startswith("not registered")
