"""The payment use cases over a real store: SQLite file and PostgreSQL (``db_url`` runs both)."""

from __future__ import annotations

import pytest

from appliance.domain.codes import Code
from appliance.domain.errors import ApiError, InvalidInput, InvalidTransition
from appliance.store.models import AmountReservation, Event, Payment
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.service import DepositState, NewDeposit
from tests.conftest import MELLAT_CARD, MELLI_CARD, SAMAN_CARD


def create(service, fid, price=120_000, **kw):
    return service.create_payment(CreateRequest(price=price, fid=fid, **kw)).payment


def test_amounts_are_unique_and_smallest_first(two_cards):
    amounts = [create(two_cards, fid).amount for fid in range(1, 6)]
    assert amounts == [120_010, 120_020, 120_030, 120_040, 120_050]
    # another price has its own offsets
    assert create(two_cards, 99, price=50_000).amount == 50_010


def test_paid_payment_frees_its_amount(two_cards):
    first = create(two_cards, 1)
    two_cards.record_deposit(NewDeposit(amount=first.amount, source="manual", created_by="t"))
    assert create(two_cards, 2).amount == first.amount


def test_expired_amount_stays_held_for_the_quarantine(two_cards, clock):
    first = create(two_cards, 1)
    clock.advance(minutes=16)
    assert two_cards.expire_due() == 1
    assert create(two_cards, 2).amount == first.amount + 10
    clock.advance(hours=24)
    assert create(two_cards, 3).amount == first.amount  # quarantine over: the amount is free again


def test_no_free_amount_has_its_own_code(make_service, db_url):
    service = make_service(db_url, payments={"min_offset": 10, "max_offset": 30, "offset_step": 10})
    service.add_card(MELLI_CARD, "x")
    for fid in range(3):
        create(service, fid + 1)
    with pytest.raises(ApiError) as info:
        create(service, 10)
    assert info.value.code is Code.NO_FREE_AMOUNT


def test_duplicate_fid(two_cards):
    create(two_cards, 7)
    with pytest.raises(ApiError) as info:
        create(two_cards, 7)
    assert info.value.code is Code.FID_DUPLICATE
    assert Payment.select().count() == 1


def test_a_used_fid_is_told_before_no_card_or_no_free_amount(make_service, db_url):
    """The fid is read only when another refusal comes (the index refuses it otherwise): code 3 still comes first."""
    service = make_service(db_url, payments={"min_offset": 10, "max_offset": 10, "offset_step": 10, "pin_card": True})
    card = service.add_card(MELLI_CARD, "x")
    create(service, 1)  # the one amount of this price is held now
    for fid, expected in ((1, Code.FID_DUPLICATE), (2, Code.NO_FREE_AMOUNT)):
        with pytest.raises(ApiError) as info:
            create(service, fid)
        assert info.value.code is expected
    service.set_card_active(str(card.id), False)
    for fid, expected in ((1, Code.FID_DUPLICATE), (2, Code.NO_CARD_AVAILABLE)):
        with pytest.raises(ApiError) as info:
            create(service, fid, price=50_000)
        assert info.value.code is expected
    assert Payment.select().count() == 1


def test_no_card_and_daily_ceilings(make_service, db_url):
    service = make_service(db_url)
    with pytest.raises(ApiError) as info:
        create(service, 1)
    assert info.value.code is Code.NO_CARD_AVAILABLE
    service.add_card(MELLI_CARD, "x", daily_limit_rial=300_000, account="30417")
    service.add_card(MELLAT_CARD, "y", daily_limit_count=1, account="6204718359")
    p = create(service, 1)
    assert {c.number for c in service.payment_cards(p)} == {MELLI_CARD, MELLAT_CARD}
    service.record_deposit(NewDeposit(amount=p.amount, source="manual", created_by="t", account="6204718359"))
    # the Mellat card took its one deposit today: only Melli is offered now
    p2 = create(service, 2)
    assert [c.number for c in service.payment_cards(p2)] == [MELLI_CARD]
    service.record_deposit(NewDeposit(amount=250_000, source="manual", created_by="t", account="30417"))
    with pytest.raises(ApiError) as info:
        create(service, 3)  # Melli: 250,000 + 120,000 would pass its 300,000 ceiling
    assert info.value.code is Code.NO_CARD_AVAILABLE


