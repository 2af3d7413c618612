"""The pure parts of alerts: reading an operator's balance answer, the conditions, the texts, the forwarding rule."""

from __future__ import annotations

import datetime as dt

import pytest

from appliance.settings import SimBalanceSettings
from appliance.store.models import SmsMessage
from appliance.usecases.alerts import Facts, conditions, render
from appliance.usecases.forwarding import matches
from appliance.usecases.sim_balance import code_for, operator_for, read_balance
from tests.conftest import make_settings

NOW = dt.datetime(2026, 11, 28, 8, 0, tzinfo=dt.UTC)
HOUR_AGO = NOW - dt.timedelta(hours=1)


@pytest.mark.parametrize(
    "answer,credit,until",
    [
        ("مشترک گرامی اعتبار اصلی شما ۲۰٬۰۰۰ ریال است. تاریخ انقضای سیم‌کارت ۱۴۰۶/۰۳/۳۱", 20_000, dt.date(2027, 6, 21)),
        ("Your balance is 125,000 Rials. Valid until 2027-01-15", 125_000, dt.date(2027, 1, 15)),
        ("موجودی: ۱۲٬۵۰۰ تومان", 125_000, None),  # Toman: ten Rial each
        ("اعتبار شما 1,250,000 ریال\nمهلت: 1405/10/01", 1_250_000, dt.date(2026, 12, 22)),
        ("Credit: 80000 IRR", 80_000, None),
        ("سرویس در دسترس نیست", None, None),  # nothing to read: nothing guessed
        ("اعتبار: ۵۰۰ ریال، انقضا ۱۴۰۵/۱۳/۴۰", 500, None),  # not a real Jalali date
    ],
)
def test_read_balance(answer: str, credit: int | None, until: dt.date | None) -> None:
    reading = read_balance(answer)
    assert reading.credit_rial == credit and reading.valid_until == until
    assert credit is None or isinstance(reading.credit_rial, int)


def test_operator_and_code() -> None:
    auto = SimBalanceSettings()
    assert operator_for(auto, "IR-MCI") == "mci" and operator_for(auto, "MTN Irancell") == "irancell"
    assert operator_for(auto, "RighTel") == "rightel" and operator_for(auto, "Vodafone") is None
    assert operator_for(SimBalanceSettings(operator="irancell"), "IR-MCI") == "irancell"
    assert code_for(auto, "mci") == "*140*11#"


def _on(found) -> set[str]:
    return {c.key for c in found if c.active}


def test_each_condition_turns_on_and_off() -> None:
    settings = make_settings("sqlite:///:memory:")
    calm = Facts(
        now=NOW, pending_payments=2, last_sms_at=NOW - dt.timedelta(minutes=5), receiving_since=HOUR_AGO,
        modems=[{"name": "m", "down_checks": 0}], modem_names=("m",), disk_free_mb=5000,
        sms_storable=True, clock_trusted=True, failing_webhooks=0, review_count=1,
        oldest_review_at=NOW - dt.timedelta(minutes=5), sim_credit_rial=400_000, sim_valid_until=dt.date(2027, 6, 1),
    )  # fmt: skip
    assert _on(conditions(calm, settings)) == set()
    assert len(conditions(calm, settings)) == 9  # every condition was judged
    trouble = Facts(
        now=NOW, pending_payments=2, last_sms_at=NOW - dt.timedelta(minutes=31), receiving_since=HOUR_AGO,
        modems=[{"name": "m", "down_checks": 2}], modem_names=("m",), disk_free_mb=50,
        sms_storable=False, clock_trusted=False, failing_webhooks=5, review_count=1,
        oldest_review_at=NOW - dt.timedelta(minutes=61), sim_credit_rial=49_999, sim_valid_until=dt.date(2026, 12, 1),
    )  # fmt: skip
    assert _on(conditions(trouble, settings)) == {
        "no_sms", "modem_down:m", "disk_low", "sms_store", "clock", "webhooks", "review_old", "sim_credit",
        "sim_validity",
    }  # fmt: skip
    # A modem down at one check only (a reconnect): not yet.
    blip = Facts(now=NOW, modems=[{"name": "m", "down_checks": 1}])
    assert _on(conditions(blip, settings)) == set()
    # Quiet but nobody waits, or the box has just started: no no_sms alert.
    idle = Facts(
        now=NOW, pending_payments=0, last_sms_at=None, receiving_since=NOW - dt.timedelta(hours=5), modem_names=("m",)
    )
    assert _on(conditions(idle, settings)) == set()
    fresh = Facts(
        now=NOW, pending_payments=3, last_sms_at=None, receiving_since=NOW - dt.timedelta(minutes=3), modem_names=("m",)
    )
    assert _on(conditions(fresh, settings)) == set()
    # What was not checked is not judged at all (its alert stays as it is).
    assert conditions(Facts(now=NOW), settings) == []


def test_texts_in_both_languages() -> None:
    assert render("sim_credit", {"credit": 20_000}, "fa") == "اعتبار سیم‌کارت کم است: ۲۰٬۰۰۰ ریال (۲٬۰۰۰ تومان)."
    assert render("sim_credit", {"credit": 20_000}, "en") == "The SIM's credit is low: 20,000 Rial (2,000 Toman)."
    assert render("sim_validity", {"until": "2026-12-22", "days": 4}, "fa") == (
        "مهلت سیم‌کارت رو به پایان است: تا ۱۴۰۵/۱۰/۰۱ (۴ روز دیگر)."
    )
    assert render("clock", {}, "en", resolved=True).startswith("Resolved: ")
    assert render("no_sms", {"minutes": 45, "pending": 3}, "fa") == (
        "هیچ پیامکی در ۴۵ دقیقهٔ گذشته نرسیده و ۳ پرداخت در انتظار است."
    )
    assert render("no_sms", {}, "en") == "No SMS received for"  # old params: the sentence's start, no crash


def _message(**values) -> SmsMessage:
    base = {"kind": "other", "sender": "BankMellat", "bank": "mellat", "text": "رمز پویا: 123456", "reason": ""}
    return SmsMessage(**{**base, **values})


def test_forwarding_rules() -> None:
    otp = make_settings("sqlite:///:memory:", forwarding={"rule": "bank_otp", "bank": "mellat"})
    assert matches(otp, _message())
    assert not matches(otp, _message(bank="saman"))
    assert not matches(otp, _message(text="اطلاعیه: ساعت کاری شعب تغییر کرد"))
    everything = make_settings("sqlite:///:memory:", forwarding={"rule": "all"})
    assert matches(everything, _message(kind="unparsed"))
    for kind in ("deposit", "withdrawal"):  # never, whatever the rule
        assert not matches(everything, _message(kind=kind))
    pattern = make_settings("sqlite:///:memory:", forwarding={"rule": "pattern", "sender_pattern": "^(MCI|98900)"})
    assert matches(pattern, _message(sender="MCI")) and not matches(pattern, _message(sender="Irancell"))
    assert not matches(make_settings("sqlite:///:memory:"), _message())  # the default: none


def test_bad_settings_name_their_key() -> None:
    from appliance.domain.errors import ConfigError

    with pytest.raises(ConfigError) as bad:
        make_settings(
            "sqlite:///:memory:",
            alerts={"owner_phone": "my phone"},
            forwarding={"rule": "bank_otp", "sender_pattern": "("},
            sim_balance={"mci_code": "140"},
        )
    text = str(bad.value)
    for key in ("alerts.owner_phone", "forwarding.sender_pattern", "forwarding.bank", "sim_balance.mci_code"):
        assert key in text, text
