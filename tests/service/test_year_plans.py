"""After a year the box must not read its history on every create (issue 14: create slowed as the store grew).

The work SQLite does for a create, a check and the scheduler's expiry is
counted in virtual-machine steps (a progress handler called at every step):
deterministic, unlike a time. With ten times more old payments, deposits and
released reservations, the count must stay about the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from appliance.store import database as store
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.deposits import NewDeposit
from tests.conftest import MELLAT_CARD, MELLI_CARD


def add_history(count: int, now: dt.datetime, first_fid: int, state: str = "verified") -> None:
    """``count`` old payments (each paid by a deposit to card 1 unless it is ``expired``), reservations released."""
    raw = store.database.obj.connection()
    for n in range(count):
        at = (now - dt.timedelta(days=300, minutes=n)).replace(tzinfo=None).isoformat(" ")
        fid = first_fid + n
        amount = 100_010 + 10 * (n % 900)
        pid = raw.execute(
            "INSERT INTO payment (fid, price, amount, state, created_at, expires_at, paid_at, verified_at, "
            "payer_card_mismatch) VALUES (?, 100000, ?, ?, ?, ?, ?, ?, 0)",
            (fid, amount, state, at, at, at, at),
        ).lastrowid
        raw.execute(
            "INSERT INTO amount_reservation (payment_id, scope, amount, active_amount, hold_until, released_at) "
            "VALUES (?, 0, ?, NULL, ?, ?)",
            (pid, amount, at, at),
        )
        if state == "expired":
            continue
        raw.execute(
            "INSERT INTO deposit (source, state, amount, card_id, received_at, transfer_at, payment_id, reason, "
            "created_by) VALUES ('sms', 'matched', ?, 1, ?, ?, ?, '', 't')",
            (amount, at, at, pid),
        )
    raw.commit()


def steps_of(work: Callable[[], object]) -> int:
    """SQLite's virtual-machine steps while ``work`` runs on this thread's connection."""
    raw = store.database.obj.connection()
    counter = [0]

    def step() -> int:
        counter[0] += 1
        return 0

    raw.set_progress_handler(step, 1)
    try:
        work()
    finally:
        raw.set_progress_handler(None, 1)
    return counter[0]


def steps_of_the_hot_paths(service, clock, fid: int) -> int:
    def work() -> None:
        created = service.create_payment(CreateRequest(price=100_000, fid=fid)).payment
        service.check(created.id)
        service.expire_due()

    return steps_of(work)


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


def steps_of_an_unmatched_deposit(service, amount: int) -> int:
    outcomes = []

    def work() -> None:
        new = NewDeposit(amount=amount, source="manual", created_by="t", account="30417")
        outcomes.append(service.record_deposit(new))

    steps = steps_of(work)
    assert outcomes[0].deposit.state == "unmatched"
    return steps


def test_an_unmatched_deposit_costs_the_same_after_a_year_of_expired_payments(sqlite_service, clock):
    """A deposit no payment holds looks for payments of a near amount (the review queue's hints).
    Among many expired payments, SQLite without statistics walks them all by their state; the
    retention job's statistics (store.refresh_statistics) let it read the few of a near amount."""
    service = sqlite_service
    service.add_card(MELLI_CARD, "x", account="30417")
    # Prices far apart, so that a near amount finds few payments whatever the history's size.
    add_history(50, clock(), first_fid=10_000, state="expired")
    store.refresh_statistics()
    small = steps_of_an_unmatched_deposit(service, 100_015)
    add_history(5_000, clock() - dt.timedelta(days=1), first_fid=20_000, state="expired")
    store.database.obj.connection().execute(
        "UPDATE payment SET amount = 5000000 + 10 * id WHERE fid >= 20000"  # out of the deposit's window
    )
    store.database.obj.connection().commit()
    store.refresh_statistics()
    large = steps_of_an_unmatched_deposit(service, 100_025)
    assert large < small * 1.5, (small, large)


def test_the_retention_job_gives_sqlite_its_planner_statistics(sqlite_service, clock):
    from types import SimpleNamespace

    from appliance.jobs import purge_old_records
    from appliance.usecases.sms_intake import build_ingest

    service = sqlite_service
    add_history(200, clock(), first_fid=10_000, state="expired")
    raw = store.database.obj.connection()
    assert not raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchall()
    purge_old_records(SimpleNamespace(ingest=build_ingest(service), clock=clock, settings=service.settings))
    indexes = {name for (name,) in raw.execute("SELECT idx FROM sqlite_stat1").fetchall()}
    assert {"payment_amount", "payment_state", "payment_expires_at"} <= indexes


def steps_of_the_overview(service, clock) -> int:
    from appliance.usecases.glance import glance

    return steps_of(lambda: glance(service, clock()))


def test_the_overview_costs_the_same_after_a_year(sqlite_service, clock):
    """The dashboard's first page sums today's and the week's deposits and counts today's payments: it
    reads those days only (indexes of migration 0012), not every payment and deposit ever made."""
    service = sqlite_service
    service.add_card(MELLI_CARD, "x", account="30417")
    for fid in (1, 2, 3):
        service.create_payment(CreateRequest(price=100_000 * fid, fid=fid))
    add_history(500, clock(), first_fid=10_000)
    store.refresh_statistics()
    small = steps_of_the_overview(service, clock)
    add_history(5_000, clock() - dt.timedelta(days=1), first_fid=20_000)
    store.refresh_statistics()
    large = steps_of_the_overview(service, clock)
    assert large < small * 1.5, (small, large)


def add_deposits(count: int, now: dt.datetime, state: str, amount: int = 100_000) -> None:
    """``count`` deposits of ``state`` received in the ten minutes before ``now`` (card 1, no payment)."""
    raw = store.database.obj.connection()
    for n in range(count):
        at = (now - dt.timedelta(seconds=n % 600)).replace(tzinfo=None).isoformat(" ")
        raw.execute(
            "INSERT INTO deposit (source, state, amount, card_id, received_at, transfer_at, reason, created_by) "
            "VALUES ('manual', ?, ?, 1, ?, ?, '', 't')",
            (state, amount, at, at),
        )
    raw.commit()


def test_the_overview_reads_no_deposit_of_the_week_it_does_not_sum(sqlite_service, clock):
    """Its sums (received today and this week, held for review today) read the index on (state, received_at,
    amount) of migration 0013: the week's deposits of other states (foreign accounts, dismissed) cost nothing,
    where one read of the week by received_at looked at every one of them (and its table row)."""
    service = sqlite_service
    service.add_card(MELLI_CARD, "x", account="30417")
    clock.advance(days=4)  # a Wednesday: Saturday to Tuesday are this week's days before today
    monday = clock() - dt.timedelta(days=2)
    add_deposits(3, monday, "matched")
    add_deposits(100, monday, "foreign")
    store.refresh_statistics()
    small = steps_of_the_overview(service, clock)
    add_deposits(2_000, monday, "foreign")
    add_deposits(500, monday, "dismissed")
    store.refresh_statistics()
    large = steps_of_the_overview(service, clock)
    assert large < small * 1.2, (small, large)


def test_the_overview_sums_by_state_today_and_this_week(sqlite_service, clock):
    """What the three sums of the overview say, through the new index."""
    from appliance.usecases.glance import glance

    service = sqlite_service
    service.add_card(MELLI_CARD, "x", account="30417")
    add_deposits(3, clock(), "matched", amount=100_000)
    add_deposits(2, clock(), "late", amount=50_000)
    add_deposits(4, clock(), "unmatched", amount=7_000)
    add_deposits(5, clock(), "foreign", amount=1_000_000)
    seen = glance(service, clock())
    assert (seen.today.total, seen.today.count) == (400_000, 5)
    assert (seen.week.total, seen.week.count) == (400_000, 5)
    assert (seen.in_review.total, seen.in_review.count) == (128_000, 6)  # late ones are held for review too


def test_a_deposit_that_settles_its_payment_reads_no_older_payment_of_its_amount(sqlite_service, clock, monkeypatch):
    """After a year a price's amounts came back on a few payments each: a deposit that settles today's
    payment reads the payments whose quarantine had not ended at the transfer, not every one of its amount
    (only a deposit that settles nothing reads them all, for its reasons and hints)."""
    service = sqlite_service
    service.add_card(MELLI_CARD, "x", account="30417")
    today = service.create_payment(CreateRequest(price=100_000, fid=1)).payment
    raw = store.database.obj.connection()
    for n in range(40):  # the same amount, paid months ago
        at = (clock() - dt.timedelta(days=300 - n)).replace(tzinfo=None).isoformat(" ")
        raw.execute(
            "INSERT INTO payment (fid, price, amount, state, created_at, expires_at, paid_at, verified_at, "
            "payer_card_mismatch) VALUES (?, 100000, ?, 'verified', ?, ?, ?, ?, 0)",
            (10_000 + n, today.amount, at, at, at, at),
        )
    raw.commit()
    built: list[int] = []
    rows = store.rows

    def counted(model, sql, *params):  # type: ignore[no-untyped-def]
        found = rows(model, sql, *params)
        built.extend(getattr(p, "id", 0) for p in found if model.__name__ == "Payment")
        return found

    monkeypatch.setattr(store, "rows", counted)
    outcome = service.record_deposit(NewDeposit(amount=today.amount, source="manual", created_by="t", account="30417"))
    assert outcome.payment is not None and outcome.payment.id == today.id
    assert set(built) == {today.id}, len(built)
