"""0013: the index on ``deposit (state)`` becomes ``deposit (state, received_at, amount)``.

The dashboard's first page sums the deposits received today and this week by state (money received,
money held for review): with the state index alone, SQLite read every deposit of the week from the
``received_at`` index and then each row for its state and amount (7 ms for a busy shop's week).
Ordered by state, then time, and holding the amount, the new index answers each sum from its own
entries, the wanted state's days only. It replaces the state index (which it serves as well: the
state is its first column), so a deposit's insert or state change writes no more index entries.

Written as SQL, frozen like every released migration; re-runnable.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

STATEMENTS = [
    'CREATE INDEX IF NOT EXISTS "deposit_state_received_at_amount" ON "deposit" ("state", "received_at", "amount")',
    'DROP INDEX IF EXISTS "deposit_state"',
]


def apply(db: peewee.Database) -> None:
    run(db, STATEMENTS, STATEMENTS)
