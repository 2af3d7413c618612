"""What must never happen: a message that is not a customer's deposit read as a payable one."""

from __future__ import annotations

from typing import Any

import pytest
from bank_sms_helpers import FIXTURE_ROWS, KESHAVARZI_SENDER, SMSC_TIME, fixture_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.sms import Kind, SmsReader

# Two banks print byte-identical layouts; only their senders differ.
SHARED_LAYOUTS = {frozenset({"pasargad", "resalat"})}


def every_sender(reader: SmsReader) -> list[tuple[str, str]]:
    pairs = [(bank, sender) for bank in reader.banks for sender in reader.dialects[bank].senders]
    return pairs + [("keshavarzi", KESHAVARZI_SENDER)]


@pytest.mark.parametrize(
    "row", [r for r in FIXTURE_ROWS if r["trusted_sender"] and not r["payment_candidate"]], ids=fixture_id
)
def test_no_sender_makes_a_non_payment_payable(row: dict[str, Any], reader: SmsReader) -> None:
    """Interest, corrections, withdrawals, OTPs, adverts and notices never settle, whoever sends them."""
    for bank, sender in every_sender(reader):
        parsed = reader.parse(sender, row["text"], SMSC_TIME)
        assert not parsed.settles, (bank, sender, parsed)


@pytest.mark.parametrize("row", [r for r in FIXTURE_ROWS if r["payment_candidate"]], ids=fixture_id)
def test_another_banks_sender_does_not_make_a_deposit_payable(row: dict[str, Any], reader: SmsReader) -> None:
    for bank, sender in every_sender(reader):
        if bank == row["bank"] or frozenset({bank, row["bank"]}) in SHARED_LAYOUTS:
            continue
        parsed = reader.parse(sender, row["text"], SMSC_TIME)
        assert not parsed.settles and parsed.kind is not Kind.DEPOSIT, (bank, sender, parsed)


def test_a_deposit_with_advert_words_is_read_as_the_deposit_never_other(reader: SmsReader) -> None:
    text = "حساب6204718359\nواریز12,750,000\nمانده48,913,402\n05/07/14-09:26\nجشنواره جوایز بانک ملت"
    parsed = reader.parse("Bank Mellat", text, SMSC_TIME)
    assert (parsed.kind, parsed.amount_rial, parsed.balance_rial) == (Kind.DEPOSIT, 12750000, 48913402), parsed.reason


def test_a_zero_amount_is_not_a_deposit(reader: SmsReader) -> None:
    parsed = reader.parse("B.Pasargad", "214.8000.13572468.1\n+0\n06/21_12:08\nمانده: 88,017,554", SMSC_TIME)
    assert parsed.kind is Kind.UNPARSED and not parsed.settles


SMS_ALPHABET = list("0123456789۰۱۲۳۴۵۶۷۸۹,٬+-:/._* \n\r\u200c\u200fحسابواریزمندهبرشتلیکيكXx") + [
    "واریز",
    "برداشت",
    "مانده",
    "حساب",
    "ریال",
    "بانک ملی ایران",
    "بانک ملت",
    "بلو",
    "bki. ir",
]


@pytest.mark.parametrize("sender", ["Bank Mellat", "+98700717", "B.Pasargad", "+989999987641", "nobody", None])
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(SMS_ALPHABET), max_size=60))
def test_any_text_gives_a_result_and_only_trusted_deposits_settle(
    sender: str | None, parts: list[str], reader: SmsReader
) -> None:
    parsed = reader.parse(sender, "".join(parts), SMSC_TIME)
    assert parsed.reason
    if parsed.settles:
        assert parsed.kind is Kind.DEPOSIT and parsed.sender_trusted and parsed.amount_rial and parsed.amount_rial > 0
    if not parsed.sender_trusted:
        assert parsed.kind in (Kind.OTHER, Kind.UNPARSED)
