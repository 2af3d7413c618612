"""Upgrades keep the data: a box's database made and filled by v0.1.0, migrated to today's schema.

The fixtures in tests/fixtures/v0_1_0/ were made by the v0.1.0 release itself
(``make_box.py`` says how): a SQLite file and a ``pg_dump`` of the same box on
PostgreSQL. Each test upgrades a copy and checks that every payment, deposit,
SMS part and message, token and event is still there and still works.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import peewee
import pytest

from appliance.domain.codes import Code
from appliance.domain.errors import SchemaTooNew
from appliance.runtime import open_store
from appliance.store import models
from appliance.store.migrations import current_version, latest
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.operator_login import Accounts
from appliance.usecases.service import PaymentService
from tests.conftest import make_settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1_0"
V010_SCHEMA = 3

# What the v0.1.0 box holds (make_box.py): table -> rows.
EXPECTED = {
    "payment": 5,
    "deposit": 5,
    "sms_part": 5,
    "sms_message": 3,
    "api_token": 2,
    "card": 2,
    "event": 21,
    "sender_smsc": 1,
    "modem_sample": 3,
    "webhook_delivery": 9,
    "admin_account": 1,
}


def _load_pg_dump(url: str) -> None:
    """Restore the v0.1.0 pg_dump into the (empty) database at ``url``."""
    import psycopg2

    parts = urlsplit(url)
    conn = psycopg2.connect(
        dbname=parts.path.lstrip("/"), user=parts.username, host=parts.hostname, port=parts.port or 5432
    )
    conn.autocommit = True
    # psql meta-commands (\restrict ...) are not SQL; everything else is plain statements and INSERTs.
    sql = "\n".join(
        line for line in (FIXTURES / "box.pg.sql").read_text(encoding="utf-8").splitlines() if not line.startswith("\\")
    )
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE")
        cur.execute("CREATE SCHEMA public")
        cur.execute(sql)
    conn.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def v010_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A copy of the v0.1.0 box's database, on SQLite or on the scratch PostgreSQL database."""
    if request.param == "sqlite":
        target = tmp_path / "box.sqlite3"
        shutil.copyfile(FIXTURES / "box.sqlite3", target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("pg_server")
    _load_pg_dump(url)
    return url


def _counts() -> dict[str, int]:
    db = models.Payment._meta.database
    return {table: db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in EXPECTED}


def test_the_fixture_is_a_v010_database():
    with sqlite3.connect(FIXTURES / "box.sqlite3") as raw:
        version = raw.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert version == str(V010_SCHEMA) and set(EXPECTED) <= tables
    assert f"'schema_version', '{V010_SCHEMA}'" in (FIXTURES / "box.pg.sql").read_text(encoding="utf-8")


def test_an_upgraded_v010_box_keeps_and_uses_everything(v010_url, clock):
    settings = make_settings(v010_url)
    db = open_store(settings)  # migrates to today's schema
    try:
        assert current_version(db) == latest()
        assert _counts() == EXPECTED
        service = PaymentService(settings, clock=clock)
        states = {p.fid: (p.state, p.amount) for p in models.Payment.select()}
        assert states == {
            1001: ("paid", 120_010),
            1002: ("verified", 250_010),
            1003: ("paid_late", 300_010),
            1004: ("pending", 410_010),
            1005: ("expired", 520_010),
        }
        assert sorted(d.state for d in models.Deposit.select()) == ["foreign", "held", "late", "matched", "matched"]
        # Raw parts keep their PDUs: the stored SMS can be read again.
        assert all(part.pdu_hex and part.pdu_hash for part in models.SmsPart.select())
        assert {m.kind for m in models.SmsMessage.select()} >= {"deposit"}
        # The box goes on working on the old data: the paid payment verifies once, tokens and login still hold.
        paid = models.Payment.get(models.Payment.fid == 1001)
        assert service.check(paid.id).code is Code.VERIFIED_FIRST
        assert service.check(paid.id).code is Code.VERIFIED_AGAIN
        assert service.authenticate("no-such-token") is None
        assert [t.name for t in service.list_tokens()] == ["shop", "old-shop"]
        assert Accounts(clock).has_password()
        clock.now = clock.now.replace(year=2027)  # past the fixture's quarantines
        created = service.create_payment(CreateRequest(price=120_000, fid=2001))
        assert created.payment.amount == 120_010 and created.payment.id > 5
        assert len(service.events_for("payment", paid.id)) >= 3
    finally:
        db.close()


def test_a_database_from_a_newer_version_is_refused_and_left_alone(tmp_path):
    target = tmp_path / "box.sqlite3"
    shutil.copyfile(FIXTURES / "box.sqlite3", target)
    with sqlite3.connect(target) as raw:
        raw.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(latest() + 5),))
        raw.execute("INSERT INTO meta (key, value) VALUES ('written_by', '9.9.0')")
    before = list(sqlite3.connect(target).iterdump())
    with pytest.raises(SchemaTooNew) as refused:
        open_store(make_settings(f"sqlite:///{target}"))
    message = str(refused.value)
    assert f"schema version {latest() + 5}" in message and "9.9.0" in message and f"up to {latest()}" in message
    assert list(sqlite3.connect(target).iterdump()) == before  # not a row or a table touched


