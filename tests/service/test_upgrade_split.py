"""Migration 0005 on a v0.1.0 box (SQLite and PostgreSQL): the old payments stay, a split payment works."""

from __future__ import annotations

from appliance.runtime import open_store
from appliance.store import models
from appliance.store.migrations import current_version, latest, m0005_split_payments
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.service import NewDeposit, PaymentService
from tests.conftest import make_settings
from tests.service import test_upgrade

v010_url = test_upgrade.v010_url  # a copy of the v0.1.0 box's database, on SQLite or PostgreSQL


def test_a_v010_box_takes_split_payments_after_the_upgrade(v010_url, clock):
    settings = make_settings(v010_url, payments={"max_transfer_rial": 100_000_000})
    db = open_store(settings)
    try:
        assert current_version(db) == latest() >= 5
        m0005_split_payments.apply(db)  # re-runnable: a second run changes nothing
        assert models.Payment.select().count() == test_upgrade.EXPECTED["payment"]
        service = PaymentService(settings, clock=clock)
        clock.now = clock.now.replace(year=2027)  # past the fixture's quarantines
        payment = service.create_payment(CreateRequest(price=250_000_000, fid=3001)).payment
        parts = service.payment_parts(payment)
        assert len(parts) == 3
        assert models.AmountReservation.select().where(models.AmountReservation.payment == payment.id).count() == 3
        for part in parts:
            service.record_deposit(NewDeposit(amount=part.amount, source="manual", created_by="t"))
        assert models.Payment.get_by_id(payment.id).state == "paid"
    finally:
        db.close()
