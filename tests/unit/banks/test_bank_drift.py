"""Each drift class of the corpus's generators, on the tuning corpus's deposits: read as before, never worse.

A drifted copy must read exactly like the labels (kind, amount, balance, account,
settles), or at worst be held (unparsed / not settling): never a different
amount or a payable deposit the original is not. And hostile cases (spoofs,
another account, interest, withdrawals, OTPs, sign/label/balance conflicts)
never become a payable deposit of the merchant's account.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from bank_sms_helpers import EXTRA_SENDERS  # also puts the corpus folder on sys.path
from drift import DRIFT, hostile_cases, load

from appliance.sms import Kind, SmsReader, account_matches, normalize_digits
from appliance.sms.bank_time import TEHRAN
from appliance.sms.senders import canonical_sender

SMSC = __import__("datetime").datetime(2026, 10, 12, 12, 0, tzinfo=TEHRAN)
# Banks that ship no sender get one, as an operator would configure it.
OPERATOR_SENDERS = {**EXTRA_SENDERS, "sina": ["BankSina"], "post": ["PostBank"]}
TUNING = load("corpus.jsonl")
DEPOSITS = [r for r in TUNING if r["kind"] == "deposit" and r["trusted_sender"]]
# The share of a class's copies that must read exactly; the rest may only be held, never misread.
MIN_EXACT = 0.95
# Without its name line, a Melli SMS is Saderat's layout byte for byte: the reader will not say
# whose it is (other, with that reason), so this class reads fewer exactly.
MIN_EXACT_BY_CLASS = {"header dropped": 0.85}


@pytest.fixture(scope="module")
def corpus_reader() -> SmsReader:
    return SmsReader(extra_senders=OPERATOR_SENDERS)


def sender_of(row: dict[str, Any], reader: SmsReader) -> str | None:
    if row["sender"]:
        return row["sender"]
    shipped = reader.dialects[row["bank"]].senders if row["bank"] in reader.dialects else []
    extra = OPERATOR_SENDERS.get(row["bank"], [])
    return (shipped or extra or [None])[0]


def digits(value: str | None) -> str:
    return "".join(c for c in normalize_digits(value or "") if c.isdigit())


def exact(row: dict[str, Any], parsed: Any) -> bool:
    return (
        parsed.kind.value == row["kind"]
        and parsed.amount_rial == row["amount_rial"]
        and parsed.balance_rial == row["balance_rial"]
        and digits(parsed.account) == digits(row["account_or_card"])
        and parsed.settles == row["payment_candidate"]
    )


@pytest.mark.parametrize("name", list(DRIFT))
def test_each_drift_class_reads_the_deposits_as_labelled(name: str, corpus_reader: SmsReader) -> None:
    rng = random.Random(f"drift {name}")
    applied = read_exactly = 0
    for row in DEPOSITS:
        sender = sender_of(row, corpus_reader)
        if sender is None:
            continue
        original = corpus_reader.parse(sender, row["text"], SMSC)
        drifted = DRIFT[name](row["text"], rng)
        if drifted is None or not exact(row, original):
            continue  # the class does not apply, or the original is itself not read: nothing to compare
        applied += 1
        parsed = corpus_reader.parse(sender, drifted, SMSC)
        if exact(row, parsed):
            read_exactly += 1
            continue
        # Not exact: at worst held, never another figure settling.
        assert not parsed.settles, (row["id"], name, parsed.reason)
        assert parsed.amount_rial in (None, row["amount_rial"]), (row["id"], name, parsed.reason)
    assert applied > 0, f"{name} applied to no deposit"
    floor = MIN_EXACT_BY_CLASS.get(name, MIN_EXACT)
    assert read_exactly >= floor * applied, f"{name}: {read_exactly}/{applied} exact"


def test_no_hostile_case_is_a_payable_deposit_of_the_merchant(corpus_reader: SmsReader) -> None:
    senders = {bank: sender_of({"sender": None, "bank": bank}, corpus_reader) for bank in corpus_reader.banks}
    every = {canonical_sender(s) for d in corpus_reader.dialects.values() for s in d.senders}
    every |= {canonical_sender(s) for ss in OPERATOR_SENDERS.values() for s in ss}
    seen: set[str] = set()
    for case in hostile_cases(random.Random(1405), 3000, {**senders, "*": "\n".join(every)}):
        seen.add(case.kind)
        parsed = corpus_reader.parse(case.sender, case.text, SMSC, previous_balance=case.previous_balance)
        payable = (
            parsed.kind is Kind.DEPOSIT
            and parsed.settles
            and parsed.sender_trusted
            # No account printed: the intake matches on the amount alone, so that is payable too.
            and (
                parsed.account is None
                or account_matches(parsed.account, digits(case.merchant_account), case.merchant_account)
            )
        )
        assert not payable, (case.kind, case.sender, parsed.reason)
    assert len(seen) >= 8, seen
