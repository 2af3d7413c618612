"""0006: alerts (raised, repeated, resolved), the owner's outbox of SMS and webhook notices, the SIM's balance.

Written as SQL, frozen like every released migration.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

SQLITE = [
    (
        'CREATE TABLE IF NOT EXISTS "alert" ("id" INTEGER NOT NULL PRIMARY KEY, "key" VARCHAR(80) NOT NULL, '
        '"kind" VARCHAR(32) NOT NULL, "state" VARCHAR(16) NOT NULL, "params" TEXT, '
        '"raised_at" DATETIME NOT NULL, "notified_at" DATETIME NOT NULL, "repeats" INTEGER NOT NULL, '
        '"resolved_at" DATETIME)'
    ),
    'CREATE INDEX IF NOT EXISTS "alert_key" ON "alert" ("key")',
    'CREATE INDEX IF NOT EXISTS "alert_state" ON "alert" ("state")',
    (
        'CREATE TABLE IF NOT EXISTS "owner_notice" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"channel" VARCHAR(16) NOT NULL, "purpose" VARCHAR(16) NOT NULL, "alert_id" INTEGER, '
        '"sms_message_id" INTEGER, "recipient" VARCHAR(500) NOT NULL, "token_id" INTEGER, '
        '"body" TEXT NOT NULL, "state" VARCHAR(16) NOT NULL, "attempts" INTEGER NOT NULL, '
        '"next_attempt_at" DATETIME NOT NULL, "created_at" DATETIME NOT NULL, "sent_at" DATETIME, '
        '"last_error" TEXT, FOREIGN KEY ("alert_id") REFERENCES "alert" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "owner_notice_purpose" ON "owner_notice" ("purpose")',
    'CREATE INDEX IF NOT EXISTS "owner_notice_alert_id" ON "owner_notice" ("alert_id")',
    'CREATE INDEX IF NOT EXISTS "owner_notice_state" ON "owner_notice" ("state")',
    'CREATE INDEX IF NOT EXISTS "owner_notice_next_attempt_at" ON "owner_notice" ("next_attempt_at")',
    'CREATE INDEX IF NOT EXISTS "owner_notice_created_at" ON "owner_notice" ("created_at")',
    (
        'CREATE TABLE IF NOT EXISTS "sim_balance" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"modem" VARCHAR(40) NOT NULL, "at" DATETIME NOT NULL, "operator" VARCHAR(16) NOT NULL, '
        '"code" VARCHAR(40) NOT NULL, "reply" TEXT, "credit_rial" INTEGER, "valid_until" DATE, "error" TEXT)'
    ),
    'CREATE INDEX IF NOT EXISTS "sim_balance_at" ON "sim_balance" ("at")',
]

POSTGRES = [
    (
        'CREATE TABLE IF NOT EXISTS "alert" ("id" SERIAL NOT NULL PRIMARY KEY, "key" VARCHAR(80) NOT NULL, '
        '"kind" VARCHAR(32) NOT NULL, "state" VARCHAR(16) NOT NULL, "params" TEXT, '
        '"raised_at" TIMESTAMP NOT NULL, "notified_at" TIMESTAMP NOT NULL, "repeats" INTEGER NOT NULL, '
        '"resolved_at" TIMESTAMP)'
    ),
    'CREATE INDEX IF NOT EXISTS "alert_key" ON "alert" ("key")',
    'CREATE INDEX IF NOT EXISTS "alert_state" ON "alert" ("state")',
    (
        'CREATE TABLE IF NOT EXISTS "owner_notice" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"channel" VARCHAR(16) NOT NULL, "purpose" VARCHAR(16) NOT NULL, "alert_id" INTEGER, '
        '"sms_message_id" BIGINT, "recipient" VARCHAR(500) NOT NULL, "token_id" BIGINT, '
        '"body" TEXT NOT NULL, "state" VARCHAR(16) NOT NULL, "attempts" INTEGER NOT NULL, '
        '"next_attempt_at" TIMESTAMP NOT NULL, "created_at" TIMESTAMP NOT NULL, "sent_at" TIMESTAMP, '
        '"last_error" TEXT, FOREIGN KEY ("alert_id") REFERENCES "alert" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "owner_notice_purpose" ON "owner_notice" ("purpose")',
    'CREATE INDEX IF NOT EXISTS "owner_notice_alert_id" ON "owner_notice" ("alert_id")',
    'CREATE INDEX IF NOT EXISTS "owner_notice_state" ON "owner_notice" ("state")',
    'CREATE INDEX IF NOT EXISTS "owner_notice_next_attempt_at" ON "owner_notice" ("next_attempt_at")',
    'CREATE INDEX IF NOT EXISTS "owner_notice_created_at" ON "owner_notice" ("created_at")',
    (
        'CREATE TABLE IF NOT EXISTS "sim_balance" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"modem" VARCHAR(40) NOT NULL, "at" TIMESTAMP NOT NULL, "operator" VARCHAR(16) NOT NULL, '
        '"code" VARCHAR(40) NOT NULL, "reply" TEXT, "credit_rial" BIGINT, "valid_until" DATE, "error" TEXT)'
    ),
    'CREATE INDEX IF NOT EXISTS "sim_balance_at" ON "sim_balance" ("at")',
]


def apply(db: peewee.Database) -> None:
    run(db, SQLITE, POSTGRES)
