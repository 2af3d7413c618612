"""The operator teaches the box, over a real store: trust a sender, learn a format; stored messages re-read."""

from __future__ import annotations

import pytest

from appliance.domain.errors import InvalidInput
from appliance.domain.reasons import codes, param, parse, reason
from appliance.sms.learn import Confirmed, LearnError
from appliance.store.models import Deposit, Event, LearnedTemplate, Payment, SenderSmsc, SmsMessage, TaughtSender
from appliance.usecases.service import DepositState
from appliance.usecases.sms_intake import SmsIngest, build_reader
from appliance.usecases.teaching import Teaching
from tests.service.test_ingest import SMSC, mellat_text, part, pay

OPERATOR = "operator:admin"
STRANGER = "+989121234567"  # a mobile number: on no bank's allow-list


def new_format(amount: int, balance: int, sign: str = "+", ref: int = 88123) -> str:
    """A Mellat message in a layout no shipped template reads, and the field reader leaves unparsed
    (it also prints the amount in Toman, which the field reader never takes for the Rial amount)."""
    return (
        f"بانک ملت\nحساب 6204718359\nواریز شد: {sign}{amount:,} ریال معادل {amount // 10:,} تومان\n"
        f"کد پیگیری {ref}\nمانده: {balance:,}\nبا تشکر"
    )


@pytest.fixture
def ingest(two_cards, clock):
    return SmsIngest(two_cards, build_reader(two_cards.settings), clock)


@pytest.fixture
def teaching(ingest):
    return Teaching(ingest)


def receive(ingest, clock, text: str, **kw) -> SmsMessage:
    before = SmsMessage.select().count()
    assert ingest.store_part(part(text, clock, **kw))
    assert ingest.process_ready() == 1
    assert SmsMessage.select().count() == before + 1
    return SmsMessage.select().order_by(SmsMessage.id.desc()).get()


def events(kind: str) -> list[Event]:
    return list(Event.select().where((Event.entity == "sms") & (Event.kind == kind)).order_by(Event.id))


def test_this_sender_is_mellat_settles_its_held_deposit_and_the_next_one(ingest, teaching, two_cards, clock):
    p = pay(two_cards, fid=1)
    clock.advance(minutes=2)
    held = receive(ingest, clock, mellat_text(p.amount, 49_000_000, clock()), sender=STRANGER)
    assert (held.kind, held.trusted, held.deposit_id) == ("other", False, None)
    assert Payment.get_by_id(p.id).state == "pending"

    taught = teaching.trust_sender(OPERATOR, message_id=held.id)

    assert parse(taught.summary) == [
        reason("sender_trusted", sender=STRANGER, bank="mellat"),
        reason("smsc_pinned", smsc=SMSC),
    ]
    assert Payment.get_by_id(p.id).state == "paid"  # through the matcher, at once
    message = SmsMessage.get_by_id(held.id)
    assert (message.kind, message.trusted, message.bank) == ("deposit", True, "mellat")
    assert Deposit.get_by_id(message.deposit_id).state == DepositState.MATCHED
    assert TaughtSender.get().bank == "mellat"
    assert SenderSmsc.get_or_none((SenderSmsc.sender == STRANGER) & (SenderSmsc.smsc == SMSC)) is not None
    (event,) = events("sender_trusted")
    assert (event.entity_id, event.actor, event.at) == (held.id, OPERATOR, clock())
    assert event.data == {"sender": STRANGER, "bank": "mellat", "smsc": SMSC}
    assert [e.entity_id for e in events("reread")] == [held.id]

    # A restarted box (a new reader from the store) trusts it; the pinned SMSC is enforced.
    fresh = SmsIngest(two_cards, build_reader(two_cards.settings), clock)
    p2 = pay(two_cards, fid=2)
    clock.advance(minutes=1)
    assert receive(fresh, clock, mellat_text(p2.amount, 50_000_000, clock()), sender=STRANGER).kind == "deposit"
    assert Payment.get_by_id(p2.id).state == "paid"
    p3 = pay(two_cards, fid=3)
    spoof = receive(fresh, clock, mellat_text(p3.amount, 51_000_000, clock()), sender=STRANGER, smsc="+1555")
    assert Deposit.get_by_id(spoof.deposit_id).state == DepositState.HELD
    assert Payment.get_by_id(p3.id).state == "pending"


