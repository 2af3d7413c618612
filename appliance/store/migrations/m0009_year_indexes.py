"""0009: indexes that keep a create as fast after a year as on the first day.

- ``deposit (transfer_at)``: the daily card ceilings sum *today's* deposits on
  every create; without it that read walked every deposit ever made to a card.
- ``amount_reservation (hold_until) WHERE active_amount IS NOT NULL`` (a
  partial index, on SQLite and PostgreSQL alike): the scheduler's release of
  holds past their quarantine, under the write lock, looked at every
  reservation ever made instead of the few still active.

Written as SQL, frozen like every released migration; re-runnable.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

STATEMENTS = [
    'CREATE INDEX IF NOT EXISTS "deposit_transfer_at" ON "deposit" ("transfer_at")',
    'CREATE INDEX IF NOT EXISTS "amount_reservation_active_hold_until" ON "amount_reservation" ("hold_until") '
    'WHERE "active_amount" IS NOT NULL',
]


def apply(db: peewee.Database) -> None:
    run(db, STATEMENTS, STATEMENTS)
