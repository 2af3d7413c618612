"""Running a frozen migration: a list of SQL statements per dialect, written down when it was released."""

from __future__ import annotations

from collections.abc import Sequence

import peewee

from appliance.store import database as store


def run(db: peewee.Database, sqlite: Sequence[str], postgres: Sequence[str]) -> None:
    """Execute the statements for ``db``'s dialect, in order (they are written to be re-runnable)."""
    for statement in sqlite if store.is_sqlite(db) else postgres:
        db.execute_sql(statement)
