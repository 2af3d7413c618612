"""The Jalali calendar against jdatetime (an independent implementation), and reasons read as codes."""

from __future__ import annotations

import datetime as dt

import jdatetime
import pytest

from appliance.domain import jalali
from appliance.domain.reasons import Reason, encode, join, parse, plain, reason, say


def test_every_day_of_sixty_years_agrees_with_jdatetime_both_ways():
    day = dt.date(1990, 1, 1)
    while day < dt.date(2050, 1, 1):
        j = jdatetime.date.fromgregorian(date=day)
        assert jalali.to_jalali(day) == (j.year, j.month, j.day), day
        assert jalali.from_jalali(j.year, j.month, j.day) == day
        day += dt.timedelta(days=1)


@pytest.mark.parametrize("text", ["1405/13/01", "1405/07/31", "1404/12/30", "1405-9", "فردا", ""])
def test_a_day_that_does_not_exist_is_refused(text):
    # 1404 is a common year: no 30 Esfand; the second half of the year has 30-day months.
    with pytest.raises(jalali.JalaliDateError):
        jalali.parse_jalali(text)


def test_persian_digits_and_separators_are_read():
    assert jalali.parse_jalali("۱۴۰۵/۰۹/۱۰") == dt.date(2026, 12, 1)
    assert jalali.parse_jalali("1403-12-30") == dt.date(2025, 3, 20)  # a leap year's last day


def test_tehran_day_and_week():
    late_evening_utc = dt.datetime(2026, 11, 30, 21, 0, tzinfo=dt.UTC)  # 00:30 on 1 December in Tehran
    assert jalali.tehran_day(late_evening_utc) == dt.date(2026, 12, 1)
    assert jalali.week_start(dt.date(2026, 12, 1)).weekday() == 5  # a Saturday
    assert jalali.week_start(dt.date(2026, 11, 28)) == dt.date(2026, 11, 28)
    start, end = jalali.day_bounds(dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    assert end - start == dt.timedelta(days=1) and start.utcoffset() == dt.timedelta(hours=3, minutes=30)


# Sentences the product stored before m0010_reason_codes (matching, review, reader, trust, intake), as codes.
SENTENCES = {
    "no payment holds amount 555550": [Reason("no_payment_amount", {"amount": "555550"})],
    "2 payments hold amount 120010: not guessing": [Reason("ambiguous", {"count": "2", "amount": "120010"})],
    "another amount; payment is verified": [Reason("other_amount"), Reason("payment_is", {"state": "verified"})],
    "transfer after the deadline, within the quarantine; the depositing card differs from the registered one": [
        Reason("late_in_quarantine"),
        Reason("payer_card_differs"),
    ],
    "assigned by the operator: receipt; seen": [Reason("assigned", {"note": "receipt; seen"})],
    "dismissed: a test message": [Reason("dismissed", {"note": "a test message"})],
    "refunded": [Reason("refunded")],
    "deposit by mellat layout 'current'; settles": [
        Reason("read_by_layout", {"kind": "deposit", "bank": "mellat", "layout": "current"}),
        Reason("settles"),
    ],
    "deposit by mellat layout 'interest'; does not settle (interest)": [
        Reason("read_by_layout", {"kind": "deposit", "bank": "mellat", "layout": "interest"}),
        Reason("does_not_settle", {"channel": "interest"}),
    ],
    "other: one-time password": [Reason("other_rule", {"rule": "one-time password"})],
    "other: sender '+989121234567' is on no bank's allow-list": [
        Reason("sender_not_allowed", {"sender": "+989121234567"})
    ],
    "sender on the bank's allow-list; SMSC +9891100500 learned (first seen for this sender); "
    "first balance seen for this account: nothing to check against": [
        Reason("sender_allowed"),
        Reason("smsc_learned", {"smsc": "+9891100500"}),
        Reason("first_balance"),
    ],
    "balance continues: 40 + 5 = 45": [
        Reason("balance_continues", {"previous": "40", "op": "+", "amount": "5", "expected": "45"})
    ],
    "flagged message (1 of 2 parts never arrived): a person must read it": [
        Reason("flagged", {"flag": "1 of 2 parts never arrived"})
    ],
}


@pytest.mark.parametrize("sentence", sorted(SENTENCES))
def test_a_stored_sentence_reads_as_codes(sentence):
    assert parse(sentence) == SENTENCES[sentence]
    # ... and its codes read as the very sentence in English: rewriting it as codes loses nothing.
    assert plain(join(sentence)) == sentence


def test_structured_reasons_round_trip_and_unknown_text_is_kept():
    stored = encode(reason("assigned", note="رسید؛ مشتری"), reason("payer_card_differs"))
    assert parse(stored) == [Reason("assigned", {"note": "رسید؛ مشتری"}), Reason("payer_card_differs")]
    assert parse("something new the product never said") == [
        Reason("text", {"text": "something new the product never said"})
    ]
    assert parse("") == [] and parse(None) == []


def test_the_command_line_reads_structured_reasons_in_english():
    assert plain(encode(reason("dismissed", note="a test"))) == "dismissed: a test"
    assert plain(encode(reason("assigned"), reason("payer_card_differs"))) == (
        "assigned by the operator; the depositing card differs from the registered one"
    )
    assert plain("transfer on time") == "transfer on time"  # older sentences read as their codes' English
    assert plain(say("balance_break", previous=40, op="+", amount=5, expected=45, balance=50)) == (
        "balance break: 40 + 5 = 45, but the SMS says 50 (a missed, duplicated or forged SMS)"
    )


def test_a_semicolon_in_a_parameter_never_splits_the_parts():
    stored = encode(reason("dismissed", note="a ; b; c"), reason("refunded", note="x"))
    assert parse(stored) == [Reason("dismissed", {"note": "a ; b; c"}), Reason("refunded", {"note": "x"})]


def test_an_unknown_code_is_refused():
    with pytest.raises(ValueError, match="no_such_code"):
        encode(reason("no_such_code"))


def test_every_reason_a_v0_1_0_box_stored_reads_as_a_known_code():
    """Boxes upgraded from 0.1.0 keep their English sentences: the catalogue must know each one."""
    import sqlite3
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1_0" / "box.sqlite3"
    with sqlite3.connect(f"file:{fixture}?mode=ro", uri=True) as db:
        stored = [r for (r,) in db.execute("SELECT reason FROM deposit UNION SELECT reason FROM event")]
        stored += [
            r for (r,) in db.execute("SELECT reason FROM sms_message UNION SELECT trust_reason FROM sms_message")
        ]
    assert len(stored) > 15
    unknown = [(text, part) for text in stored for part in parse(text) if part.code == "text"]
    assert unknown == []
    assert [plain(join(text)) for text in stored] == stored