def _sqlite_schema(path: Path) -> dict[str, object]:
    """Tables with their columns (name, type, not null, default, primary key) and every index's columns."""
    with sqlite3.connect(path) as raw:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        shape: dict[str, object] = {}
        for table in tables:
            columns = sorted(tuple(r[1:]) for r in raw.execute(f'PRAGMA table_info("{table}")'))
            indexes = sorted(
                (bool(r[2]), tuple(c[2] for c in raw.execute(f'PRAGMA index_info("{r[1]}")')))
                for r in raw.execute(f'PRAGMA index_list("{table}")')
            )
            foreign = sorted(tuple(r[2:]) for r in raw.execute(f'PRAGMA foreign_key_list("{table}")'))
            shape[table] = (columns, indexes, foreign)
    return shape


def test_the_migrations_make_exactly_the_schema_of_the_models(tmp_path):
    """A change of the models without its migration fails here (the frozen migrations never follow the models)."""
    migrated = tmp_path / "migrated.db"
    open_store(make_settings(f"sqlite:///{migrated}")).close()
    from_models = tmp_path / "models.db"
    db = peewee.SqliteDatabase(str(from_models))
    everything = [m for m in models.BaseModel.__subclasses__()]
    with db.bind_ctx(everything):
        db.create_tables(everything)
    db.close()
    assert _sqlite_schema(migrated) == _sqlite_schema(from_models)


def test_an_upgraded_v010_box_learns_the_format_of_its_stored_unparsed_sms(v010_url, clock):
    """0007: the teaching tables come with the upgrade, and the SMS v0.1.0 stored unparsed are taught from."""
    from appliance.sms.learn import Confirmed
    from appliance.usecases.sms_intake import build_ingest
    from appliance.usecases.teaching import Teaching

    settings = make_settings(v010_url)
    db = open_store(settings)
    try:
        teaching = Teaching(build_ingest(PaymentService(settings, clock=clock)))
        (unparsed,) = models.SmsMessage.select().where(models.SmsMessage.kind == "unparsed")
        taught = teaching.learn(unparsed.id, Confirmed(777_770, "deposit", 50_061_192, "6204718359"), "operator:admin")
        assert unparsed.id in taught.reread
        again = models.SmsMessage.get_by_id(unparsed.id)
        assert (again.kind, again.amount, again.deposit_id is not None) == ("deposit", 777_770, True)
        teaching.trust_sender("operator:admin", sender="+989121234567", bank="mellat")
        assert [(s.sender, s.bank) for s in models.TaughtSender.select()] == [("9121234567", "mellat")]
        assert models.LearnedTemplate.select().count() == 1
    finally:
        db.close()
