"""0012: indexes that keep the dashboard's first page as fast after a year as on the first day.

- ``payment (created_at)``: the overview counts today's payments by state; without it that read walked
  every payment ever made (0.2 s at 500,000 payments, on every load of the page).
- ``deposit (received_at, state, amount)`` in place of ``deposit (received_at)``: the money received
  today and this week is summed from the index alone, not from a week of deposit rows (7 ms on a busy
  shop's week); every read by ``received_at`` uses it as it used the old index.

Written as SQL, frozen like every released migration; re-runnable.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

STATEMENTS = [
    'CREATE INDEX IF NOT EXISTS "payment_created_at" ON "payment" ("created_at")',
    'CREATE INDEX IF NOT EXISTS "deposit_received_at_state_amount" ON "deposit" ("received_at", "state", "amount")',
    'DROP INDEX IF EXISTS "deposit_received_at"',
]


def apply(db: peewee.Database) -> None:
    run(db, STATEMENTS, STATEMENTS)
