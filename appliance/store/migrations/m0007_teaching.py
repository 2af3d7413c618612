"""0007: what the operator taught the box: senders trusted for a bank, bank SMS formats learned.

Kept in the store (not in files) so that they come back with a backup and reach
every box of a fleet sharing one database. Written as SQL, frozen like every
released migration.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

_TRUSTED_SENDER = (
    'CREATE TABLE IF NOT EXISTS "taught_sender" ("id" {serial} NOT NULL PRIMARY KEY, "bank" VARCHAR(40) NOT NULL, '
    '"sender" VARCHAR(40) NOT NULL, "message_id" {bigint}, "created_by" VARCHAR(80) NOT NULL, '
    '"created_at" {time} NOT NULL)'
)
_SENDER_INDEX = 'CREATE UNIQUE INDEX IF NOT EXISTS "taught_sender_sender" ON "taught_sender" ("sender")'
_LEARNED_TEMPLATE = (
    'CREATE TABLE IF NOT EXISTS "learned_template" ("id" {serial} NOT NULL PRIMARY KEY, '
    '"bank" VARCHAR(40) NOT NULL, "body" TEXT NOT NULL, "message_id" {bigint}, '
    '"created_by" VARCHAR(80) NOT NULL, "created_at" {time} NOT NULL)'
)

SQLITE = [
    _TRUSTED_SENDER.format(serial="INTEGER", bigint="INTEGER", time="DATETIME"),
    _SENDER_INDEX,
    _LEARNED_TEMPLATE.format(serial="INTEGER", bigint="INTEGER", time="DATETIME"),
]
POSTGRES = [
    _TRUSTED_SENDER.format(serial="SERIAL", bigint="BIGINT", time="TIMESTAMP"),
    _SENDER_INDEX,
    _LEARNED_TEMPLATE.format(serial="SERIAL", bigint="BIGINT", time="TIMESTAMP"),
]


def apply(db: peewee.Database) -> None:
    run(db, SQLITE, POSTGRES)
