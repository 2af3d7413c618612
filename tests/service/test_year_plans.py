"""After a year the box must not read its history on every create (issue 14: create slowed as the store grew).

The work SQLite does for a create, a check and the scheduler's expiry is
counted in virtual-machine steps (a progress handler called at every step):
deterministic, unlike a time. With ten times more old payments, deposits and
released reservations, the count must stay about the same.
"""

from __future__ import annotations

import datetime as dt

import pytest

from appliance.store import database as store
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.deposits import NewDeposit
from tests.conftest import MELLAT_CARD, MELLI_CARD


def add_history(count: int, now: dt.datetime, first_fid: int) -> None:
    """``count`` old payments, each paid by a deposit to card 1, its reservation long released."""
    raw = store.database.obj.connection()
    for n in range(count):
        at = (now - dt.timedelta(days=300, minutes=n)).replace(tzinfo=None).isoformat(" ")
        fid = first_fid + n
        amount = 100_010 + 10 * (n % 900)
        pid = raw.execute(
            "INSERT INTO payment (fid, price, amount, state, created_at, expires_at, paid_at, verified_at, "
            "payer_card_mismatch) VALUES (?, 100000, ?, 'verified', ?, ?, ?, ?, 0)",
            (fid, amount, at, at, at, at),
        ).lastrowid
        raw.execute(
            "INSERT INTO amount_reservation (payment_id, scope, amount, active_amount, hold_until, released_at) "
            "VALUES (?, 0, ?, NULL, ?, ?)",
            (pid, amount, at, at),
        )
        raw.execute(
            "INSERT INTO deposit (source, state, amount, card_id, received_at, transfer_at, payment_id, reason, "
            "created_by) VALUES ('sms', 'matched', ?, 1, ?, ?, ?, '', 't')",
            (amount, at, at, pid),
        )
    raw.commit()


def steps_of_the_hot_paths(service, clock, fid: int) -> int:
    raw = store.database.obj.connection()
    counter = [0]

    def step() -> int:
        counter[0] += 1
        return 0

    raw.set_progress_handler(step, 1)
    try:
        created = service.create_payment(CreateRequest(price=100_000, fid=fid)).payment
        service.check(created.id)
        service.expire_due()
    finally:
        raw.set_progress_handler(None, 1)
    return counter[0]


@pytest.fixture
def sqlite_service(make_service, sqlite_url):
    return make_service(sqlite_url)


def test_a_create_costs_the_same_with_ten_times_the_history(sqlite_service, clock):
    service = sqlite_service
    service.add_card(MELLI_CARD, "x", daily_limit_rial=10**12, account="30417")  # a ceiling: today's sum is read
    service.add_card(MELLAT_CARD, "y", account="6204718359")
    today = service.create_payment(CreateRequest(price=100_000, fid=1)).payment
    service.record_deposit(NewDeposit(amount=today.amount, source="manual", created_by="t", account="30417"))
    add_history(100, clock(), first_fid=10_000)
    small = steps_of_the_hot_paths(service, clock, fid=2)
    add_history(900, clock(), first_fid=20_000)
    large = steps_of_the_hot_paths(service, clock, fid=3)
    assert large < small * 1.2, (small, large)


def test_the_daily_ceiling_still_counts_only_today(sqlite_service, clock):
    service = sqlite_service
    service.add_card(MELLI_CARD, "x", daily_limit_count=1, account="30417")
    first = service.create_payment(CreateRequest(price=100_000, fid=1)).payment
    service.record_deposit(NewDeposit(amount=first.amount, source="manual", created_by="t", account="30417"))
    assert service.offered_cards(100_000, clock()) == []  # today's one deposit reached the ceiling
    clock.advance(days=1)
    assert [c.number for c in service.offered_cards(100_000, clock())] == [MELLI_CARD]
