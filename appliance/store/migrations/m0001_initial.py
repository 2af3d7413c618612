"""0001: cards, tokens, payments, amount reservations, deposits and the event log.

Frozen: the schema exactly as v0.1.0 created it (the statements Peewee generated
from that release's models), so that later changes of the models never change
what this migration does. A change of the schema is a new migration.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

SQLITE = [
    (
        'CREATE TABLE IF NOT EXISTS "card" ("id" INTEGER NOT NULL PRIMARY KEY, "number" VARCHAR(16) NOT NULL, '
        '"holder" VARCHAR(100) NOT NULL, "bank" VARCHAR(40) NOT NULL, "account" VARCHAR(40), '
        '"daily_limit_rial" INTEGER, "daily_limit_count" INTEGER, "active" INTEGER NOT NULL, '
        '"created_at" DATETIME NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "card_number" ON "card" ("number")',
    (
        'CREATE TABLE IF NOT EXISTS "api_token" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"name" VARCHAR(80) NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "prefix" VARCHAR(12) NOT NULL, '
        '"scopes" VARCHAR(200) NOT NULL, "webhook_url" VARCHAR(500), "created_at" DATETIME NOT NULL, '
        '"last_used_at" DATETIME, "revoked_at" DATETIME)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "api_token_name" ON "api_token" ("name")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "api_token_token_hash" ON "api_token" ("token_hash")',
    (
        'CREATE TABLE IF NOT EXISTS "payment" ("id" INTEGER NOT NULL PRIMARY KEY, "fid" INTEGER NOT NULL, '
        '"price" INTEGER NOT NULL, "amount" INTEGER NOT NULL, "state" VARCHAR(16) NOT NULL, '
        '"phone" VARCHAR(20), "payer_card" VARCHAR(16), "callback" VARCHAR(1000), "card_id" INTEGER, '
        '"token_id" INTEGER, "created_at" DATETIME NOT NULL, "expires_at" DATETIME NOT NULL, '
        '"paid_at" DATETIME, "verified_at" DATETIME, "payer_card_mismatch" INTEGER NOT NULL, '
        'FOREIGN KEY ("card_id") REFERENCES "card" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("token_id") REFERENCES "api_token" ("id") ON DELETE SET NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "payment_fid" ON "payment" ("fid")',
    'CREATE INDEX IF NOT EXISTS "payment_amount" ON "payment" ("amount")',
    'CREATE INDEX IF NOT EXISTS "payment_state" ON "payment" ("state")',
    'CREATE INDEX IF NOT EXISTS "payment_card_id" ON "payment" ("card_id")',
    'CREATE INDEX IF NOT EXISTS "payment_token_id" ON "payment" ("token_id")',
    'CREATE INDEX IF NOT EXISTS "payment_expires_at" ON "payment" ("expires_at")',
    (
        'CREATE TABLE IF NOT EXISTS "amount_reservation" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"payment_id" INTEGER NOT NULL, "scope" INTEGER NOT NULL, "amount" INTEGER NOT NULL, '
        '"active_amount" INTEGER, "hold_until" DATETIME NOT NULL, "released_at" DATETIME, '
        'FOREIGN KEY ("payment_id") REFERENCES "payment" ("id") ON DELETE CASCADE)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "amount_reservation_payment_id" ON "amount_reservation" ("payment_id")',
    'CREATE INDEX IF NOT EXISTS "amount_reservation_hold_until" ON "amount_reservation" ("hold_until")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "amount_reservation_scope_active_amount" ON "amount_reservation" ("scope", '
        '"active_amount")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "deposit" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"source" VARCHAR(16) NOT NULL, "state" VARCHAR(16) NOT NULL, "amount" INTEGER NOT NULL, '
        '"bank" VARCHAR(40), "account" VARCHAR(40), "card_id" INTEGER, "payer_card" VARCHAR(24), '
        '"balance" INTEGER, "bank_time" DATETIME, "smsc_time" DATETIME, "received_at" DATETIME NOT NULL, '
        '"transfer_at" DATETIME NOT NULL, "payment_id" INTEGER, "reason" TEXT NOT NULL, "hints" TEXT, '
        '"note" TEXT, "dedupe_key" VARCHAR(128), "created_by" VARCHAR(80) NOT NULL, '
        'FOREIGN KEY ("card_id") REFERENCES "card" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("payment_id") REFERENCES "payment" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "deposit_state" ON "deposit" ("state")',
    'CREATE INDEX IF NOT EXISTS "deposit_amount" ON "deposit" ("amount")',
    'CREATE INDEX IF NOT EXISTS "deposit_card_id" ON "deposit" ("card_id")',
    'CREATE INDEX IF NOT EXISTS "deposit_received_at" ON "deposit" ("received_at")',
    'CREATE INDEX IF NOT EXISTS "deposit_payment_id" ON "deposit" ("payment_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "deposit_dedupe_key" ON "deposit" ("dedupe_key")',
    (
        'CREATE TABLE IF NOT EXISTS "event" ("id" INTEGER NOT NULL PRIMARY KEY, "at" DATETIME NOT NULL, '
        '"entity" VARCHAR(16) NOT NULL, "entity_id" INTEGER NOT NULL, "kind" VARCHAR(40) NOT NULL, '
        '"from_state" VARCHAR(16), "to_state" VARCHAR(16), "actor" VARCHAR(80) NOT NULL, '
        '"reason" TEXT NOT NULL, "data" TEXT)'
    ),
    'CREATE INDEX IF NOT EXISTS "event_at" ON "event" ("at")',
    'CREATE INDEX IF NOT EXISTS "event_entity_entity_id" ON "event" ("entity", "entity_id")',
    'CREATE TABLE IF NOT EXISTS "meta" ("key" VARCHAR(64) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    (
        'CREATE TABLE IF NOT EXISTS "payment_card" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"payment_id" INTEGER NOT NULL, "card_id" INTEGER NOT NULL, '
        'FOREIGN KEY ("payment_id") REFERENCES "payment" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("card_id") REFERENCES "card" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "payment_card_payment_id" ON "payment_card" ("payment_id")',
    'CREATE INDEX IF NOT EXISTS "payment_card_card_id" ON "payment_card" ("card_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "payment_card_payment_id_card_id" ON "payment_card" ("payment_id", "card_id")'),
]

POSTGRES = [
    (
        'CREATE TABLE IF NOT EXISTS "card" ("id" SERIAL NOT NULL PRIMARY KEY, "number" VARCHAR(16) NOT NULL, '
        '"holder" VARCHAR(100) NOT NULL, "bank" VARCHAR(40) NOT NULL, "account" VARCHAR(40), '
        '"daily_limit_rial" BIGINT, "daily_limit_count" INTEGER, "active" BOOLEAN NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "card_number" ON "card" ("number")',
    (
        'CREATE TABLE IF NOT EXISTS "api_token" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"name" VARCHAR(80) NOT NULL, "token_hash" VARCHAR(64) NOT NULL, "prefix" VARCHAR(12) NOT NULL, '
        '"scopes" VARCHAR(200) NOT NULL, "webhook_url" VARCHAR(500), "created_at" TIMESTAMP NOT NULL, '
        '"last_used_at" TIMESTAMP, "revoked_at" TIMESTAMP)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "api_token_name" ON "api_token" ("name")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "api_token_token_hash" ON "api_token" ("token_hash")',
    (
        'CREATE TABLE IF NOT EXISTS "payment" ("id" SERIAL NOT NULL PRIMARY KEY, "fid" BIGINT NOT NULL, '
        '"price" BIGINT NOT NULL, "amount" BIGINT NOT NULL, "state" VARCHAR(16) NOT NULL, "phone" VARCHAR(20), '
        '"payer_card" VARCHAR(16), "callback" VARCHAR(1000), "card_id" INTEGER, "token_id" INTEGER, '
        '"created_at" TIMESTAMP NOT NULL, "expires_at" TIMESTAMP NOT NULL, "paid_at" TIMESTAMP, '
        '"verified_at" TIMESTAMP, "payer_card_mismatch" BOOLEAN NOT NULL, '
        'FOREIGN KEY ("card_id") REFERENCES "card" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("token_id") REFERENCES "api_token" ("id") ON DELETE SET NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "payment_fid" ON "payment" ("fid")',
    'CREATE INDEX IF NOT EXISTS "payment_amount" ON "payment" ("amount")',
    'CREATE INDEX IF NOT EXISTS "payment_state" ON "payment" ("state")',
    'CREATE INDEX IF NOT EXISTS "payment_card_id" ON "payment" ("card_id")',
    'CREATE INDEX IF NOT EXISTS "payment_token_id" ON "payment" ("token_id")',
    'CREATE INDEX IF NOT EXISTS "payment_expires_at" ON "payment" ("expires_at")',
    (
        'CREATE TABLE IF NOT EXISTS "amount_reservation" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"payment_id" INTEGER NOT NULL, "scope" INTEGER NOT NULL, "amount" BIGINT NOT NULL, '
        '"active_amount" BIGINT, "hold_until" TIMESTAMP NOT NULL, "released_at" TIMESTAMP, '
        'FOREIGN KEY ("payment_id") REFERENCES "payment" ("id") ON DELETE CASCADE)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "amount_reservation_payment_id" ON "amount_reservation" ("payment_id")',
    'CREATE INDEX IF NOT EXISTS "amount_reservation_hold_until" ON "amount_reservation" ("hold_until")',
    (
        'CREATE UNIQUE INDEX IF NOT EXISTS "amount_reservation_scope_active_amount" ON "amount_reservation" ("scope", '
        '"active_amount")'
    ),
    (
        'CREATE TABLE IF NOT EXISTS "deposit" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"source" VARCHAR(16) NOT NULL, "state" VARCHAR(16) NOT NULL, "amount" BIGINT NOT NULL, '
        '"bank" VARCHAR(40), "account" VARCHAR(40), "card_id" INTEGER, "payer_card" VARCHAR(24), '
        '"balance" BIGINT, "bank_time" TIMESTAMP, "smsc_time" TIMESTAMP, "received_at" TIMESTAMP NOT NULL, '
        '"transfer_at" TIMESTAMP NOT NULL, "payment_id" INTEGER, "reason" TEXT NOT NULL, "hints" TEXT, '
        '"note" TEXT, "dedupe_key" VARCHAR(128), "created_by" VARCHAR(80) NOT NULL, '
        'FOREIGN KEY ("card_id") REFERENCES "card" ("id") ON DELETE RESTRICT, '
        'FOREIGN KEY ("payment_id") REFERENCES "payment" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "deposit_state" ON "deposit" ("state")',
    'CREATE INDEX IF NOT EXISTS "deposit_amount" ON "deposit" ("amount")',
    'CREATE INDEX IF NOT EXISTS "deposit_card_id" ON "deposit" ("card_id")',
    'CREATE INDEX IF NOT EXISTS "deposit_received_at" ON "deposit" ("received_at")',
    'CREATE INDEX IF NOT EXISTS "deposit_payment_id" ON "deposit" ("payment_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "deposit_dedupe_key" ON "deposit" ("dedupe_key")',
    (
        'CREATE TABLE IF NOT EXISTS "event" ("id" SERIAL NOT NULL PRIMARY KEY, "at" TIMESTAMP NOT NULL, '
        '"entity" VARCHAR(16) NOT NULL, "entity_id" BIGINT NOT NULL, "kind" VARCHAR(40) NOT NULL, '
        '"from_state" VARCHAR(16), "to_state" VARCHAR(16), "actor" VARCHAR(80) NOT NULL, '
        '"reason" TEXT NOT NULL, "data" TEXT)'
    ),
    'CREATE INDEX IF NOT EXISTS "event_at" ON "event" ("at")',
    'CREATE INDEX IF NOT EXISTS "event_entity_entity_id" ON "event" ("entity", "entity_id")',
    'CREATE TABLE IF NOT EXISTS "meta" ("key" VARCHAR(64) NOT NULL PRIMARY KEY, "value" TEXT NOT NULL)',
    (
        'CREATE TABLE IF NOT EXISTS "payment_card" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"payment_id" INTEGER NOT NULL, "card_id" INTEGER NOT NULL, '
        'FOREIGN KEY ("payment_id") REFERENCES "payment" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("card_id") REFERENCES "card" ("id") ON DELETE RESTRICT)'
    ),
    'CREATE INDEX IF NOT EXISTS "payment_card_payment_id" ON "payment_card" ("payment_id")',
    'CREATE INDEX IF NOT EXISTS "payment_card_card_id" ON "payment_card" ("card_id")',
    ('CREATE UNIQUE INDEX IF NOT EXISTS "payment_card_payment_id_card_id" ON "payment_card" ("payment_id", "card_id")'),
]


def apply(db: peewee.Database) -> None:
    run(db, SQLITE, POSTGRES)
