"""Migration 0010 on a box at the previous schema (0009): its English reasons become codes, none lost.

The v0.1.0 box's database is brought to schema 0009 (what the release before this one ran), given
the sentences that release wrote and v0.1.0 did not (split payments, the field reader, teaching,
alerts...), then upgraded: every reason column holds codes, each reads as what the sentence said,
the pages render it in Persian, and running the migration again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from appliance.domain.reasons import modernise, parse, plain
from appliance.runtime import open_store
from appliance.store import migrations
from appliance.store.database import open_database
from appliance.store.migrations import current_version, latest, m0010_reason_codes
from tests.conftest import make_settings
from tests.service import test_upgrade
from web.present import Present

v010_url = test_upgrade.v010_url  # a copy of the v0.1.0 box's database, on SQLite or PostgreSQL

# Sentences the release at schema 0009 stored, beyond those of v0.1.0's fixture (one event each).
SENTENCES = Path(__file__).with_name("reasons_0009.txt").read_text(encoding="utf-8").splitlines()
# A raised alert's English: no pattern knows it, so it must stay, as text.
UNKNOWN = "No SMS received for 30 minutes while 2 payment(s) are pending."
COLUMNS = m0010_reason_codes.COLUMNS


def _values(db) -> dict[tuple[str, str, int], str]:  # type: ignore[no-untyped-def]
    found = {}
    for table, column in COLUMNS:
        for row_id, value in db.execute_sql(f'SELECT "id", "{column}" FROM "{table}" ORDER BY "id"').fetchall():
            found[(table, column, row_id)] = value
    for row_id, raw in db.execute_sql('SELECT "id", "parsed" FROM "sms_message" ORDER BY "id"').fetchall():
        found[("sms_message", "parsed.reason", row_id)] = json.loads(raw).get("reason") if raw else None
    return found


@pytest.fixture
def at_0009(v010_url, monkeypatch):  # type: ignore[no-untyped-def]  # noqa: F811
    """The v0.1.0 box migrated up to 0009 only, with the 0009 release's sentences added."""
    everything = migrations.available
    monkeypatch.setattr(migrations, "available", lambda: [m for m in everything() if m[0] <= 9])
    db = open_database(v010_url)
    assert migrations.migrate(db) == 9
    mark = db.param
    for text in [*SENTENCES, UNKNOWN]:
        db.execute_sql(
            'INSERT INTO "event" ("entity", "entity_id", "kind", "actor", "at", "reason") '
            f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})",
            ("payment", 1, "note", "t", dt.datetime(2026, 11, 1), text),
        )
    db.close()
    monkeypatch.setattr(migrations, "available", everything)
    return v010_url


def test_a_0009_box_stores_its_reasons_as_codes_after_the_upgrade(at_0009) -> None:
    before_db = open_database(at_0009)
    before = _values(before_db)
    before_db.close()
    english = {key: value for key, value in before.items() if value}
    assert len(english) > 60 and all(not value.startswith("@") for value in english.values())

    db = open_store(make_settings(at_0009))  # applies 0010
    try:
        assert current_version(db) == latest() >= 10
        after = _values(db)
        assert after.keys() == before.keys()  # no row lost or added
        assert {k: v for k, v in after.items() if not v} == {k: v for k, v in before.items() if not v}
        for key, old in english.items():
            new = after[key]
            assert new.startswith("@"), (key, new)
            assert parse(new) == parse(modernise(old)), key
            unknown = [p for p in parse(new) if p.code == "text"]
            assert unknown == ([] if old != UNKNOWN else parse(new)), (old, unknown)
        assert [p.params for p in parse(after[next(k for k, v in english.items() if v == UNKNOWN)])] == [
            {"text": UNKNOWN}
        ]
        # What v0.1.0 said reads word for word in English; every reason renders in Persian.
        v010 = test_upgrade.FIXTURES / "box.sqlite3"
        assert v010.exists()
        page = Present("fa", dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        for key, new in after.items():
            if new and before[key] != UNKNOWN:
                shown = re.sub(r'<bdi class="data"[^>]*>.*?</bdi>', "", page.reason(new))
                assert not re.search(r"[A-Za-z]{3,}", re.sub(r"<[^>]+>", "", shown)), (before[key], shown)
        # Re-runnable: a second run changes nothing.
        m0010_reason_codes.apply(db)
        assert _values(db) == after
    finally:
        db.close()


def test_the_old_sentences_all_read_as_codes() -> None:
    """The 0009 release's sentences are each recognised (the migration keeps none as bare text)."""
    for text in SENTENCES:
        assert [p for p in parse(text) if p.code == "text"] == [], text
        assert plain(modernise(text)), text
