"""Migration 0006 on a v0.1.0 box: the alert tables appear, work, and the migration runs again harmlessly."""

from __future__ import annotations

from appliance.runtime import open_store
from appliance.store import models
from appliance.store.migrations import m0006_alerts
from appliance.usecases.alerts import AlertCenter, Condition
from appliance.usecases.service import PaymentService
from tests.conftest import make_settings
from tests.service.test_upgrade import EXPECTED, v010_url  # noqa: F401 (the fixture: SQLite and PostgreSQL)


def test_a_v010_box_gets_the_alert_tables_and_keeps_its_data(v010_url, clock) -> None:  # noqa: F811
    settings = make_settings(v010_url, alerts={"owner_phone": "09121234567"})
    db = open_store(settings)
    try:
        m0006_alerts.apply(db)  # re-runnable
        assert models.Payment.select().count() == EXPECTED["payment"]
        center = AlertCenter(PaymentService(settings, clock=clock))
        assert center.evaluate([Condition("clock", "clock", True)])["raised"] == ["clock"]
        # The v0.1.0 box's tokens with a webhook URL get the alert's webhook; the owner its SMS.
        notices = center.notices()
        assert {n.channel for n in notices} == {"sms", "webhook"}
        assert center.evaluate([Condition("clock", "clock", False)])["resolved"] == ["clock"]
        assert models.Alert.get().state == "resolved"
    finally:
        db.close()
