"""Tolerances of the reader: advert lines at the ends, ``N:مانده``, the corpus senders and "other" rules.

Each tolerance is tried only when the message as it came matches no layout;
these tests check that it reads the same message the same way, and that it
never turns a number that is not the amount into the amount.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from bank_sms_helpers import FIXTURE_ROWS, SMSC_TIME, fixture_id, sender_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.domain.reasons import codes, param
from appliance.sms import Kind, SmsReader
from appliance.sms.normalize import (
    balance_label_first,
    is_advert_line,
    normalize_text,
    strip_advert_lines,
    tolerant_variants,
)

MELLI = "+98700717"
MELLI_DEPOSIT = "بانک ملی ایران\nانتقال:18,500,000+\nحساب:30417\nمانده:126,944,210\n0627-10:18"
ADVERTS = [
    "همراه بانک را نصب کنید",
    "اپلیکیشن بانک را از bmi.ir دانلود کنید",
    "https://bmi.ir/app",
    "www.bmi.ir",
]
MOVEMENTS = [r for r in FIXTURE_ROWS if r["kind"] in ("deposit", "withdrawal") and r["trusted_sender"]]
BALANCE_LINE = re.compile(r"^(\s*)(مانده|موجودی|موجودي)\s*:?\s*([0-9۰-۹][0-9۰-۹,٬]*)(.*)$")


def test_the_melli_deposit_reads(reader: SmsReader) -> None:
    parsed = reader.parse(MELLI, MELLI_DEPOSIT, SMSC_TIME)
    assert parsed.kind is Kind.DEPOSIT and parsed.settles and parsed.amount_rial == 18500000


# --- advert lines -------------------------------------------------------------


@pytest.mark.parametrize("advert", ADVERTS)
def test_an_advert_line_appended_or_prepended_reads_the_same(reader: SmsReader, advert: str) -> None:
    original = reader.parse(MELLI, MELLI_DEPOSIT, SMSC_TIME)
    for text in (f"{MELLI_DEPOSIT}\n{advert}", f"{advert}\n{MELLI_DEPOSIT}", f"{advert}\n{MELLI_DEPOSIT}\n\n{advert}"):
        assert reader.parse(MELLI, text, SMSC_TIME) == original, text


def test_an_advert_line_in_the_middle_is_read_past(reader: SmsReader) -> None:
    # No layout matches with the advert inside it; the field reader reads the fields around it.
    text = MELLI_DEPOSIT.replace("\nحساب", "\nهمراه بانک را نصب کنید\nحساب")
    original = reader.parse(MELLI, MELLI_DEPOSIT, SMSC_TIME)
    parsed = reader.parse(MELLI, text, SMSC_TIME)
    assert (parsed.kind, parsed.amount_rial, parsed.balance_rial, parsed.account, parsed.settles) == (
        Kind.DEPOSIT,
        original.amount_rial,
        original.balance_rial,
        original.account,
        True,
    ), parsed.reason


@pytest.mark.parametrize(
    "line",
    [
        "همراه بانک را نصب کنید 5,000,000",  # a figure: never dropped, so never the amount either
        "واریز آسان با همراه بانک",  # a movement word
        "مبلغ: همراه بانک",  # a label
        "همراه بانک +",  # a sign
        "دانلود اپلیکیشن 12",
    ],
)
def test_a_line_with_a_figure_label_or_movement_word_is_not_an_advert(reader: SmsReader, line: str) -> None:
    """Such a line is never dropped as an advert; the message is unread or read with its own figures only."""
    assert not is_advert_line(normalize_text(line))
    original = reader.parse(MELLI, MELLI_DEPOSIT, SMSC_TIME)
    for text in (f"{MELLI_DEPOSIT}\n{line}", f"{line}\n{MELLI_DEPOSIT}"):
        parsed = reader.parse(MELLI, text, SMSC_TIME)
        if parsed.kind is Kind.UNPARSED:
            assert not parsed.settles
            continue
        assert (parsed.kind, parsed.amount_rial, parsed.balance_rial, parsed.account) == (
            original.kind,
            original.amount_rial,
            original.balance_rial,
            original.account,
        ), (text, parsed)


def test_a_figure_in_an_advert_line_leaves_the_message_unparsed(reader: SmsReader) -> None:
    parsed = reader.parse(MELLI, f"{MELLI_DEPOSIT}\nهمراه بانک را نصب کنید 5,000,000", SMSC_TIME)
    assert parsed.kind is Kind.UNPARSED
    assert "advert" in " ".join(str(param(parsed.reason, c, "problem")) for c in codes(parsed.reason)), parsed.reason


def test_an_advert_line_with_a_number_never_becomes_the_amount(reader: SmsReader) -> None:
    # The amount line removed and an advert with a well-grouped number in its place.
    text = MELLI_DEPOSIT.replace("انتقال:18,500,000+", "انتقال:همراه بانک را نصب کنید 9,000,000+")
    parsed = reader.parse(MELLI, text, SMSC_TIME)
    assert parsed.kind is Kind.UNPARSED and parsed.amount_rial is None and not parsed.settles


def test_only_the_ends_are_stripped() -> None:
    text = "همراه بانک را نصب کنید\nالف\nwww.bank.ir\nب\nنصب کنید"
    assert strip_advert_lines(text) == "الف\nwww.bank.ir\nب"


def test_a_message_of_adverts_only_is_not_a_movement(reader: SmsReader) -> None:
    parsed = reader.parse(MELLI, "همراه بانک را نصب کنید\nwww.bmi.ir", SMSC_TIME)
    assert parsed.kind in (Kind.UNPARSED, Kind.OTHER) and not parsed.settles


# --- a balance after its number ------------------------------------------------


def _balance_after_number(text: str) -> str:
    """``مانده:64,220,175`` -> ``64,220,175:مانده`` (what some phones make of an RTL line)."""
    return "\n".join(BALANCE_LINE.sub(r"\1\3:\2\4", line) for line in text.split("\n"))


@pytest.mark.parametrize("row", MOVEMENTS, ids=fixture_id)
def test_a_balance_written_after_its_number_reads_the_same(row: dict[str, Any], reader: SmsReader) -> None:
    moved = _balance_after_number(row["text"])
    if moved == row["text"]:
        pytest.skip("no balance line of that form")
    sender = sender_for(row, reader)
    assert reader.parse(sender, moved, SMSC_TIME) == reader.parse(sender, row["text"], SMSC_TIME), moved


def test_label_after_number_is_undone_for_balance_labels_only() -> None:
    assert balance_label_first("64220175:مانده") == [
        "مانده:64220175",
        "مانده: 64220175",
        "مانده 64220175",
        "مانده64220175",
    ]
    assert balance_label_first("41267457:موجودیریال")[0] == "موجودی:41267457ریال"
    assert balance_label_first("18500000:انتقال") == []
    assert balance_label_first("18500000:مبلغ") == []
    assert balance_label_first("18500000:ماندهx") == []


def test_an_amount_written_after_its_number_is_read(reader: SmsReader) -> None:
    # «18,500,000+:انتقال»: the field order does not matter to the field reader; the sign says deposit.
    text = MELLI_DEPOSIT.replace("انتقال:18,500,000+", "18,500,000+:انتقال")
    parsed = reader.parse(MELLI, text, SMSC_TIME)
    assert (parsed.kind, parsed.amount_rial, parsed.balance_rial, parsed.settles) == (
        Kind.DEPOSIT,
        18500000,
        126944210,
        True,
    ), parsed.reason
    assert codes(parsed.reason) == ["read_by_fields", "settles"]


def test_a_balance_after_its_number_never_becomes_the_amount(reader: SmsReader) -> None:
    # No amount line at all: the balance put back in front of its label stays the balance.
    for text in (
        "بانک ملی ایران\n126,944,210:مانده\nحساب:30417\nمانده:126,944,210\n0627-10:18",
        "بانک ملی ایران\nانتقال:+\nحساب:30417\n126,944,210:مانده\n0627-10:18",
        "بانک ملی ایران\n18,500,000:مانده\nحساب:30417\n126,944,210:مانده\n0627-10:18",
    ):
        parsed = reader.parse(MELLI, text, SMSC_TIME)
        assert not parsed.settles and parsed.kind is not Kind.DEPOSIT, (text, parsed)


def test_variants_are_only_tried_when_nothing_matched() -> None:
    assert tolerant_variants(normalize_text(MELLI_DEPOSIT)) == []
    assert tolerant_variants(normalize_text(MELLI_DEPOSIT + "\nنصب کنید")) == [normalize_text(MELLI_DEPOSIT)]


TOLERANCE_SETTINGS = settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.parametrize("row", [r for r in FIXTURE_ROWS if r["kind"] == "deposit"], ids=fixture_id)
@TOLERANCE_SETTINGS
@given(seed=st.integers(0, 2**32), figure=st.integers(1, 10**12))
def test_an_advert_with_a_figure_never_changes_a_deposit(
    row: dict[str, Any], reader: SmsReader, seed: int, figure: int
) -> None:
    """An advert line carrying a number, at either end, is read as it came or not at all: never as money."""
    rng = random.Random(seed)
    advert = rng.choice(ADVERTS) + rng.choice([" ", " تا ", " "]) + f"{figure:,}"
    text = f"{row['text']}\n{advert}" if rng.random() < 0.5 else f"{advert}\n{row['text']}"
    parsed = reader.parse(sender_for(row, reader), text, SMSC_TIME)
    if parsed.settles:
        assert parsed.amount_rial == row["amount_rial"] and parsed.balance_rial == row["balance_rial"], (text, parsed)


# --- senders from the corpus ----------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "bank"),
    [
        ("+989830009417", "melli"),
        ("09830009417", "melli"),
        ("6037", "melli"),
        ("Bank Melli", "melli"),
        ("BankSaderat", "saderat"),
        ("98300012", "saderat"),
        ("98300017", "sepah"),
        ("100085", "pasargad"),
        ("98200048610", "khavarmianeh"),
        ("TourismBank", "gardeshgari"),
    ],
)
def test_the_senders_the_sources_show_are_trusted(reader: SmsReader, sender: str, bank: str) -> None:
    parsed = reader.parse(sender, "x", SMSC_TIME)
    assert parsed.sender_trusted and parsed.bank == bank


@pytest.mark.parametrize("sender", ["KESHAVARZI", "TTBank", "PostBank", "+98200044", "+9815560001"])
def test_unconfirmed_or_alias_table_senders_are_not_shipped(reader: SmsReader, sender: str) -> None:
    assert not reader.parse(sender, "x", SMSC_TIME).sender_trusted


# --- "other" --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "text"),
    [
        ("Bank Mellat", "محرمانه\nرمز برداشت وجه از کارت شما: 4410287\nاعتبار: 120 ثانيه"),
        (
            "Bank Mellat",
            "هشدار\nمشتری گرامی شما درحال برداشت مبلغ 120,000,000 ریال از حساب خود جهت انتقال وجه پایا می باشید.\n"
            "توجه نمایید كه عدد محرمانه: 5512093 یكباررمز شما جهت تایید انتقال وجه پایا می باشد.",
        ),
        ("TejaratBank", "مشتری گرامی شما در۱۴۰۵/۰۴/۱۱ ساعت۰۹:۳۲وارد همراه بانک تجارت شده اید."),
        (
            "B.QMEHRIRAN",
            "انتقال وجه آنی\nاز: 301827716402\nبه: IR120170000000123456789012\nمبلغ 45,118,300 ریال\nرمز 550192",
        ),
        (
            "ResalatBank",
            "بانک قرض الحسنه رسالت\nدرخواست انتقال وجه\nمبلغ: 4,617,000 ریال\n"
            "درصورت تایید, رمز زیر را وارد نمایید: 67104",
        ),
        ("+989999987641", "بلو\nبا بلو بیشتر آشنا شوید"),
    ],
)
def test_otps_requests_and_notices_are_other(reader: SmsReader, sender: str, text: str) -> None:
    parsed = reader.parse(sender, text, SMSC_TIME)
    assert parsed.kind is Kind.OTHER and not parsed.settles and parsed.amount_rial is None, parsed


def test_a_code_line_does_not_hide_a_deposit(reader: SmsReader) -> None:
    parsed = reader.parse("B.QMEHRIRAN", "واریز مبلغ 45,118,300 ریال\nمانده 1,000\nرمز 550192", SMSC_TIME)
    assert parsed.kind is Kind.UNPARSED and not parsed.settles
