"""Near-miss deposits: never settled automatically, the one likely payment suggested, settled in one action."""

from __future__ import annotations

import pytest

from appliance.domain.errors import InvalidTransition
from appliance.store.models import Event, Payment
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.service import DepositState, NewDeposit


def create(service, fid, price=120_000, **kw):
    return service.create_payment(CreateRequest(price=price, fid=fid, **kw)).payment


def deposit(service, amount):
    return service.record_deposit(NewDeposit(amount=amount, source="manual", created_by="t")).deposit


@pytest.mark.parametrize(
    ("price", "sent", "rule"),
    [
        (120_000, 120_000, "offset_dropped"),  # 120,010 expected
        (120_000, 12_001, "toman"),  # the amount read as Toman
        (120_500, 121_000, "rounded"),  # 120,510 rounded to the nearest thousand
        (125_000, 120_000, "rounded"),  # 125,010 rounded down to the thousand Toman
    ],
)
def test_a_typical_mistake_is_suggested_not_settled(two_cards, price, sent, rule):
    other = create(two_cards, 1, price=500_000)
    payment = create(two_cards, 2, price=price)
    d = deposit(two_cards, sent)
    assert d.state == DepositState.UNMATCHED
    assert Payment.get_by_id(payment.id).state == "pending"  # never settled automatically
    hint = two_cards.suggestion_of(d)
    assert hint is not None and hint["rule"] == rule and hint["pay_id"] == payment.id
    assert hint["difference"] == payment.amount - sent
    assert other.id != hint["pay_id"]


def test_the_operator_settles_the_suggestion_in_one_action_with_the_difference(two_cards):
    payment = create(two_cards, 1)
    d = deposit(two_cards, 120_000)
    two_cards.settle_suggestion(d.id, actor="op")
    assert Payment.get_by_id(payment.id).state == "paid"
    assert two_cards.get_deposit(d.id).state == DepositState.MATCHED
    event = Event.get((Event.entity_id == payment.id) & (Event.kind == "settled_with_difference"))
    assert event.data == {"rule": "offset_dropped", "difference": 10, "deposits": [d.id]}
    with pytest.raises(InvalidTransition):
        two_cards.settle_suggestion(d.id, actor="op")


def test_two_equally_likely_payments_give_no_suggestion(two_cards):
    create(two_cards, 1, price=120_000)
    create(two_cards, 2, price=120_000)  # 120,010 and 120,020: both had price 120,000
    d = deposit(two_cards, 120_000)
    assert two_cards.suggestion_of(d) is None


def test_a_deposit_near_nothing_gets_no_suggestion(two_cards):
    create(two_cards, 1)
    assert two_cards.suggestion_of(deposit(two_cards, 777_777)) is None


def test_a_payment_past_its_quarantine_is_not_suggested(two_cards, clock):
    create(two_cards, 1)
    clock.advance(hours=30)
    assert two_cards.suggestion_of(deposit(two_cards, 120_000)) is None


def test_two_transfers_that_make_the_exact_amount_are_offered_together(two_cards):
    payment = create(two_cards, 1, price=3_000_000)  # 3,000,010
    first = deposit(two_cards, 2_000_000)
    second = deposit(two_cards, 1_000_010)
    hint = two_cards.suggestion_of(second)
    assert hint == {
        "rule": "two_transfers",
        "pay_id": payment.id,
        "part_id": None,
        "difference": 0,
        "with_deposit": first.id,
    }
    two_cards.settle_suggestion(second.id, actor="op")
    assert Payment.get_by_id(payment.id).state == "paid"
    assert {two_cards.get_deposit(i).payment_id for i in (first.id, second.id)} == {payment.id}


def test_two_transfers_outside_the_payments_time_are_not_offered(two_cards, clock):
    create(two_cards, 1, price=3_000_000)
    deposit(two_cards, 2_000_000)
    clock.advance(minutes=20)  # the second transfer after the deadline
    assert two_cards.suggestion_of(deposit(two_cards, 1_000_010)) is None


def test_a_part_of_a_split_payment_is_suggested_and_settled(make_service, db_url):
    from tests.conftest import MELLAT_CARD, MELLI_CARD

    service = make_service(db_url, payments={"max_transfer_rial": 100_000_000})
    service.add_card(MELLI_CARD, "x")
    service.add_card(MELLAT_CARD, "y")
    payment = create(service, 1, price=250_000_000)
    parts = service.payment_parts(payment)
    d = deposit(service, parts[2].price)  # the offset dropped from the last part
    hint = service.suggestion_of(d)
    assert hint is not None and hint["part_id"] == parts[2].id and hint["rule"] == "offset_dropped"
    service.settle_suggestion(d.id, actor="op")
    assert [p.paid_at is not None for p in service.payment_parts(payment)] == [False, False, True]
    # the first two parts have one price: a deposit of it is suggested for the first unpaid of them
    hint = service.suggestion_of(deposit(service, parts[0].price))
    assert hint is not None and hint["part_id"] == parts[0].id
