"""Split payments over a real store (SQLite file and PostgreSQL): parts, their amounts, their states."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from appliance.domain.codes import Code
from appliance.domain.errors import ApiError, InvalidTransition
from appliance.domain.reasons import codes
from appliance.store import database as store
from appliance.store.models import AmountReservation, Deposit, Event, Payment, PaymentPart
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.service import DepositState, NewDeposit
from tests.conftest import MELLAT_CARD, MELLI_CARD

MAX = 100_000_000  # the largest transfer: 10 million Toman
SPLIT = {"payments": {"max_transfer_rial": MAX}}


@pytest.fixture
def split(make_service, db_url):
    service = make_service(db_url, **SPLIT)
    service.add_card(MELLI_CARD, "شاهین محسنی", account="0217730417009")
    service.add_card(MELLAT_CARD, "شاهین محسنی", account="6204718359")
    return service


def create(service, fid, price=250_000_000, **kw):
    return service.create_payment(CreateRequest(price=price, fid=fid, **kw)).payment


def pay(service, amount, **kw):
    return service.record_deposit(NewDeposit(amount=amount, source="manual", created_by="t", **kw))


def active_amounts():
    return sorted(a for (a,) in store.execute("SELECT active_amount FROM amount_reservation").fetchall() if a)


def test_a_price_above_the_largest_transfer_becomes_parts_that_add_up(split):
    payment = create(split, 1)
    parts = split.payment_parts(payment)
    assert len(parts) == 3
    assert all(p.amount <= MAX for p in parts)
    assert sum(p.price for p in parts) == 250_000_000
    assert payment.amount == sum(p.amount for p in parts) == Payment.get_by_id(payment.id).amount
    assert all(p.amount - p.price >= 10 for p in parts)
    # each part has its own held amount, and the parts spread over both cards
    assert active_amounts() == sorted(p.amount for p in parts)
    assert {p.card_id for p in parts} == {c.id for c in split.list_cards()}


def test_prices_at_or_below_the_largest_transfer_are_one_transfer(split):
    payment = create(split, 1, price=MAX)
    assert split.payment_parts(payment) == []
    assert payment.amount == MAX + 10
    assert AmountReservation.select().count() == 1


def test_parts_and_single_payments_never_share_an_active_amount(split):
    # a part of 83,340,000 and a single payment of the same price compete for the same amounts
    single = create(split, 1, price=83_340_000)
    payment = create(split, 2)
    amounts = [p.amount for p in split.payment_parts(payment)]
    assert single.amount == 83_340_010
    assert sorted(amounts) == [83_320_010, 83_340_020, 83_340_030]
    assert len(set(active_amounts())) == len(active_amounts()) == 4


def test_racing_split_creates_never_share_an_amount(split):
    threads = 8
    barrier = threading.Barrier(threads)

    def worker(i: int) -> list[int]:
        with store.connection():
            barrier.wait()
            out = []
            for n in range(3):
                payment = split.create_payment(CreateRequest(price=250_000_000, fid=i * 100 + n)).payment
                out += [p.amount for p in split.payment_parts(payment.id)]
            return out

    with ThreadPoolExecutor(threads) as pool:
        amounts = [a for chunk in pool.map(worker, range(threads)) for a in chunk]
    assert len(amounts) == threads * 3 * 3
    assert len(set(amounts)) == len(amounts)
    assert sorted(amounts) == active_amounts()


def test_each_state_of_a_split_payment(split):
    payment = create(split, 1)
    parts = split.payment_parts(payment)
    assert split.check(payment.id).code is Code.NOT_PAID_YET
    pay(split, parts[0].amount)
    assert split.check(payment.id).code is Code.NOT_PAID_YET
    assert Payment.get_by_id(payment.id).state == "pending"
    assert [p.paid_at is not None for p in split.payment_parts(payment)] == [True, False, False]
    assert parts[0].amount not in active_amounts()  # a paid part frees its amount
    pay(split, parts[1].amount)
    assert split.check(payment.id).code is Code.NOT_PAID_YET
    outcome = pay(split, parts[2].amount)
    assert outcome.payment is not None and outcome.payment.state == "paid"
    assert split.check(payment.id).code is Code.VERIFIED_FIRST
    assert split.check(payment.id).code is Code.VERIFIED_AGAIN
    assert active_amounts() == []
    kinds = [e.kind for e in split.events_for("payment", payment.id)]
    assert kinds == ["created", "part_paid", "part_paid", "part_paid", "paid", "verified"]


def test_the_same_part_paid_twice_is_held_for_review(split):
    payment = create(split, 1)
    first = split.payment_parts(payment)[0]
    pay(split, first.amount)
    again = pay(split, first.amount)
    assert again.payment is None and again.deposit.state == DepositState.UNMATCHED
    assert codes(again.deposit.reason) == ["part_paid_already"]


def test_expiry_with_some_parts_paid_is_partially_paid_and_keeps_the_rest_held(split, clock):
    payment = create(split, 1)
    parts = split.payment_parts(payment)
    pay(split, parts[0].amount)
    clock.advance(minutes=16)
    assert split.expire_due() == 1
    assert Payment.get_by_id(payment.id).state == "partially_paid"
    assert split.check(payment.id).code is Code.EXPIRED
    assert active_amounts() == sorted(p.amount for p in parts[1:])  # quarantined, not released
    assert [p.id for p in split.partially_paid_payments()] == [payment.id]


def test_an_expired_split_payment_with_no_part_paid_is_expired(split, clock):
    payment = create(split, 1)
    clock.advance(minutes=16)
    assert split.expire_due() == 1
    assert Payment.get_by_id(payment.id).state == "expired"


def test_a_late_part_completes_a_partially_paid_payment(split, clock):
    payment = create(split, 1)
    parts = split.payment_parts(payment)
    pay(split, parts[0].amount)
    pay(split, parts[1].amount)
    clock.advance(minutes=30)
    split.expire_due()
    outcome = pay(split, parts[2].amount)  # the transfer itself is late (after the deadline)
    assert outcome.payment.state == "paid"
    assert outcome.deposit.state == DepositState.MATCHED
    assert split.check(payment.id).code is Code.VERIFIED_FIRST
    assert PaymentPart.get(PaymentPart.amount == parts[2].amount).late is True


def test_every_part_late_waits_for_the_operator(split, clock):
    payment = create(split, 1)
    parts = split.payment_parts(payment)
    clock.advance(minutes=30)
    pay(split, parts[0].amount)  # before the expiry job ran
    assert Payment.get_by_id(payment.id).state == "partially_paid"
    pay(split, parts[1].amount)
    pay(split, parts[2].amount)
    assert Payment.get_by_id(payment.id).state == "paid_late"
    assert split.check(payment.id).code is Code.EXPIRED
    split.accept_late(payment.id, actor="op")
    assert split.check(payment.id).code is Code.VERIFIED_FIRST
    assert Deposit.select().where(Deposit.state == DepositState.LATE).count() == 0


def test_the_operator_accepts_a_partially_paid_payment_with_its_shortfall(split, clock):
    payment = create(split, 1)
    parts = split.payment_parts(payment)
    pay(split, parts[0].amount)
    clock.advance(minutes=16)
    split.expire_due()
    split.accept_partial(payment.id, actor="op", note="the customer paid the rest in cash")
    assert split.check(payment.id).code is Code.VERIFIED_FIRST
    event = Event.select().where((Event.entity_id == payment.id) & (Event.kind == "paid")).get()
    assert event.data["missing_rial"] == parts[1].amount + parts[2].amount
    assert active_amounts() == []


def test_the_operator_waits_for_the_rest_then_the_rest_arrives(split, clock):
    payment = create(split, 1)
    parts = split.payment_parts(payment)
    pay(split, parts[0].amount)
    clock.advance(minutes=16)
    split.expire_due()
    split.wait_for_rest(payment.id, actor="op", note="phoned")
    assert split.waiting_for_rest(payment.id)
    pay(split, parts[1].amount)
    assert not split.waiting_for_rest(payment.id)  # a new part: the queue shows it again
    pay(split, parts[2].amount)
    assert Payment.get_by_id(payment.id).state == "paid"


def test_the_operator_refunds_a_partially_paid_payment(split, clock):
    payment = create(split, 1)
    parts = split.payment_parts(payment)
    first = pay(split, parts[0].amount).deposit
    clock.advance(minutes=16)
    split.expire_due()
    split.refund_partial(payment.id, actor="op")
    assert Payment.get_by_id(payment.id).state == "refunded"
    assert Deposit.get_by_id(first.id).state == DepositState.REFUNDED
    assert active_amounts() == []
    with pytest.raises(InvalidTransition):
        split.accept_partial(payment.id, actor="op")


def test_the_parts_respect_each_cards_daily_ceiling(make_service, db_url):
    service = make_service(db_url, **SPLIT)
    a = service.add_card(MELLI_CARD, "x", daily_limit_rial=170_000_000)
    b = service.add_card(MELLAT_CARD, "y", daily_limit_rial=100_000_000)
    payment = create(service, 1)  # 3 parts of about 83 M: two fit on the first card, one on the second
    assert sorted(p.card_id for p in service.payment_parts(payment)) == [a.id, a.id, b.id]
    # those parts are open on their cards: another such payment would over-fill them, so it is refused
    with pytest.raises(ApiError) as info:
        create(service, 2)
    assert info.value.code is Code.NO_CARD_AVAILABLE
    assert Payment.select().count() == 1


def test_a_pinned_create_is_refused_before_it_would_over_fill_its_card(make_service, db_url):
    service = make_service(db_url, payments={"pin_card": True})
    service.add_card(MELLI_CARD, "x", daily_limit_rial=300_000)
    create(service, 1, price=120_000)
    create(service, 2, price=120_000)  # 240,030 open on the card
    with pytest.raises(ApiError) as info:
        create(service, 3, price=120_000)  # would make 360,040: over its ceiling once all are paid
    assert info.value.code is Code.NO_CARD_AVAILABLE
    rooms = {r["card"]: r for r in service.capacity()}
    assert list(rooms.values())[0]["open_rial"] == 240_030


def test_the_older_review_actions_treat_a_partially_paid_payment_whole(split, clock):
    payment = create(split, 1)
    parts = split.payment_parts(payment)
    pay(split, parts[0].amount)
    clock.advance(minutes=30)
    late = pay(split, parts[1].amount).deposit  # a late part: its deposit waits for review
    assert late.state == DepositState.LATE and Payment.get_by_id(payment.id).state == "partially_paid"
    split.refund(deposit_id=late.id, actor="op")  # the late deposit's refund gives back every part received
    assert Payment.get_by_id(payment.id).state == "refunded"
    assert {d.state for d in Deposit.select()} == {DepositState.REFUNDED}


def test_every_late_part_is_refunded_with_a_paid_late_split_payment(split, clock):
    payment = create(split, 1)
    clock.advance(minutes=30)
    for part in split.payment_parts(payment):
        pay(split, part.amount)
    assert Payment.get_by_id(payment.id).state == "paid_late"
    split.refund(pay_id=payment.id, actor="op")
    assert [d.state for d in Deposit.select()] == [DepositState.REFUNDED] * 3


def test_single_and_split_creates_racing_on_one_price_never_share_an_amount(split):
    threads = 8
    barrier = threading.Barrier(threads)

    def worker(i: int) -> None:
        with store.connection():
            barrier.wait()
            for n in range(3):
                price = 83_340_000 if i % 2 else 250_000_000  # the same price as the split's first parts
                split.create_payment(CreateRequest(price=price, fid=i * 100 + n))

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(worker, range(threads)))
    held = active_amounts()
    assert len(held) == 4 * 3 * 1 + 4 * 3 * 3
    assert len(set(held)) == len(held)


SPLIT_BOX_SCRIPT = """
import sys
from appliance.usecases.checkout import CreateRequest
from appliance.runtime import build_service
from appliance.settings import settings_from_mapping
settings = settings_from_mapping({"database": {"url": sys.argv[1]}, "security": {"secret_key": "k" * 40},
                                  "payments": {"max_transfer_rial": 100_000_000}})
service = build_service(settings)
box = int(sys.argv[2])
for n in range(int(sys.argv[3])):
    # odd boxes: single payments on the price of the split payments' first parts; even boxes: split payments
    price = 83_340_000 if box % 2 else 250_000_000
    p = service.create_payment(CreateRequest(price=price, fid=box * 100_000 + n)).payment
    for amount in [part.amount for part in service.payment_parts(p)] or [p.amount]:
        print(amount, flush=True)
"""


@pytest.mark.slow
def test_boxes_of_a_fleet_creating_split_and_single_payments_never_share_an_amount(split, db_url, tmp_path):
    """Four processes (four boxes) on one store: two make split payments, two single ones of a part's price."""
    script = tmp_path / "box.py"
    script.write_text(SPLIT_BOX_SCRIPT)
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), db_url, str(box), "20"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for box in range(4)
    ]
    amounts = []
    for proc in procs:
        out, err = proc.communicate(timeout=100)
        assert proc.returncode == 0, err
        amounts += [int(line) for line in out.split()]
    assert len(amounts) == 2 * 20 * 3 + 2 * 20
    assert len(set(amounts)) == len(amounts)
    assert sorted(amounts) == active_amounts()
