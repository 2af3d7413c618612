"""Numbered schema migrations, applied in order and recorded in ``meta.schema_version``.

A migration is a module ``mNNNN_name.py`` with ``apply(db)``; it runs inside
one transaction (PostgreSQL has transactional DDL; on SQLite a failed
migration leaves the previous version recorded, and migrations are written to
be re-runnable). On PostgreSQL an advisory lock makes the boxes of a fleet
migrate one at a time. Rule: once a version has shipped, its migration is
never edited; a change of the models comes with a new migration. 0001-0003
are frozen as the SQL that v0.1.0 ran, so they never follow the models.

A database whose schema is newer than this software knows (another box of the
fleet, or a downgrade) is refused with :class:`SchemaTooNew`, before anything
is written. ``meta.written_by`` keeps the version of the software that last
migrated it, for that message.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from types import ModuleType

import peewee

from appliance.domain.errors import SchemaTooNew
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


def latest() -> int:
    """The newest schema version this software can make."""
    return max(number for number, _ in available())


def _written_by() -> str:
    row = Meta.get_or_none(Meta.key == "written_by")
    return row.value if row else "an unknown version"


def _record(key: str, value: str) -> None:
    Meta.insert(key=key, value=value).on_conflict(conflict_target=[Meta.key], update={Meta.value: value}).execute()


def migrate(db: peewee.Database, software: str = "") -> int:
    """Bring the schema up to date; returns the version now in force.

    ``software`` (this CartToCart's version) is recorded with each migration it applies.
    Raises :class:`SchemaTooNew` when the database is ahead of this software.
    """
    with db.connection_context():
        pg = isinstance(db, peewee.PostgresqlDatabase)
        if pg:
            db.execute_sql("SELECT pg_advisory_lock(%s)", (_ADVISORY_LOCK_ID,))
        else:  # an index built over a year's rows sorts through files, not the Pi's memory (database.py)
            temp_store = db.execute_sql("PRAGMA temp_store").fetchone()[0]
            db.execute_sql("PRAGMA temp_store = FILE")
        try:
            version = current_version(db)
            newest = latest()
            if version > newest:
                raise SchemaTooNew(
                    f"the database is at schema version {version} (written by CartToCart {_written_by()}); "
                    f"this CartToCart{' ' + software if software else ''} knows schema versions up to {newest}: "
                    "install the newer software, or restore a backup made before the upgrade"
                )
            for number, module in available():
                if number <= version:
                    continue
                log.info("applying migration %04d (%s)", number, module.__name__.rsplit(".", 1)[-1])
                with store.write():
                    module.apply(db)
                    _record("schema_version", str(number))
                    if software:
                        _record("written_by", software)
                version = number
            return version
        finally:
            if pg:
                db.execute_sql("SELECT pg_advisory_unlock(%s)", (_ADVISORY_LOCK_ID,))
            else:
                db.execute_sql(f"PRAGMA temp_store = {int(temp_store)}")  # the connection's own setting again