def test_trusting_the_sender_of_a_deposit_held_for_a_new_smsc_pins_it_and_settles(ingest, teaching, two_cards, clock):
    first = receive(ingest, clock, mellat_text(1_000_000, 10_000_000, clock()))
    assert first.trusted  # its SMSC is learned
    p = pay(two_cards)
    clock.advance(minutes=1)
    held = receive(ingest, clock, mellat_text(p.amount, 10_000_000 + p.amount, clock()), smsc="+98935000")
    deposit = Deposit.get_by_id(held.deposit_id)
    assert deposit.state == DepositState.HELD and codes(deposit.reason) == ["smsc_new"]

    taught = teaching.trust_sender(OPERATOR, message_id=held.id)

    assert codes(taught.summary) == ["sender_was_trusted", "smsc_pinned"]
    assert param(taught.summary, "smsc_pinned", "smsc") == "+98935000"
    assert Deposit.get_by_id(deposit.id).state == DepositState.MATCHED
    assert Payment.get_by_id(p.id).state == "paid"
    assert SmsMessage.get_by_id(held.id).trusted
    assert TaughtSender.select().count() == 0  # the sender was already on the allow-list


def test_trust_sender_refuses_what_would_widen_trust_wrongly(ingest, teaching, clock):
    with pytest.raises(InvalidInput, match="is mellat's: it cannot be saman's"):
        teaching.trust_sender(OPERATOR, sender="Bank Mellat", bank="saman")
    with pytest.raises(InvalidInput, match="unknown bank 'nobank'"):
        teaching.trust_sender(OPERATOR, sender="12345", bank="nobank")
    trusted = receive(ingest, clock, mellat_text(1_000_000, 2_000_000, clock()))
    with pytest.raises(InvalidInput, match="from a trusted sender and is not held"):
        teaching.trust_sender(OPERATOR, message_id=trusted.id)
    otp = receive(ingest, clock, "رمز پویا: 123456", sender=STRANGER)
    with pytest.raises(InvalidInput, match="say which bank"):
        teaching.trust_sender(OPERATOR, message_id=otp.id)
    assert TaughtSender.select().count() == 0 and not events("sender_trusted")


def test_a_sender_trusted_from_the_cli_reaches_a_running_intake_with_the_next_sms(ingest, two_cards, clock):
    other_process = Teaching(SmsIngest(two_cards, build_reader(two_cards.settings), clock))
    other_process.trust_sender("operator:cli:root", sender=STRANGER, bank="mellat")
    p = pay(two_cards)
    clock.advance(minutes=1)
    message = receive(ingest, clock, mellat_text(p.amount, 9_000_000, clock()), sender=STRANGER)
    assert message.kind == "deposit" and Payment.get_by_id(p.id).state == "paid"


def test_learning_a_format_rereads_the_stored_unparsed_messages_and_reads_the_next(ingest, teaching, two_cards, clock):
    p1 = pay(two_cards, fid=1)
    p2 = pay(two_cards, fid=2)
    clock.advance(minutes=1)
    first = receive(ingest, clock, new_format(p1.amount, 20_000_000))
    second = receive(ingest, clock, new_format(p2.amount, 20_000_000 + p2.amount, ref=4))
    assert (first.kind, second.kind) == ("unparsed", "unparsed")
    proposal = teaching.propose(first.id)
    assert (proposal.amounts[0], proposal.direction, proposal.balance) == (p1.amount, "deposit", 20_000_000)

    taught = teaching.learn(first.id, Confirmed(p1.amount, "deposit", 20_000_000, "6204718359"), OPERATOR)

    assert set(taught.reread) == {first.id, second.id}
    assert Payment.get_by_id(p1.id).state == "paid" and Payment.get_by_id(p2.id).state == "paid"
    template = LearnedTemplate.get_by_id(taught.template_id)
    assert (template.bank, template.created_by, template.message_id) == ("mellat", OPERATOR, first.id)
    assert "[[sample]]" in template.body and "amount_rial = " + str(p1.amount) in template.body
    (event,) = events("format_learned")
    assert (event.entity_id, event.actor, event.at, event.data["amount"]) == (first.id, OPERATOR, clock(), p1.amount)

    p3 = pay(two_cards, fid=3)
    clock.advance(minutes=1)
    nxt = receive(ingest, clock, new_format(p3.amount, 20_000_000 + p2.amount + p3.amount, ref=9))
    assert nxt.kind == "deposit" and Payment.get_by_id(p3.id).state == "paid"


