"""Every labelled fixture reads exactly as its labels say (issue 4: "every fixture gives exactly its labels")."""

from __future__ import annotations

from typing import Any

import pytest
from bank_sms_helpers import FIXTURE_ROWS, SMSC_TIME, fixture_id, sender_for

from appliance.sms import Kind, SmsReader, normalize_digits
from appliance.sms.bank_time import jalali_text


def expected_kind(row: dict[str, Any]) -> Kind:
    # A sender on no allow-list is never a deposit: the text's claim is kept
    # for display (amount, account...) but the kind is "other".
    return Kind(row["kind"]) if row["trusted_sender"] else Kind.OTHER


@pytest.mark.parametrize("row", FIXTURE_ROWS, ids=fixture_id)
def test_fixture_reads_as_labelled(row: dict[str, Any], reader: SmsReader) -> None:
    parsed = reader.parse(sender_for(row, reader), row["text"], SMSC_TIME)

    assert parsed.kind is expected_kind(row), parsed.reason
    assert parsed.bank == (None if row["bank"] == "none" else row["bank"])
    assert parsed.amount_rial == row["amount_rial"]
    assert parsed.balance_rial == row["balance_rial"]
    expected_account = normalize_digits(row["account_or_card"]) if row["account_or_card"] else None
    assert parsed.account == expected_account
    assert parsed.counterpart_card == row["counterpart_card"]
    assert parsed.settles is row["payment_candidate"]
    assert parsed.sender_trusted is row["trusted_sender"]
    assert parsed.reason


@pytest.mark.parametrize("row", FIXTURE_ROWS, ids=fixture_id)
def test_fixture_bank_time(row: dict[str, Any], reader: SmsReader) -> None:
    parsed = reader.parse(sender_for(row, reader), row["text"], SMSC_TIME)
    label = row["jalali_datetime"]
    if label is None or ":" not in label:
        # Not printed, or a date with no time of day: not a transfer time.
        assert parsed.bank_time is None
        return
    assert parsed.bank_time is not None and parsed.bank_time.tzinfo is not None
    text = jalali_text(parsed.bank_time)
    # Labels without a year ("MM/DD HH:MM") pin the printed date; the year is tested in test_bank_time.py.
    assert (text if label.count("/") == 2 else text[5:]) == label


@pytest.mark.parametrize(
    "row", [r for r in FIXTURE_ROWS if r["trusted_sender"] and r["kind"] != "other"], ids=fixture_id
)
def test_fixture_channel(row: dict[str, Any], reader: SmsReader) -> None:
    parsed = reader.parse(sender_for(row, reader), row["text"], SMSC_TIME)
    assert parsed.channel == (None if row["channel"] in (None, "unknown") else row["channel"])


@pytest.mark.parametrize("row", FIXTURE_ROWS, ids=fixture_id)
def test_without_a_sender_nothing_settles(row: dict[str, Any], reader: SmsReader) -> None:
    parsed = reader.parse(None, row["text"], SMSC_TIME)
    assert parsed.kind in (Kind.OTHER, Kind.UNPARSED)
    assert not parsed.settles and not parsed.sender_trusted


def test_every_bank_of_the_fixtures_has_a_dialect(reader: SmsReader) -> None:
    fixture_banks = {row["bank"] for row in FIXTURE_ROWS} - {"none"}
    assert fixture_banks <= set(reader.banks)
