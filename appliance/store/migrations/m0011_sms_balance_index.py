"""0011: the index behind the balance arithmetic of every bank SMS.

``sms_message (bank, account, id)``: the intake reads the last balance a
trusted SMS printed for an account (:meth:`SmsIngest._last_balance`, newest
first) for every deposit and withdrawal it reads, and for each message read
again after the operator taught a format; without it that read walked every
SMS ever stored. ``id`` last, so that PostgreSQL too finds the newest row
without sorting.

Written as SQL, frozen like every released migration; re-runnable.
"""

from __future__ import annotations

import peewee

from appliance.store.migrations.frozen import run

STATEMENTS = [
    'CREATE INDEX IF NOT EXISTS "sms_message_bank_account" ON "sms_message" ("bank", "account", "id")',
]


def apply(db: peewee.Database) -> None:
    run(db, STATEMENTS, STATEMENTS)
