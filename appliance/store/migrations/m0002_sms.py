"""0002: the SMS path: raw parts, messages with their parse and trust, learned SMSCs, modem health.

Frozen: the schema exactly as v0.1.0 created it (the statements Peewee generated
from that release's models), so that later changes of the models never change
what this migration does. A change of the schema is a new migration.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

SQLITE = [
    (
        'CREATE TABLE IF NOT EXISTS "modem_sample" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"modem" VARCHAR(40) NOT NULL, "at" DATETIME NOT NULL, "responsive" INTEGER NOT NULL, '
        '"registered" INTEGER, "sim_state" VARCHAR(40), "operator" VARCHAR(60), "signal_dbm" INTEGER, '
        '"storage_used" INTEGER, "storage_total" INTEGER, "detail" TEXT)'
    ),
    'CREATE INDEX IF NOT EXISTS "modem_sample_modem" ON "modem_sample" ("modem")',
    'CREATE INDEX IF NOT EXISTS "modem_sample_at" ON "modem_sample" ("at")',
    (
        'CREATE TABLE IF NOT EXISTS "sender_smsc" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"sender" VARCHAR(40) NOT NULL, "smsc" VARCHAR(24) NOT NULL, "first_seen" DATETIME NOT NULL, '
        '"last_seen" DATETIME NOT NULL, "count" INTEGER NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "sender_smsc_sender_smsc" ON "sender_smsc" ("sender", "smsc")',
    (
        'CREATE TABLE IF NOT EXISTS "sms_message" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"source" VARCHAR(16) NOT NULL, "origin" VARCHAR(80) NOT NULL, "sender" VARCHAR(40) NOT NULL, '
        '"smsc" VARCHAR(24), "scts" DATETIME, "received_at" DATETIME NOT NULL, "text" TEXT NOT NULL, '
        '"parts_expected" INTEGER NOT NULL, "parts_present" INTEGER NOT NULL, "flag" TEXT, '
        '"kind" VARCHAR(16) NOT NULL, "bank" VARCHAR(40), "account" VARCHAR(40), "amount" INTEGER, '
        '"balance" INTEGER, "parsed" TEXT, "reason" TEXT NOT NULL, "trusted" INTEGER NOT NULL, '
        '"trust_reason" TEXT NOT NULL, "deposit_id" INTEGER, "dedupe_key" VARCHAR(128) NOT NULL, '
        'FOREIGN KEY ("deposit_id") REFERENCES "deposit" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "sms_message_sender" ON "sms_message" ("sender")',
    'CREATE INDEX IF NOT EXISTS "sms_message_received_at" ON "sms_message" ("received_at")',
    'CREATE INDEX IF NOT EXISTS "sms_message_kind" ON "sms_message" ("kind")',
    'CREATE INDEX IF NOT EXISTS "sms_message_deposit_id" ON "sms_message" ("deposit_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "sms_message_dedupe_key" ON "sms_message" ("dedupe_key")',
    (
        'CREATE TABLE IF NOT EXISTS "sms_part" ("id" INTEGER NOT NULL PRIMARY KEY, '
        '"modem" VARCHAR(40) NOT NULL, "memory" VARCHAR(8), "storage_index" INTEGER, "pdu_hex" TEXT NOT NULL, '
        '"pdu_hash" VARCHAR(64) NOT NULL, "sender" VARCHAR(40), "smsc" VARCHAR(24), "scts" DATETIME, '
        '"received_at" DATETIME NOT NULL, "text" TEXT, "concat_ref" INTEGER, "concat_total" INTEGER, '
        '"concat_seq" INTEGER, "concat_bits" INTEGER, "error" TEXT, "message_id" INTEGER, '
        'FOREIGN KEY ("message_id") REFERENCES "sms_message" ("id") ON DELETE SET NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "sms_part_pdu_hash" ON "sms_part" ("pdu_hash")',
    'CREATE INDEX IF NOT EXISTS "sms_part_received_at" ON "sms_part" ("received_at")',
    'CREATE INDEX IF NOT EXISTS "sms_part_message_id" ON "sms_part" ("message_id")',
    (
        'CREATE INDEX IF NOT EXISTS "sms_part_sender_concat_ref_concat_total" ON "sms_part" ("sender", '
        '"concat_ref", "concat_total")'
    ),
]

POSTGRES = [
    (
        'CREATE TABLE IF NOT EXISTS "modem_sample" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"modem" VARCHAR(40) NOT NULL, "at" TIMESTAMP NOT NULL, "responsive" BOOLEAN NOT NULL, '
        '"registered" BOOLEAN, "sim_state" VARCHAR(40), "operator" VARCHAR(60), "signal_dbm" INTEGER, '
        '"storage_used" INTEGER, "storage_total" INTEGER, "detail" TEXT)'
    ),
    'CREATE INDEX IF NOT EXISTS "modem_sample_modem" ON "modem_sample" ("modem")',
    'CREATE INDEX IF NOT EXISTS "modem_sample_at" ON "modem_sample" ("at")',
    (
        'CREATE TABLE IF NOT EXISTS "sender_smsc" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"sender" VARCHAR(40) NOT NULL, "smsc" VARCHAR(24) NOT NULL, "first_seen" TIMESTAMP NOT NULL, '
        '"last_seen" TIMESTAMP NOT NULL, "count" INTEGER NOT NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "sender_smsc_sender_smsc" ON "sender_smsc" ("sender", "smsc")',
    (
        'CREATE TABLE IF NOT EXISTS "sms_message" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"source" VARCHAR(16) NOT NULL, "origin" VARCHAR(80) NOT NULL, "sender" VARCHAR(40) NOT NULL, '
        '"smsc" VARCHAR(24), "scts" TIMESTAMP, "received_at" TIMESTAMP NOT NULL, "text" TEXT NOT NULL, '
        '"parts_expected" INTEGER NOT NULL, "parts_present" INTEGER NOT NULL, "flag" TEXT, '
        '"kind" VARCHAR(16) NOT NULL, "bank" VARCHAR(40), "account" VARCHAR(40), "amount" BIGINT, '
        '"balance" BIGINT, "parsed" TEXT, "reason" TEXT NOT NULL, "trusted" BOOLEAN NOT NULL, '
        '"trust_reason" TEXT NOT NULL, "deposit_id" INTEGER, "dedupe_key" VARCHAR(128) NOT NULL, '
        'FOREIGN KEY ("deposit_id") REFERENCES "deposit" ("id") ON DELETE SET NULL)'
    ),
    'CREATE INDEX IF NOT EXISTS "sms_message_sender" ON "sms_message" ("sender")',
    'CREATE INDEX IF NOT EXISTS "sms_message_received_at" ON "sms_message" ("received_at")',
    'CREATE INDEX IF NOT EXISTS "sms_message_kind" ON "sms_message" ("kind")',
    'CREATE INDEX IF NOT EXISTS "sms_message_deposit_id" ON "sms_message" ("deposit_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "sms_message_dedupe_key" ON "sms_message" ("dedupe_key")',
    (
        'CREATE TABLE IF NOT EXISTS "sms_part" ("id" SERIAL NOT NULL PRIMARY KEY, '
        '"modem" VARCHAR(40) NOT NULL, "memory" VARCHAR(8), "storage_index" INTEGER, "pdu_hex" TEXT NOT NULL, '
        '"pdu_hash" VARCHAR(64) NOT NULL, "sender" VARCHAR(40), "smsc" VARCHAR(24), "scts" TIMESTAMP, '
        '"received_at" TIMESTAMP NOT NULL, "text" TEXT, "concat_ref" INTEGER, "concat_total" INTEGER, '
        '"concat_seq" INTEGER, "concat_bits" INTEGER, "error" TEXT, "message_id" INTEGER, '
        'FOREIGN KEY ("message_id") REFERENCES "sms_message" ("id") ON DELETE SET NULL)'
    ),
    'CREATE UNIQUE INDEX IF NOT EXISTS "sms_part_pdu_hash" ON "sms_part" ("pdu_hash")',
    'CREATE INDEX IF NOT EXISTS "sms_part_received_at" ON "sms_part" ("received_at")',
    'CREATE INDEX IF NOT EXISTS "sms_part_message_id" ON "sms_part" ("message_id")',
    (
        'CREATE INDEX IF NOT EXISTS "sms_part_sender_concat_ref_concat_total" ON "sms_part" ("sender", '
        '"concat_ref", "concat_total")'
    ),
]


def apply(db: peewee.Database) -> None:
    run(db, SQLITE, POSTGRES)