def test_pinned_cards_give_capacity_per_card(make_service, db_url):
    service = make_service(db_url, payments={"pin_card": True, "min_offset": 10, "max_offset": 10})
    service.add_card(MELLI_CARD, "x")
    service.add_card(MELLAT_CARD, "y")
    a, b = create(service, 1), create(service, 2)
    assert a.amount == b.amount == 120_010
    assert {a.card_id, b.card_id} == {1, 2}
    assert [len(service.payment_cards(p)) for p in (a, b)] == [1, 1]
    with pytest.raises(ApiError):
        create(service, 3)


def test_check_answers_7_then_201_once_then_200(two_cards):
    p = create(two_cards, 1)
    assert two_cards.check(p.id).code is Code.NOT_PAID_YET
    two_cards.record_deposit(NewDeposit(amount=p.amount, source="manual", created_by="t"))
    assert two_cards.check(p.id).code is Code.VERIFIED_FIRST
    assert two_cards.check(p.id).code is Code.VERIFIED_AGAIN
    kinds = [e.kind for e in two_cards.events_for("payment", p.id)]
    assert kinds == ["created", "paid", "verified"]


def test_check_expires_a_payment_past_its_deadline(two_cards, clock):
    p = create(two_cards, 1, expire_minutes=5)
    clock.advance(minutes=5)
    assert two_cards.check(p.id).code is Code.EXPIRED
    assert Payment.get_by_id(p.id).state == "expired"


def test_unknown_payment(two_cards):
    with pytest.raises(ApiError) as info:
        two_cards.check(12345)
    assert info.value.code is Code.PAY_ID_UNKNOWN


def test_late_sms_for_an_on_time_transfer_pays(two_cards, clock):
    p = create(two_cards, 1)
    transfer = clock.advance(minutes=14)
    clock.advance(minutes=30)  # the SMS arrives 30 minutes later; the job expired the payment meanwhile
    two_cards.expire_due()
    outcome = two_cards.record_deposit(NewDeposit(amount=p.amount, source="sms", created_by="t", bank_time=transfer))
    assert outcome.payment.state == "paid"
    assert two_cards.check(p.id).code is Code.VERIFIED_FIRST


def test_late_transfer_is_held_until_the_operator_accepts(two_cards, clock):
    p = create(two_cards, 1)
    late = clock.advance(minutes=40)
    outcome = two_cards.record_deposit(NewDeposit(amount=p.amount, source="sms", created_by="t", bank_time=late))
    assert outcome.deposit.state == DepositState.LATE
    assert Payment.get_by_id(p.id).state == "paid_late"
    assert two_cards.check(p.id).code is Code.EXPIRED
    two_cards.accept_late(p.id, "operator:test")
    assert two_cards.check(p.id).code is Code.VERIFIED_FIRST
    assert [e.to_state for e in two_cards.events_for("payment", p.id)] == [
        "pending",
        "expired",
        "paid_late",
        "paid",
        "verified",
    ]


def test_late_payment_refunded(two_cards, clock):
    p = create(two_cards, 1)
    late = clock.advance(minutes=40)
    two_cards.record_deposit(NewDeposit(amount=p.amount, source="sms", created_by="t", bank_time=late))
    deposit = two_cards.refund(pay_id=p.id, actor="operator:test", note="customer asked")
    assert deposit.state == DepositState.REFUNDED
    assert Payment.get_by_id(p.id).state == "refunded"
    with pytest.raises(InvalidTransition):
        two_cards.accept_late(p.id, "operator:test")


def test_deposit_is_idempotent(two_cards):
    p = create(two_cards, 1)
    first = two_cards.record_deposit(NewDeposit(amount=p.amount, source="sms", created_by="t", dedupe_key="k1"))
    again = two_cards.record_deposit(NewDeposit(amount=p.amount, source="sms", created_by="t", dedupe_key="k1"))
    assert again.duplicate and again.deposit.id == first.deposit.id
    assert [e.kind for e in two_cards.events_for("payment", p.id)].count("paid") == 1


def test_unmatched_deposit_gets_hints_and_can_be_assigned(two_cards):
    p = create(two_cards, 1)
    outcome = two_cards.record_deposit(NewDeposit(amount=p.amount + 1, source="manual", created_by="t"))
    assert outcome.deposit.state == DepositState.UNMATCHED and outcome.deposit.hints == [p.id]
    paid = two_cards.assign_deposit(outcome.deposit.id, p.id, "operator:test", "customer sent 1 Rial extra")
    assert paid.state == "paid"
    events = two_cards.events_for("deposit", outcome.deposit.id)
    assert [e.to_state for e in events] == ["unmatched", "matched"]
    assert events[-1].actor == "operator:test"


