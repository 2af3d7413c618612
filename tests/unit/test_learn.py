"""Learning a format from one message: the proposal, and the template built from the confirmed fields."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from appliance.domain.reasons import param
from appliance.sms import Kind, SmsReader, normalize_digits
from appliance.sms.learn import Confirmed, LearnError, learned_template, propose, read_by_learned_layout

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SMSC_TIME = dt.datetime(2026, 10, 6, 6, 0, tzinfo=dt.UTC)  # 1405/07/14 in Tehran
NEW_FORMAT = (
    "بانک ملت\nحساب 6204718359\nواریز شد: +۱۲,۵۰۰,۰۰۰ ریال\nکد پیگیری 88123\nمانده: ۴۸,۹۱۳,۴۰۲\n1405/7/14 ساعت 9:26"
)


def labelled() -> list[dict]:
    rows = []
    for path in (FIXTURES / "bank_sms.jsonl", *sorted((FIXTURES / "bank_sms_corpus").glob("*.jsonl"))):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if r["kind"] in ("deposit", "withdrawal") and r.get("amount_rial")]


def reader_with(tmp_path: Path, body: str, bank: str = "learnt") -> SmsReader:
    path = tmp_path / "learned.toml"
    path.write_text(body, encoding="utf-8")
    return SmsReader(extra_senders={bank: ["TEST-SENDER"]} if bank == "learnt" else {}, extra_templates=[path])


def test_the_proposal_finds_the_fields_of_a_format_it_never_saw():
    p = propose(NEW_FORMAT)
    assert p.amounts[0] == 12_500_000
    assert 88123 in p.amounts  # a reference code is only a later candidate: the operator picks
    assert (p.direction, p.balance, p.account, p.date, p.time) == (
        "deposit",
        48_913_402,
        "6204718359",
        "1405/7/14",
        "9:26",
    )
    assert "sign +: deposit" in p.direction_evidence


def test_the_proposal_leaves_the_direction_open_when_the_evidence_disagrees():
    p = propose("حساب 6204718359\nبرداشت +500,000\nمانده 1,000,000")
    assert p.direction is None and len(p.direction_evidence) == 2


def test_the_proposal_on_the_labelled_corpus():
    """The first amount candidate is the labelled amount, and the balance is the labelled one, for
    nearly every real-format message (the operator corrects the rest)."""
    rows = labelled()
    amounts = sum(propose(r["text"]).amounts[:1] == [r["amount_rial"]] for r in rows)
    balances = sum(propose(r["text"]).balance == r.get("balance_rial") for r in rows)
    print(f"proposal over {len(rows)} labelled movements: amount first {amounts}, balance {balances}")
    assert amounts >= 0.95 * len(rows) and balances >= 0.95 * len(rows)


def test_a_template_learned_from_each_labelled_message_reads_it_back_exactly(tmp_path):
    refused, learned = [], []
    for i, r in enumerate(labelled()):
        confirmed = Confirmed(r["amount_rial"], r["kind"], r.get("balance_rial"), r.get("account_or_card"))
        try:
            body = learned_template(f"learnt_{i}", r["text"], confirmed, message_id=i, comment=r["id"])
        except LearnError as exc:
            assert "contradicts" in str(exc), r["id"]
            refused.append(r["id"])
            continue
        (tmp_path / f"{i}.toml").write_text(body, encoding="utf-8")
        learned.append((i, r))
    # One bank per learned template, so that each message is read by its own template only.
    reader = SmsReader(
        extra_senders={f"learnt_{i}": [f"TEST-{i}"] for i, _ in learned},
        extra_templates=sorted(tmp_path.glob("*.toml")),
    )
    for i, r in learned:
        got = reader.parse(f"TEST-{i}", r["text"], SMSC_TIME)
        wanted = (Kind(r["kind"]), r["amount_rial"], r.get("balance_rial"))
        assert (got.kind, got.amount_rial, got.balance_rial) == wanted, (r["id"], got.reason)
        if r.get("account_or_card"):
            assert got.account == normalize_digits(r["account_or_card"]), r["id"]
        assert read_by_learned_layout(got.reason)
    assert len(refused) <= 3, refused  # only deposits whose own line says «خرید» (Blu's cash-back)


def test_the_next_message_of_the_format_reads_but_a_contradicting_one_never_settles(tmp_path):
    body = learned_template(
        "mellat", NEW_FORMAT, Confirmed(12_500_000, "deposit", 48_913_402, "6204718359"), message_id=7, comment="t"
    )
    reader = reader_with(tmp_path, body, bank="mellat")
    nxt = NEW_FORMAT.replace("+۱۲,۵۰۰,۰۰۰", "+3,400,000").replace("88123", "5").replace("۴۸,۹۱۳,۴۰۲", "52,313,402")
    got = reader.parse("Bank Mellat", nxt, SMSC_TIME)
    assert (got.kind, got.amount_rial, got.balance_rial, got.settles) == (Kind.DEPOSIT, 3_400_000, 52_313_402, True)
    assert got.bank_time == dt.datetime(2026, 10, 6, 9, 26, tzinfo=got.bank_time.tzinfo)
    minus = reader.parse("Bank Mellat", nxt.replace("+3,400,000", "-3,400,000"), SMSC_TIME)
    assert minus.kind is Kind.UNPARSED
    assert "sign says withdrawal" in str(param(minus.reason, "layout_mismatch", "problem")), minus.reason
    relabelled = reader.parse("Bank Mellat", nxt.replace("واریز شد", "برداشت شد"), SMSC_TIME)
    assert relabelled.kind is Kind.UNPARSED and not relabelled.settles
    stranger = reader.parse("+989121234567", nxt, SMSC_TIME)
    assert stranger.kind is Kind.OTHER and not stranger.settles


@pytest.mark.parametrize(
    ("confirmed", "why"),
    [
        (Confirmed(12_500_000, "withdrawal", 48_913_402), "the sign + before the amount says deposit"),
        (Confirmed(12_600_000, "deposit"), "does not print the amount 12600000"),
        (Confirmed(12_500_000, "deposit", 1), "does not print the balance 1"),
        (Confirmed(12_500_000, "deposit", account="1111"), "does not print the account 1111"),
        (Confirmed(12_500_000, "refund"), "direction must be deposit or withdrawal"),
        (Confirmed(0, "deposit"), "positive"),
    ],
)
def test_fields_that_do_not_fit_the_message_are_refused(confirmed, why):
    with pytest.raises(LearnError, match=re.escape(why)):
        learned_template("mellat", NEW_FORMAT, confirmed, message_id=1, comment="")


def test_a_label_that_contradicts_the_direction_is_refused():
    with pytest.raises(LearnError, match="contradicts deposit"):
        learned_template(
            "mellat",
            "حساب 6204718359\nبرداشت 500,000\nمانده 1,000,000",
            Confirmed(500_000, "deposit"),
            message_id=1,
            comment="",
        )
