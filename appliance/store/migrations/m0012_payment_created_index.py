"""0012: an index on ``payment (created_at)``, so that the dashboard's first page stays fast after a year.

The overview counts today's payments by state: without the index that read walked every payment ever
made (0.2 s at 500,000 payments, on every load of the page); with it, today's rows only.

Written as SQL, frozen like every released migration; re-runnable.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

STATEMENTS = ['CREATE INDEX IF NOT EXISTS "payment_created_at" ON "payment" ("created_at")']


def apply(db: peewee.Database) -> None:
    run(db, STATEMENTS, STATEMENTS)
