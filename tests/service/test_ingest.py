"""SMS ingestion over a real store: parts first, reassembly, parse, trust, match; nothing lost or doubled."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from appliance.domain.reasons import codes, find, param, parse, reason
from appliance.store.models import Deposit, Payment, SenderSmsc, SmsMessage, SmsPart
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.service import DepositState
from appliance.usecases.sms_intake import Concat, RawPart, SmsIngest, build_reader

TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))
SMSC = "+9891100500"


@pytest.fixture
def ingest(two_cards, clock):
    return SmsIngest(two_cards, build_reader(two_cards.settings), clock)


def mellat_text(amount: int, balance: int, when: dt.datetime) -> str:
    import jdatetime

    j = jdatetime.datetime.fromgregorian(datetime=when.astimezone(TEHRAN))
    return f"حساب6204718359\nواریز{amount:,}\nمانده{balance:,}\n{j.year % 100:02d}/{j.month:02d}/{j.day:02d}-{j:%H:%M}"


def part(text: str, clock, *, sender="Bank Mellat", smsc=SMSC, concat=None, index=1, scts=None, error=None):
    scts = scts or clock()
    fake_pdu = hashlib.sha256(f"{sender}|{text}|{scts.isoformat()}|{concat}|{smsc}".encode()).hexdigest().upper()
    return RawPart(
        modem="m1",
        pdu_hex=fake_pdu,
        received_at=clock(),
        memory="SM",
        index=index,
        sender=sender,
        smsc=smsc,
        scts=scts,
        text=text,
        concat=concat,
        error=error,
    )


def pay(service, fid=1, price=120_000):
    return service.create_payment(CreateRequest(price=price, fid=fid)).payment


def test_a_deposit_sms_pays_its_payment(ingest, two_cards, clock):
    p = pay(two_cards)
    clock.advance(minutes=3)
    assert ingest.store_part(part(mellat_text(p.amount, 49_000_000, clock()), clock)) is True
    assert ingest.process_ready() == 1
    assert Payment.get_by_id(p.id).state == "paid"
    message = SmsMessage.get()
    assert (message.kind, message.bank, message.amount, message.trusted) == ("deposit", "mellat", p.amount, True)
    assert message.deposit.payment_id == p.id
    assert SmsPart.get().message_id == message.id


def test_the_same_part_twice_is_stored_once(ingest, two_cards, clock):
    p = pay(two_cards)
    raw = part(mellat_text(p.amount, 49_000_000, clock()), clock)
    assert ingest.store_part(raw) is True
    assert ingest.store_part(raw) is False
    ingest.process_ready()
    ingest.process_ready()
    assert (SmsPart.select().count(), SmsMessage.select().count(), Deposit.select().count()) == (1, 1, 1)


def test_a_redelivered_sms_with_a_new_timestamp_is_one_deposit(ingest, two_cards, clock):
    """Real SMS arrive twice, byte-identical text, minutes apart (the fixtures saw 26 minutes)."""
    p = pay(two_cards)
    text = mellat_text(p.amount, 49_000_000, clock())
    ingest.store_part(part(text, clock))
    clock.advance(minutes=26)
    ingest.store_part(part(text, clock, scts=clock()))
    ingest.process_ready()
    assert SmsMessage.select().count() == 2
    assert Deposit.select().count() == 1
    assert [e.kind for e in two_cards.events_for("payment", p.id)].count("paid") == 1


@pytest.mark.parametrize("bits", [8, 16])
def test_multipart_out_of_order_and_repeated(ingest, two_cards, clock, bits):
    p = pay(two_cards)
    text = mellat_text(p.amount, 49_000_000, clock())
    chunks = [text[:20], text[20:40], text[40:]]
    order = [2, 0, 2, 1]  # out of order, part 3 twice
    for n, i in enumerate(order):
        ingest.store_part(
            part(
                chunks[i], clock, concat=Concat(77, 3, i + 1, bits), index=n + 1, scts=clock() + dt.timedelta(seconds=i)
            )
        )
        if n < 3:
            assert ingest.process_ready() == 0 or n == 3
    ingest.process_ready()
    message = SmsMessage.get()
    assert message.text == text and message.parts_expected == 3 and message.parts_present == 3
    assert message.flag is None
    assert Payment.get_by_id(p.id).state == "paid"


def test_a_missing_part_waits_then_is_flagged_and_held(ingest, two_cards, clock):
    p = pay(two_cards)
    text = mellat_text(p.amount, 49_000_000, clock())
    ingest.store_part(part(text[:30], clock, concat=Concat(5, 2, 1, 8)))
    assert ingest.process_ready() == 0
    clock.advance(minutes=59)
    assert ingest.process_ready() == 0
    clock.advance(minutes=2)
    assert ingest.process_ready() == 1
    message = SmsMessage.get()
    assert parse(message.flag) == [reason("parts_missing", missing=1, expected=2)]
    assert message.text.endswith("[…]")
    assert Payment.get_by_id(p.id).state == "pending"  # an incomplete message never settles on its own


def test_undecodable_pdu_is_stored_and_flagged(ingest, clock):
    raw = RawPart(modem="m1", pdu_hex="07911326ZZ", received_at=clock(), index=3, error="truncated PDU")
    ingest.store_part(raw)
    ingest.process_ready()
    message = SmsMessage.get()
    assert message.kind == "unparsed" and parse(message.flag) == [reason("undecodable_pdu", detail="truncated PDU")]
    assert codes(message.reason) == ["pdu_undecodable"]
    assert SmsPart.get().pdu_hex == "07911326ZZ"


def test_forged_sender_is_stored_but_no_deposit(ingest, two_cards, clock):
    p = pay(two_cards)
    ingest.store_part(part(mellat_text(p.amount, 49_000_000, clock()), clock, sender="+989121234567"))
    ingest.process_ready()
    message = SmsMessage.get()
    assert message.trusted is False and message.deposit is None
    assert Deposit.select().count() == 0 and Payment.get_by_id(p.id).state == "pending"


def test_smsc_is_learned_then_enforced(ingest, two_cards, clock):
    p1, p2 = pay(two_cards, 1), pay(two_cards, 2)
    ingest.store_part(part(mellat_text(p1.amount, 49_000_000, clock()), clock))
    ingest.process_ready()
    assert [r.smsc for r in SenderSmsc.select()] == [SMSC]
    ingest.store_part(part(mellat_text(p2.amount, 49_000_000 + p2.amount, clock()), clock, smsc="+447700900123"))
    ingest.process_ready()
    message = SmsMessage.select().order_by(SmsMessage.id.desc()).first()
    assert message.trusted is False
    assert codes(message.trust_reason) == ["sender_allowed", "smsc_new", "balance_continues"], message.trust_reason
    assert param(message.trust_reason, "smsc_new", "smsc") == "+447700900123"
    assert param(message.trust_reason, "smsc_new", "known") == SMSC
    assert codes(message.deposit.reason) == ["smsc_new"]
    assert message.deposit.state == DepositState.HELD
    assert Payment.get_by_id(p2.id).state == "pending"


def test_balance_break_warns_or_holds(make_service, db_url, clock):
    for policy, expected in (("warn", "paid"), ("strict", "pending")):
        service = make_service(db_url, sms={"balance_policy": policy})
        if not service.list_cards():
            service.add_card("6104337890123456", "x", account="6204718359")
        ingest = SmsIngest(service, build_reader(service.settings), clock)
        first, second = pay(service, fid=hash(policy) % 10**6), pay(service, fid=hash(policy) % 10**6 + 1)
        last = SmsMessage.select().order_by(SmsMessage.id.desc()).first()
        base = (last.balance if last else 10_000_000) + first.amount  # continues the account's history
        ingest.store_part(part(mellat_text(first.amount, base, clock()), clock, index=1))
        ingest.store_part(part(mellat_text(second.amount, base + 1, clock()), clock, index=2))  # a break
        ingest.process_ready()
        assert Payment.get_by_id(first.id).state == "paid"
        assert Payment.get_by_id(second.id).state == expected, policy
        clock.advance(minutes=1)


def test_interest_is_a_deposit_that_settles_nothing(ingest, two_cards, clock):
    p = pay(two_cards, price=3_118_497)
    text = "ملت\n\nواریز سود کوتاه مدت\n\nحساب6204718359\n\nمبلغ3,118,507\n\n05/09/07"
    ingest.store_part(part(text, clock, sender="6104"))
    ingest.process_ready()
    deposit = Deposit.get()
    assert deposit.state == DepositState.NOT_PAYABLE and Payment.get_by_id(p.id).state == "pending"


def test_retention_deletes_old_sms_but_keeps_their_deposits(ingest, two_cards, clock):
    p = pay(two_cards)
    ingest.store_part(part(mellat_text(p.amount, 49_000_000, clock()), clock))
    ingest.process_ready()
    clock.advance(days=729)
    assert ingest.purge() == 0
    clock.advance(days=2)
    assert ingest.purge() == 1
    assert (SmsMessage.select().count(), SmsPart.select().count()) == (0, 0)
    assert Deposit.get().payment_id == p.id


def test_unprocessed_parts_are_never_purged(ingest, clock):
    ingest.store_part(part("half a message", clock, concat=Concat(9, 2, 1, 8)))
    clock.advance(days=800)
    ingest.purge()
    assert SmsPart.select().count() == 1


def test_a_deposit_the_balance_arithmetic_calls_a_withdrawal_settles_nothing(ingest, two_cards, clock):
    # The reader gets the account's last stored balance: previous - amount = balance proves money went
    # out, whatever the label says, so the "deposit" is kept but never pays (even under policy warn).
    first, second = pay(two_cards, fid=1), pay(two_cards, fid=2)
    ingest.store_part(part(mellat_text(first.amount, 50_000_000, clock()), clock, index=1))
    ingest.process_ready()
    assert Payment.get_by_id(first.id).state == "paid"
    clock.advance(minutes=1)
    ingest.store_part(part(mellat_text(second.amount, 50_000_000 - second.amount, clock()), clock, index=2))
    ingest.process_ready()
    assert Payment.get_by_id(second.id).state == "pending"
    message = SmsMessage.select().order_by(SmsMessage.id.desc()).first()
    assert codes(message.reason) == ["read_by_layout", "doubt_withdrawal_sum"], message.reason
    assert find(message.reason, "doubt_withdrawal_sum") == reason(
        "doubt_withdrawal_sum", previous=50_000_000, amount=second.amount, balance=50_000_000 - second.amount
    )
