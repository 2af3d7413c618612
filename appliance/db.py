"""Opening the store: SQLite (one box) or PostgreSQL (a fleet), by URL.

SQLite runs in WAL mode with ``synchronous=FULL`` (a committed payment survives
a power cut: the SD card is the box's only disk) and a busy timeout, and
every write transaction takes the write lock up front (``BEGIN IMMEDIATE``) so
that two writers queue instead of failing half-way. Models are bound to
:data:`database` (a proxy) by :func:`open_database`.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee

from appliance.errors import StoreError

log = logging.getLogger(__name__)

database = peewee.DatabaseProxy()


def open_database(url: str, busy_timeout_ms: int = 5000) -> peewee.Database:
    """Open (not yet connect) the database a URL names and bind the models to it."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(url[len("sqlite:///"):]) if url.startswith("sqlite:///") else ""
        if not path:
            raise StoreError(f"a SQLite URL is sqlite:///relative/path.db or sqlite:////absolute/path.db, got {url!r}")
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        db: peewee.Database = peewee.SqliteDatabase(
            path,
            timeout=busy_timeout_ms / 1000,
            pragmas={
                "journal_mode": "wal",
                "synchronous": "full",
                "busy_timeout": busy_timeout_ms,
                "foreign_keys": 1,
            },
            check_same_thread=False,
        )
    elif parts.scheme in ("postgres", "postgresql"):
        try:
            import psycopg2  # noqa: F401  (imported for the clear error below)
        except ImportError as exc:
            raise StoreError("PostgreSQL needs the driver: pip install 'carttocart[postgres]'") from exc
        options = dict(parse_qsl(parts.query))
        db = peewee.PostgresqlDatabase(
            unquote(parts.path.lstrip("/")),
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            host=parts.hostname or None,
            port=parts.port or None,
            **options,
        )
    else:
        raise StoreError(f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql://USER@HOST/DB")
    database.initialize(db)
    return db


def is_sqlite(db: peewee.Database | None = None) -> bool:
    target = db or database.obj
    return isinstance(target, peewee.SqliteDatabase)


@contextlib.contextmanager
def write() -> Iterator[None]:
    """One write transaction. On SQLite it takes the write lock first (``BEGIN IMMEDIATE``)."""
    db = database.obj
    if db is None:
        raise StoreError("the database is not open")
    if isinstance(db, peewee.SqliteDatabase) and not db.in_transaction():
        with db.atomic(lock_type="IMMEDIATE"):
            yield
    else:
        with db.atomic():
            yield


@contextlib.contextmanager
def connection() -> Iterator[peewee.Database]:
    """A connection for one unit of work (a request, a job), closed afterwards."""
    db = database.obj
    if db is None:
        raise StoreError("the database is not open")
    with db.connection_context():
        yield db
