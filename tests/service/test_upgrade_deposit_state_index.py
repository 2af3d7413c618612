"""Migration 0013: a box of the schema before it gets the index on ``deposit (state, received_at, amount)`` in
place of the one on ``deposit (state)``, and keeps its deposits and the overview's sums."""

from __future__ import annotations

import peewee

from appliance.runtime import open_store
from appliance.store import database as store
from appliance.store import migrations
from appliance.store.migrations import current_version, latest
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.deposits import NewDeposit
from appliance.usecases.glance import glance
from appliance.usecases.service import PaymentService
from tests.conftest import MELLI_CARD, make_settings


def _box_before_0013(url: str) -> None:
    """A database made by the migrations before 0013, as the previous release left it."""
    db = store.open_database(url)
    with db.connection_context():
        for number, module in migrations.available():
            if number < 13:
                with store.write():
                    module.apply(db)
                    migrations._record("schema_version", str(number))
    db.close()


def _indexes(db: peewee.Database) -> dict[str, list[str]]:
    return {index.name: list(index.columns) for index in db.get_indexes("deposit")}


def test_a_box_before_0013_gets_the_index_and_keeps_its_deposits(db_url, clock):
    _box_before_0013(db_url)
    settings = make_settings(db_url)
    db = store.open_database(db_url)
    with db.connection_context():
        assert "deposit_state" in _indexes(db)
        assert "deposit_state_received_at_amount" not in _indexes(db)
        assert current_version(db) == 12
    old = PaymentService(settings, clock=clock)
    old.add_card(MELLI_CARD, "شاهین محسنی", account="30417")
    made = old.create_payment(CreateRequest(price=120_000, fid=1)).payment
    paid = old.record_deposit(NewDeposit(amount=made.amount, source="manual", created_by="t", account="30417"))
    stray = old.record_deposit(NewDeposit(amount=777_770, source="manual", created_by="t", account="30417"))
    assert (paid.deposit.state, stray.deposit.state) == ("matched", "unmatched")
    db.close()

    db = open_store(settings)  # what `serve` and every command do first: migrate
    try:
        assert current_version(db) == latest() >= 13
        indexes = _indexes(db)
        assert indexes["deposit_state_received_at_amount"] == ["state", "received_at", "amount"]
        assert "deposit_state" not in indexes
        service = PaymentService(settings, clock=clock)
        seen = glance(service, clock())
        assert (seen.today.total, seen.today.count) == (made.amount, 1)
        assert (seen.in_review.total, seen.in_review.count) == (777_770, 1)
        assert seen.review_count == 1
        open_store(settings).close()  # re-runnable: a second start changes nothing
        assert _indexes(db) == indexes
    finally:
        if not db.is_closed():
            db.close()
