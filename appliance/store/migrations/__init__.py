"""Numbered schema migrations, applied in order and recorded in ``meta.schema_version``.

A migration is a module ``mNNNN_name.py`` with ``apply(db)``; it runs inside
one transaction (PostgreSQL has transactional DDL; on SQLite a failed
migration leaves the previous version recorded, and migrations are written to
be re-runnable). On PostgreSQL an advisory lock makes the boxes of a fleet
migrate one at a time. Rule: once a version has shipped, its migration is
never edited; a change of the models comes with a new migration.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from types import ModuleType

import peewee

from appliance.store import database as store
from appliance.store.models import Meta

log = logging.getLogger(__name__)

_ADVISORY_LOCK_ID = 0x43325443  # "C2TC": serialises migrations across a fleet on PostgreSQL


def available() -> list[tuple[int, ModuleType]]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("m") and info.name[1:5].isdigit():
            found.append((int(info.name[1:5]), importlib.import_module(f"{__name__}.{info.name}")))
    return sorted(found, key=lambda item: item[0])


def current_version(db: peewee.Database) -> int:
    if not db.table_exists(Meta._meta.table_name):
        return 0
    row = Meta.get_or_none(Meta.key == "schema_version")
    return int(row.value) if row else 0


def migrate(db: peewee.Database) -> int:
    """Bring the schema up to date; returns the version now in force."""
    with db.connection_context():
        pg = isinstance(db, peewee.PostgresqlDatabase)
        if pg:
            db.execute_sql("SELECT pg_advisory_lock(%s)", (_ADVISORY_LOCK_ID,))
        try:
            version = current_version(db)
            for number, module in available():
                if number <= version:
                    continue
                log.info("applying migration %04d (%s)", number, module.__name__.rsplit(".", 1)[-1])
                with store.write():
                    module.apply(db)
                    Meta.insert(key="schema_version", value=str(number)).on_conflict(
                        conflict_target=[Meta.key], update={Meta.value: str(number)}
                    ).execute()
                version = number
            return version
        finally:
            if pg:
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (_ADVISORY_LOCK_ID,))
