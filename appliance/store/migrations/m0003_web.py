"""0003: webhook secrets, deliveries and attempts; the dashboard's login, sessions and failed attempts.

Frozen: the schema exactly as v0.1.0 created it (the statements Peewee generated
from that release's models), so that later changes of the models never change
what this migration does. A change of the schema is a new migration.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

SQLITE = [
    (
        'CREATE TABLE IF NOT EXISTS "admin_account" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"username" VARCHAR(40) NOT NULL, "password_hash" VARCHAR(300) NOT NULL, '
        '"updated_at" DATETIME NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "admin_account_username" ON "admin_account" ("username")',
    (
        'CREATE TABLE IF NOT EXISTS "admin_session" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"account_id" INTEGER NOT NULL, "session_hash" VARCHAR(64) NOT NULL, "csrf" VARCHAR(64) NOT NULL, '
        '"created_at" DATETIME NOT NULL, "expires_at" DATETIME NOT NULL, '
        'FOREIGN KEY ("account_id") REFERENCES "admin_account" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "admin_session_account_id" ON "admin_session" ("account_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "admin_session_session_hash" ON "admin_session" ("session_hash")',
    'CREATE INDEX IF NOT EXISTS "admin_session_expires_at" ON "admin_session" ("expires_at")',
    (
        'CREATE TABLE IF NOT EXISTS "login_attempt" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"address" VARCHAR(64) NOT NULL, "at" DATETIME NOT NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "login_attempt_address" ON "login_attempt" ("address")',
    'CREATE INDEX IF NOT EXISTS "login_attempt_at" ON "login_attempt" ("at")',
    (
        'CREATE TABLE IF NOT EXISTS "webhook_delivery" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"token_id" INTEGER NOT NULL, "payment_id" INTEGER NOT NULL, "url" VARCHAR(500) NOT NULL, '
        '"body" TEXT NOT NULL, "state" VARCHAR(16) NOT NULL, "attempts" INTEGER NOT NULL, '
        '"next_attempt_at" DATETIME NOT NULL, "created_at" DATETIME NOT NULL, "delivered_at" DATETIME, '
        '"last_error" TEXT, FOREIGN KEY ("token_id") REFERENCES "api_token" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("payment_id") REFERENCES "payment" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_token_id" ON "webhook_delivery" ("token_id")',
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_payment_id" ON "webhook_delivery" ("payment_id")',
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_state" ON "webhook_delivery" ("state")',
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_next_attempt_at" ON "webhook_delivery" ("next_attempt_at")',
    (
        'CREATE TABLE IF NOT EXISTS "webhook_attempt" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"delivery_id" INTEGER NOT NULL, "at" DATETIME NOT NULL, "http_status" INTEGER, "error" TEXT, '
        '"duration_ms" INTEGER NOT NULL, '
        'FOREIGN KEY ("delivery_id") REFERENCES "webhook_delivery" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "webhook_attempt_delivery_id" ON "webhook_attempt" ("delivery_id")',
    (
        'CREATE TABLE IF NOT EXISTS "webhook_secret" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"token_id" INTEGER NOT NULL, "secret" VARCHAR(100) NOT NULL, "created_at" DATETIME NOT NULL, '
        'FOREIGN KEY ("token_id") REFERENCES "api_token" ("id") ON DELETE CASCADE)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "webhook_secret_token_id" ON "webhook_secret" ("token_id")',
]

POSTGRES = [
    (
        'CREATE TABLE IF NOT EXISTS "admin_account" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"username" VARCHAR(40) NOT NULL, "password_hash" VARCHAR(300) NOT NULL, '
        '"updated_at" TIMESTAMP NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "admin_account_username" ON "admin_account" ("username")',
    (
        'CREATE TABLE IF NOT EXISTS "admin_session" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"account_id" INTEGER NOT NULL, "session_hash" VARCHAR(64) NOT NULL, "csrf" VARCHAR(64) NOT NULL, '
        '"created_at" TIMESTAMP NOT NULL, "expires_at" TIMESTAMP NOT NULL, '
        'FOREIGN KEY ("account_id") REFERENCES "admin_account" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "admin_session_account_id" ON "admin_session" ("account_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "admin_session_session_hash" ON "admin_session" ("session_hash")',
    'CREATE INDEX IF NOT EXISTS "admin_session_expires_at" ON "admin_session" ("expires_at")',
    (
        'CREATE TABLE IF NOT EXISTS "login_attempt" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"address" VARCHAR(64) NOT NULL, "at" TIMESTAMP NOT NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "login_attempt_address" ON "login_attempt" ("address")',
    'CREATE INDEX IF NOT EXISTS "login_attempt_at" ON "login_attempt" ("at")',
    (
        'CREATE TABLE IF NOT EXISTS "webhook_delivery" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"token_id" INTEGER NOT NULL, "payment_id" INTEGER NOT NULL, "url" VARCHAR(500) NOT NULL, '
        '"body" TEXT NOT NULL, "state" VARCHAR(16) NOT NULL, "attempts" INTEGER NOT NULL, '
        '"next_attempt_at" TIMESTAMP NOT NULL, "created_at" TIMESTAMP NOT NULL, "delivered_at" TIMESTAMP, '
        '"last_error" TEXT, FOREIGN KEY ("token_id") REFERENCES "api_token" ("id") ON DELETE CASCADE, '
        'FOREIGN KEY ("payment_id") REFERENCES "payment" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_token_id" ON "webhook_delivery" ("token_id")',
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_payment_id" ON "webhook_delivery" ("payment_id")',
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_state" ON "webhook_delivery" ("state")',
    'CREATE INDEX IF NOT EXISTS "webhook_delivery_next_attempt_at" ON "webhook_delivery" ("next_attempt_at")',
    (
        'CREATE TABLE IF NOT EXISTS "webhook_attempt" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"delivery_id" INTEGER NOT NULL, "at" TIMESTAMP NOT NULL, "http_status" INTEGER, "error" TEXT, '
        '"duration_ms" INTEGER NOT NULL, '
        'FOREIGN KEY ("delivery_id") REFERENCES "webhook_delivery" ("id") ON DELETE CASCADE)'
    ),
    'CREATE INDEX IF NOT EXISTS "webhook_attempt_delivery_id" ON "webhook_attempt" ("delivery_id")',
    (
        'CREATE TABLE IF NOT EXISTS "webhook_secret" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"token_id" INTEGER NOT NULL, "secret" VARCHAR(100) NOT NULL, "created_at" TIMESTAMP NOT NULL, '
        'FOREIGN KEY ("token_id") REFERENCES "api_token" ("id") ON DELETE CASCADE)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "webhook_secret_token_id" ON "webhook_secret" ("token_id")',
]


def apply(db: peewee.Database) -> None:
    run(db, SQLITE, POSTGRES)
