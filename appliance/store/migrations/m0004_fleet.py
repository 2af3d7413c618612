"""0004: the fleet: each stored SMS part names the box that received it; the boxes' heartbeats.

Written as SQL, frozen like every released migration.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

_FLEET_BOX = (
    'CREATE TABLE IF NOT EXISTS "fleet_box" ("id" {serial} NOT NULL PRIMARY KEY, "box" VARCHAR(40) NOT NULL, '
    '"instance" VARCHAR(32) NOT NULL, "version" VARCHAR(20) NOT NULL, "name" VARCHAR(100) NOT NULL, '
    '"started_at" {time} NOT NULL, "heartbeat_at" {time} NOT NULL)'
)
_INDEX = 'CREATE UNIQUE INDEX IF NOT EXISTS "fleet_box_box" ON "fleet_box" ("box")'
_PART_BOX = """ALTER TABLE "sms_part" ADD COLUMN "box" VARCHAR(40) NOT NULL DEFAULT ''"""

SQLITE = [_FLEET_BOX.format(serial="INTEGER", time="DATETIME"), _INDEX]
POSTGRES = [_FLEET_BOX.format(serial="SERIAL", time="TIMESTAMP"), _INDEX]


def apply(db: peewee.Database) -> None:
    run(db, SQLITE, POSTGRES)
    # ADD COLUMN has no IF NOT EXISTS on SQLite: look first, so the migration can run again.
    if "box" not in {column.name for column in db.get_columns("sms_part")}:
        db.execute_sql(_PART_BOX)
