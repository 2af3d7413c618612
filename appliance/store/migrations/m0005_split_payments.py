"""0005: split payments: the parts of a payment (each its own unique amount and card), and a payment may
hold several reservations (one per part), so ``amount_reservation.payment_id`` is no longer unique.

Written as SQL, frozen like every released migration. The uniqueness that matters, one active amount per
scope, is unchanged: ``amount_reservation_scope_active_amount``.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

_PART = (
    'CREATE TABLE IF NOT EXISTS "payment_part" ("id" {serial} NOT NULL PRIMARY KEY, "payment_id" INTEGER NOT NULL, '
    '"seq" INTEGER NOT NULL, "price" {money} NOT NULL, "amount" {money} NOT NULL, "card_id" INTEGER NOT NULL, '
    '"scope" INTEGER NOT NULL, "paid_at" {time}, "late" {boolean} NOT NULL, "deposit_id" INTEGER, '
    'FOREIGN KEY ("payment_id") REFERENCES "payment" ("id") ON DELETE CASCADE, '
    'FOREIGN KEY ("card_id") REFERENCES "card" ("id") ON DELETE RESTRICT, '
    'FOREIGN KEY ("deposit_id") REFERENCES "deposit" ("id") ON DELETE SET NULL)'
)
_INDEXES = [
    'CREATE INDEX IF NOT EXISTS "payment_part_payment_id" ON "payment_part" ("payment_id")',
    'CREATE INDEX IF NOT EXISTS "payment_part_amount" ON "payment_part" ("amount")',
    'CREATE INDEX IF NOT EXISTS "payment_part_card_id" ON "payment_part" ("card_id")',
    'CREATE INDEX IF NOT EXISTS "payment_part_deposit_id" ON "payment_part" ("deposit_id")',
    'CREATE UNIQUE INDEX IF NOT EXISTS "payment_part_payment_id_seq" ON "payment_part" ("payment_id", "seq")',
    # One reservation per part: the index on payment_id stays, without UNIQUE (dropped and made again, so
    # running this twice ends in the same place).
    'DROP INDEX IF EXISTS "amount_reservation_payment_id"',
    'CREATE INDEX IF NOT EXISTS "amount_reservation_payment_id" ON "amount_reservation" ("payment_id")',
]

SQLITE = [_PART.format(serial="INTEGER", money="INTEGER", time="DATETIME", boolean="INTEGER"), *_INDEXES]
POSTGRES = [_PART.format(serial="SERIAL", money="BIGINT", time="TIMESTAMP", boolean="BOOLEAN"), *_INDEXES]


def apply(db: peewee.Database) -> None:
    run(db, SQLITE, POSTGRES)