def test_foreign_account_settles_nothing(two_cards):
    p = create(two_cards, 1)
    outcome = two_cards.record_deposit(NewDeposit(amount=p.amount, source="sms", created_by="t", account="9999999999"))
    assert outcome.deposit.state == DepositState.FOREIGN and outcome.payment is None
    assert Payment.get_by_id(p.id).state == "pending"


def test_interest_settles_nothing_and_held_deposit_waits(two_cards):
    p = create(two_cards, 1)
    interest = two_cards.record_deposit(NewDeposit(amount=p.amount, source="sms", created_by="t", settles=False))
    assert interest.deposit.state == DepositState.NOT_PAYABLE
    held = two_cards.record_deposit(
        NewDeposit(amount=p.amount, source="sms", created_by="t", hold_reason="SMSC differs from the bank's")
    )
    assert held.deposit.state == DepositState.HELD and Payment.get_by_id(p.id).state == "pending"
    dismissed = two_cards.dismiss_deposit(held.deposit.id, "operator:test", "forged SMS")
    assert dismissed.state == DepositState.DISMISSED
    with pytest.raises(InvalidInput):
        two_cards.dismiss_deposit(interest.deposit.id, "operator:test", "")


def test_ambiguous_when_two_pinned_payments_share_an_amount(make_service, db_url):
    service = make_service(db_url, payments={"pin_card": True})
    service.add_card(MELLI_CARD, "x", account="30417")
    service.add_card(MELLAT_CARD, "y", account="6204718359")
    a, b = create(service, 1), create(service, 2)
    assert a.amount == b.amount
    unclear = service.record_deposit(NewDeposit(amount=a.amount, source="manual", created_by="t"))
    assert unclear.deposit.state == DepositState.AMBIGUOUS and sorted(unclear.deposit.hints) == [a.id, b.id]
    clear = service.record_deposit(NewDeposit(amount=a.amount, source="sms", created_by="t", account="6204718359"))
    assert clear.payment.id == (a.id if a.card_id == 2 else b.id)


def test_payer_card_set_and_mismatch_answers_199(two_cards):
    p = create(two_cards, 1)
    two_cards.set_payer_card(p.id, SAMAN_CARD)
    with pytest.raises(ApiError) as info:
        two_cards.set_payer_card(p.id, SAMAN_CARD)
    assert info.value.code is Code.CARD_ALREADY_SET
    two_cards.record_deposit(NewDeposit(amount=p.amount, source="sms", created_by="t", payer_card="603799******7893"))
    assert two_cards.check(p.id).code is Code.PAYER_CARD_MISMATCH
    assert two_cards.check(p.id).code is Code.PAYER_CARD_MISMATCH


def test_set_card_on_a_final_payment(two_cards, clock):
    p = create(two_cards, 1)
    clock.advance(minutes=20)
    with pytest.raises(ApiError) as info:
        two_cards.set_payer_card(p.id, SAMAN_CARD)
    assert info.value.code is Code.PAYMENT_FINAL


def test_reservation_rows_follow_the_payment(two_cards):
    p = create(two_cards, 1)
    res = AmountReservation.get(AmountReservation.payment == p.id)
    assert res.active_amount == p.amount
    two_cards.record_deposit(NewDeposit(amount=p.amount, source="manual", created_by="t"))
    res = AmountReservation.get(AmountReservation.payment == p.id)
    assert res.active_amount is None and res.released_at is not None
    assert Event.select().where(Event.entity == "payment").count() == 2


def test_the_database_itself_refuses_two_active_holds_on_one_amount(two_cards):
    """The last line of defence, whatever the code above it does."""
    import datetime as dt

    import peewee

    from appliance.store import database as store

    a, b = create(two_cards, 1), create(two_cards, 2)
    with pytest.raises(peewee.IntegrityError):
        with store.write():
            AmountReservation.update(active_amount=a.amount).where(AmountReservation.payment == b.id).execute()
    # once released (NULL), any number of old rows may share the amount
    with store.write():
        AmountReservation.update(active_amount=None, released_at=dt.datetime.now(dt.UTC)).execute()
        AmountReservation.update(amount=a.amount).execute()
    assert AmountReservation.select().where(AmountReservation.amount == a.amount).count() == 2
