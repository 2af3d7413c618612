"""Mutated copies of the fixtures: harmless spellings read the same; harmful changes never become deposits.

Harmless: digits in each style, separators swapped, bidi marks/ZWNJ/kashida
inserted, CRLF, extra spaces, Arabic letters. Harmful: a digit of the amount
dropped, a foreign sender, a different account, a line moved or dropped.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pytest
from bank_sms_helpers import FIXTURE_ROWS, SMSC_TIME, fixture_id, sender_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.sms import Kind, ParsedSms, SmsReader, account_matches, normalize_digits

DIGIT_STYLES = ["0123456789", "۰۱۲۳۴۵۶۷۸۹", "٠١٢٣٤٥٦٧٨٩"]
SEPARATORS = [",", "٬", "،", "٫"]
INVISIBLE = ["\u200c", "\u200f", "\u200e", "\u202b", "\u2067", "\u061c", "\u0640"]
ALL_DIGITS = "".join(DIGIT_STYLES)
DEPOSITS = [r for r in FIXTURE_ROWS if r["kind"] == "deposit" and r["trusted_sender"]]
MOVEMENTS = [r for r in FIXTURE_ROWS if r["kind"] in ("deposit", "withdrawal") and r["trusted_sender"]]
MUTATION_SETTINGS = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def harmless_copy(text: str, rng: random.Random) -> str:
    """The same message as another phone, keyboard or bank system might spell it."""
    digits = rng.choice(DIGIT_STYLES + ["mixed"])
    out = []
    for char in text:
        if char in ALL_DIGITS:
            style = rng.choice(DIGIT_STYLES) if digits == "mixed" else digits
            char = style[int(normalize_digits(char))]
        elif char in ",٬" and rng.random() < 0.7:
            char = rng.choice(SEPARATORS)
        elif char == "ی" and rng.random() < 0.5:
            char = "ي"
        elif char == "ک" and rng.random() < 0.5:
            char = "ك"
        elif char == " ":
            char = rng.choice([" ", "  ", "\u00a0", " \t"])
        elif char == "\n":
            char = rng.choice(["\n", "\r\n", " \n ", "\n\n", "\u200f\n"])
        out.append(char)
        if rng.random() < 0.1:
            out.append(rng.choice(INVISIBLE))
    return rng.choice(["", " ", "\u200f", "\r\n"]) + "".join(out) + rng.choice(["", " ", "\n"])


@pytest.mark.parametrize("row", FIXTURE_ROWS, ids=fixture_id)
@MUTATION_SETTINGS
@given(seed=st.integers(0, 2**32))
def test_a_harmless_copy_reads_the_same(row: dict[str, Any], reader: SmsReader, seed: int) -> None:
    # A seeded generator rather than hypothesis draws per character: the same
    # variety at a fraction of the cost; the failing seed is reported.
    sender = sender_for(row, reader)
    original = reader.parse(sender, row["text"], SMSC_TIME)
    mutated = harmless_copy(row["text"], random.Random(seed))
    assert reader.parse(sender, mutated, SMSC_TIME) == original


def _printed_amount_span(text: str, amount: int) -> tuple[int, int]:
    plain = normalize_digits(text)
    match = re.search(r"(?<!\d)" + r"[,٬،]?".join(str(amount)) + r"(?!\d)", plain)
    assert match, "the amount is printed in the text"
    return match.span()


def _is_grouped(number: str) -> bool:
    return bool(re.fullmatch(r"\d{1,3}(?:[,٬،]\d{3})*", number))


@pytest.mark.parametrize("row", MOVEMENTS, ids=fixture_id)
def test_a_digit_dropped_from_the_amount_never_reads_as_the_labelled_amount(
    row: dict[str, Any], reader: SmsReader
) -> None:
    sender = sender_for(row, reader)
    start, end = _printed_amount_span(row["text"], row["amount_rial"])
    for i in range(start, end):
        if not normalize_digits(row["text"][i]).isdigit():
            continue
        mutated = row["text"][:i] + row["text"][i + 1 :]
        parsed = reader.parse(sender, mutated, SMSC_TIME)
        assert parsed.amount_rial != row["amount_rial"]
        printed = normalize_digits(mutated[start : end - 1])
        if not _is_grouped(printed):
            # A broken grouping (12,75,000) is no amount at all.
            assert parsed.kind is Kind.UNPARSED, (mutated, parsed)
        elif parsed.kind is Kind.DEPOSIT:
            assert parsed.amount_rial == int(re.sub(r"\D", "", printed))


FOREIGN_SENDERS = st.one_of(
    st.sampled_from(
        [
            "10001",
            "+989351122334",
            "Bank Mel1at",
            "BankMellat1",
            "Bank-Mellat",
            "Mellat",
            "+98700718",
            "B.Pasargad.",
            "TejaratBank2",
            "ENBank ",
            "Refah  Bank!",
            "98 700717",
            "700717 1",
            "",
        ]
    ),
    st.text(min_size=1, max_size=15),
)


@pytest.mark.parametrize("row", DEPOSITS, ids=fixture_id)
@MUTATION_SETTINGS
@given(sender=FOREIGN_SENDERS)
def test_a_foreign_sender_never_makes_a_deposit(row: dict[str, Any], reader: SmsReader, sender: str) -> None:
    if reader.parse(sender, "x").sender_trusted:
        return  # the draw happened to spell a genuine sender
    parsed = reader.parse(sender, row["text"], SMSC_TIME)
    assert parsed.kind is not Kind.DEPOSIT and not parsed.settles and not parsed.sender_trusted


def test_lookalike_senders_are_not_trusted(reader: SmsReader) -> None:
    for sender in ["Bank Mel1at", "Bank-Mellat", "Mellat", "+98700718", "B Pasargad", "Tejarat Bank 1"]:
        assert not reader.parse(sender, "x").sender_trusted, sender
    for sender in ["bank mellat", "BANKMELLAT", "0098700717", "700717", "+98 700 717", "09999987641"]:
        assert reader.parse(sender, "x").sender_trusted, sender


@pytest.mark.parametrize("row", [r for r in DEPOSITS if r["account_or_card"]], ids=fixture_id)
def test_a_different_account_does_not_designate_the_merchant_card(row: dict[str, Any], reader: SmsReader) -> None:
    account = normalize_digits(row["account_or_card"])
    sender = sender_for(row, reader)
    text = normalize_digits(row["text"])
    position = text.index(account)
    for offset, char in enumerate(account):
        if not char.isdigit():
            continue
        changed = str((int(char) + 1) % 10)
        mutated = text[: position + offset] + changed + text[position + offset + 1 :]
        parsed = reader.parse(sender, mutated, SMSC_TIME)
        assert parsed.account != account
        assert not account_matches(parsed.account, card_number="6037991234567890", card_account=account)


def _moved_copies(text: str) -> list[str]:
    lines = text.split("\n")
    copies = []
    for i in range(len(lines) - 1):
        swapped = lines[:i] + [lines[i + 1], lines[i]] + lines[i + 2 :]
        copies.append("\n".join(swapped))
    for i in range(len(lines)):
        copies.append("\n".join(lines[:i] + lines[i + 1 :]))  # a line dropped
        copies.append("\n".join(lines[: i + 1] + [lines[i]] + lines[i + 1 :]))  # a line repeated
    return [c for c in copies if c != text]


def _relabelled_copies(text: str) -> list[str]:
    respellings = {
        "واریز": "واریز وجه",
        "مانده": "موجودی",
        "مبلغ": "مبلغ تراکنش",
        "حساب": "کارت",
        "+": "-",
        "انتقال": "انتقال وجه",
        "برداشت": "واریز",
        "پایا": "پل",
    }
    return [text.replace(old, new, 1) for old, new in respellings.items() if old in text]


def _read_correctly_or_not_at_all(parsed: ParsedSms, row: dict[str, Any]) -> bool:
    if parsed.kind in (Kind.UNPARSED, Kind.OTHER):
        return not parsed.settles
    return parsed.amount_rial == row["amount_rial"]


@pytest.mark.parametrize("row", MOVEMENTS, ids=fixture_id)
def test_a_moved_or_respelled_field_is_read_correctly_or_left_unparsed(row: dict[str, Any], reader: SmsReader) -> None:
    sender = sender_for(row, reader)
    for copy in _moved_copies(row["text"]) + _relabelled_copies(row["text"]):
        parsed = reader.parse(sender, copy, SMSC_TIME)
        assert _read_correctly_or_not_at_all(parsed, row), (copy, parsed)
        if parsed.kind is Kind.DEPOSIT and parsed.settles:
            # Whatever still settles must carry the labelled balance too (nothing swapped into it).
            assert parsed.balance_rial in (row["balance_rial"], None), (copy, parsed)