def test_a_learned_format_never_settles_what_the_sign_or_the_balance_contradicts(ingest, teaching, two_cards, clock):
    first = receive(ingest, clock, new_format(1_000_000, 20_000_000))
    teaching.learn(first.id, Confirmed(1_000_000, "deposit", 20_000_000, "6204718359"), OPERATOR)
    assert SmsMessage.get_by_id(first.id).kind == "deposit"
    p = pay(two_cards, fid=1)
    clock.advance(minutes=1)
    minus = receive(ingest, clock, new_format(p.amount, 20_000_000 - p.amount, sign="-"))
    assert minus.kind == "unparsed" and minus.deposit_id is None
    # The balance policy is "warn": a shipped layout would settle with a warning; a learned one holds.
    assert two_cards.settings.sms.balance_policy == "warn"
    broken = receive(ingest, clock, new_format(p.amount, 99_000_000))
    deposit = Deposit.get_by_id(broken.deposit_id)
    assert deposit.state == DepositState.HELD and codes(deposit.reason) == ["balance_break", "held_learned"]
    assert Payment.get_by_id(p.id).state == "pending"
    continues = receive(ingest, clock, new_format(p.amount, 20_000_000 + p.amount, ref=3))
    assert Deposit.get_by_id(continues.deposit_id).state == DepositState.MATCHED


def test_learn_refuses_fields_the_message_does_not_print_and_messages_that_are_not_unparsed(ingest, teaching, clock):
    unparsed = receive(ingest, clock, new_format(1_000_000, 20_000_000))
    with pytest.raises(LearnError, match="does not print the amount 2000000"):
        teaching.learn(unparsed.id, Confirmed(2_000_000, "deposit", 20_000_000), OPERATOR)
    with pytest.raises(LearnError, match="says deposit, not withdrawal"):
        teaching.learn(unparsed.id, Confirmed(1_000_000, "withdrawal", 20_000_000), OPERATOR)
    read = receive(ingest, clock, mellat_text(1_000_000, 21_000_000, clock()))
    with pytest.raises(InvalidInput, match="only an unparsed message"):
        teaching.learn(read.id, Confirmed(1_000_000, "deposit"), OPERATOR)
    assert LearnedTemplate.select().count() == 0 and not events("format_learned")


def test_a_stored_template_the_reader_refuses_is_left_out_and_reading_goes_on(ingest, two_cards, clock):
    LearnedTemplate.create(
        bank="mellat", body="bank = 'mellat'\n[[layout]]\npattern = '('\n", created_by="x", created_at=clock()
    )
    p = pay(two_cards)
    clock.advance(minutes=1)
    assert receive(ingest, clock, mellat_text(p.amount, 1_000_000, clock())).kind == "deposit"
    assert Payment.get_by_id(p.id).state == "paid"


def test_a_forgotten_template_reads_no_more_and_what_it_read_stays(ingest, teaching, two_cards, clock):
    first = receive(ingest, clock, new_format(1_000_000, 20_000_000))
    taught = teaching.learn(first.id, Confirmed(1_000_000, "deposit", 20_000_000, "6204718359"), OPERATOR)
    assert "forgotten" in teaching.forget_template(taught.template_id, OPERATOR)
    assert LearnedTemplate.select().count() == 0 and SmsMessage.get_by_id(first.id).kind == "deposit"
    assert events("format_forgotten")[0].actor == OPERATOR
    assert receive(ingest, clock, new_format(2_000_000, 22_000_000)).kind == "unparsed"
