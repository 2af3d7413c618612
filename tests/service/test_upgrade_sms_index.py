"""Migration 0011 on a v0.1.0 box (SQLite and PostgreSQL): the balance arithmetic's index appears and is used."""

from __future__ import annotations

from appliance.runtime import open_store
from appliance.store import database as store
from appliance.store import models
from appliance.store.migrations import current_version, latest, m0011_sms_balance_index
from appliance.usecases.sms_intake import SmsIngest
from tests.conftest import make_settings
from tests.service import test_upgrade

v010_url = test_upgrade.v010_url  # a copy of the v0.1.0 box's database, on SQLite or PostgreSQL

_LAST_BALANCE = (
    "SELECT balance FROM sms_message WHERE bank = ? AND account = ? AND balance IS NOT NULL AND trusted = ? "
    "ORDER BY id DESC LIMIT 1"
)


def _index_columns(db) -> list[str]:  # type: ignore[no-untyped-def]
    if store.is_sqlite(db):
        return [row[2] for row in db.execute_sql("PRAGMA index_info('sms_message_bank_account')").fetchall()]
    (definition,) = db.execute_sql(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'sms_message' AND indexname = 'sms_message_bank_account'"
    ).fetchone()
    return [c.strip().strip('"') for c in definition.split("(", 1)[1].rstrip(")").split(",")]


def test_a_v010_box_gets_the_balance_index_and_keeps_its_balances(v010_url):
    db = open_store(make_settings(v010_url))
    try:
        assert current_version(db) == latest() >= 11
        assert _index_columns(db) == ["bank", "account", "id"]
        m0011_sms_balance_index.apply(db)  # re-runnable: a second run changes nothing
        assert _index_columns(db) == ["bank", "account", "id"]
        assert models.SmsMessage.select().count() == test_upgrade.EXPECTED["sms_message"]
        # The v0.1.0 box's two Mellat deposits: the newer one's balance is the account's last.
        newest = (
            models.SmsMessage.select()
            .where(models.SmsMessage.bank == "mellat", models.SmsMessage.balance.is_null(False))
            .order_by(models.SmsMessage.id.desc())
            .first()
        )
        assert newest is not None and newest.account
        assert SmsIngest._last_balance("mellat", newest.account) == newest.balance
        assert SmsIngest._last_balance("mellat", "no-such-account") is None
        if store.is_sqlite(db):
            plan = " ".join(
                str(row[-1])
                for row in db.execute_sql("EXPLAIN QUERY PLAN " + _LAST_BALANCE, ("mellat", newest.account, True))
            )
            assert "sms_message_bank_account" in plan
    finally:
        db.close()
