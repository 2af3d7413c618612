"""Migration 0012: a box of the schema before it gets the index on ``payment (created_at)`` and keeps its data."""

from __future__ import annotations

import peewee

from appliance.runtime import open_store
from appliance.store import database as store
from appliance.store import migrations
from appliance.store.migrations import current_version, latest
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.glance import glance
from appliance.usecases.service import PaymentService
from tests.conftest import MELLI_CARD, make_settings


def _box_before_0012(url: str) -> None:
    """A database made by the migrations before 0012, as the previous release left it."""
    db = store.open_database(url)
    with db.connection_context():
        for number, module in migrations.available():
            if number < 12:
                with store.write():
                    module.apply(db)
                    migrations._record("schema_version", str(number))
    db.close()


def _indexes(db: peewee.Database) -> set[str]:
    return {index.name for index in db.get_indexes("payment")}


def test_a_box_before_0012_gets_the_index_and_keeps_its_payments(db_url, clock):
    _box_before_0012(db_url)
    settings = make_settings(db_url)
    db = store.open_database(db_url)
    with db.connection_context():
        assert "payment_created_at" not in _indexes(db)
        assert current_version(db) < 12
    old = PaymentService(settings, clock=clock)
    old.add_card(MELLI_CARD, "شاهین محسنی")
    made = old.create_payment(CreateRequest(price=120_000, fid=1)).payment
    db.close()

    db = open_store(settings)  # what `serve` and every command do first: migrate
    try:
        assert current_version(db) == latest() >= 12
        assert "payment_created_at" in _indexes(db)
        service = PaymentService(settings, clock=clock)
        assert service.get_payment(made.id).amount == made.amount
        clock.advance(minutes=1)
        service.create_payment(CreateRequest(price=130_000, fid=2))
        assert glance(service, clock()).payments_by_state["pending"] == 2  # today's payments, through the index
        open_store(settings).close()  # re-runnable: a second start changes nothing
    finally:
        if not db.is_closed():
            db.close()
