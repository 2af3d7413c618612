"""Opening the store: SQLite (one box) or PostgreSQL (a fleet), by URL.

SQLite runs in WAL mode with ``synchronous=FULL`` (a committed payment survives
a power cut: the SD card is the box's only disk), temporary journals in memory and a busy timeout, and
every write transaction takes the write lock up front (``BEGIN IMMEDIATE``) so
that two writers queue instead of failing half-way. Models are bound to
:data:`database` (a proxy) by :func:`open_database`.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import operator
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

import peewee

from appliance.domain.errors import StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

database = peewee.DatabaseProxy()
_sqlite_writer = threading.Lock()


def open_database(url: str, busy_timeout_ms: int = 5000) -> peewee.Database:
    """Open (not yet connect) the database a URL names and bind the models to it."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(url[len("sqlite:///") :]) if url.startswith("sqlite:///") else ""
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
                # Statement and savepoint journals (every create of a group commit has both) in memory, not
                # in a new file under /var/tmp per transaction: a quarter of a lone create's time, and SD card wear.
                "temp_store": "memory",
            },
            check_same_thread=False,
        )
    elif parts.scheme in ("postgres", "postgresql"):
        try:
            import psycopg2  # noqa: F401  (imported for the clear error below)
        except ImportError as exc:
            raise StoreError("PostgreSQL needs the driver: pip install 'carttocart[postgres]'") from exc
        if getattr(peewee, "psycopg2", None) is None:  # appliance/store/driver.py loaded Peewee for SQLite alone
            raise StoreError(
                "this process loaded its store's driver for SQLite alone: open PostgreSQL in a new process"
            )
        # The query string's options (sslmode=...) go to the driver: keywords of its own, not peewee's.
        options: dict[str, Any] = dict(parse_qsl(parts.query))
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
        # Writers of this process queue on a lock: SQLite's own busy handler backs off
        # in sleeps of up to 100 ms, which would stall every request behind one commit.
        # Other processes (the CLI, a second service) still wait on busy_timeout.
        with _sqlite_writer, db.atomic(lock_type="IMMEDIATE"):
            yield
    else:
        with db.atomic():
            yield


def _adapt(sql: str) -> str:
    db = database.obj
    return sql if db.param == "?" else sql.replace("?", db.param)


def execute(sql: str, *params: object) -> Any:
    """Run hand-written SQL (``?`` placeholders on every database); returns the cursor.

    For the hottest paths (create, check, the token) where building a query
    with the ORM costs several times more than running it.
    """
    return database.obj.execute_sql(_adapt(sql), params)


def rows(model: type[peewee.Model], sql: str, *params: object) -> list[Any]:
    """Instances of ``model`` from a hand-written ``SELECT *`` (columns converted by their fields)."""
    return [instance for instance, _ in rows_with(model, 0, sql, *params)]


def rows_with(model: type[peewee.Model], extra: int, sql: str, *params: object) -> list[tuple[Any, tuple[Any, ...]]]:
    """As :func:`rows` for a ``SELECT x, y, table.*``: each instance with its ``extra`` leading columns, as read."""
    cursor = execute(sql, *params)
    fields, names = _row_fields(model, tuple(map(_column_name, cursor.description[extra:])))
    found = []
    for row in cursor.fetchall():
        # What ``model(**values)`` would make, without a descriptor call per column (the hot paths read
        # a row or two per request): foreign keys hold their id, the relations are loaded on use.
        instance: Any = model.__new__(model)
        instance.__data__ = {name: None if v is None else convert(v) for (name, convert), v in zip(fields, row[extra:])}
        instance._dirty = set(names)
        instance.__rel__ = {}
        found.append((instance, row[:extra]))
    return found


_column_name = operator.itemgetter(0)  # of a cursor.description entry
_RowFields = tuple[list[tuple[str, Callable[[Any], Any]]], frozenset[str]]
_ROW_FIELDS: dict[tuple[type[peewee.Model], tuple[str, ...]], _RowFields] = {}


def _row_fields(model: type[peewee.Model], columns: tuple[str, ...]) -> _RowFields:
    """(field name, column converter) for each column of a result, and the names: found once per model and
    column list (the columns as the database orders them: a table an upgrade added columns to differs)."""
    key = (model, columns)
    found = _ROW_FIELDS.get(key)
    if found is None:
        by_column = {f.column_name: f for f in model._meta.sorted_fields}
        fields = [(by_column[c].name, by_column[c].python_value) for c in columns]
        found = _ROW_FIELDS[key] = (fields, frozenset(name for name, _ in fields))
    return found


def first(model: type[peewee.Model], sql: str, *params: object) -> Any:
    found = rows(model, sql, *params)
    return found[0] if found else None


def insert(model: type[peewee.Model], values: Mapping[str, object]) -> int:
    """Insert one row by hand-written SQL; returns its id. Values go through the fields' ``db_value``."""
    fields = model._meta.fields
    key = (model, tuple(values))
    sql = _INSERTS.get(key)
    if sql is None:
        columns = [fields[name].column_name for name in values]
        sql = _INSERTS[key] = (
            f"INSERT INTO {model._meta.table_name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))}) RETURNING id"
        )
    return execute(sql, *[fields[name].db_value(value) for name, value in values.items()]).fetchone()[0]


_INSERTS: dict[tuple[type[peewee.Model], tuple[str, ...]], str] = {}  # the statement per model and field names


# SQLite's planner knows nothing of the data until ANALYZE has run, and a box never ran it: after a
# year its guesses walk 100,000 expired payments by their state where the amount index reads a
# handful (11 ms against 0.2 ms per deposit at 100,000 payments). A sampled ANALYZE (at most 1,000
# rows per index) takes a few milliseconds, so it runs with the retention job. PostgreSQL's
# autovacuum keeps its own statistics.
SQLITE_STATISTICS = ("PRAGMA analysis_limit=1000", "ANALYZE")


def refresh_statistics() -> None:
    """Give the query planner fresh statistics of the tables (SQLite; PostgreSQL does it by itself)."""
    if not is_sqlite():
        return
    with write():
        for sql in SQLITE_STATISTICS:
            execute(sql)


def ensure_connection() -> peewee.Database:
    """This thread's connection, opened once and kept (a WSGI worker or job thread lives long)."""
    db = database.obj
    if db is None:
        raise StoreError("the database is not open")
    db.connect(reuse_if_open=True)
    return db


class _Job:
    __slots__ = ("fn", "wake", "finished", "lead", "result", "error")

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn = fn
        self.wake = threading.Event()  # set when finished, or when made the leader
        self.finished = False
        self.lead = False
        self.result: Any = None
        self.error: BaseException | None = None


_batch_queue: collections.deque[_Job] = collections.deque()
_batch_guard = threading.Lock()
_batch_has_leader = False
MAX_BATCH = 64


def batched_write(fn: Callable[[], T]) -> T:
    """Run ``fn`` in a write transaction, sharing the commit with concurrent callers (group commit).

    On SQLite a durable commit costs an fsync, most of a payment's creation.
    Callers that arrive together queue; one of them leads: it runs the queued
    calls one after the other in one transaction, each in its own savepoint (a
    failure undoes only its own writes and is raised in its own thread), and
    commits them with one fsync. Nobody returns before the commit holding its
    writes is durable. When the leader's own call is done it hands the lead to
    the next caller in the queue, so no caller waits behind an endless stream.
    Elsewhere (PostgreSQL, or inside a transaction) it is a plain :func:`write`.
    """
    global _batch_has_leader
    db = database.obj
    if not isinstance(db, peewee.SqliteDatabase) or db.in_transaction():
        with write():
            return fn()
    job = _Job(fn)
    with _batch_guard:
        _batch_queue.append(job)
        if not _batch_has_leader:
            _batch_has_leader = job.lead = True
    if not job.lead:
        job.wake.wait()
    if not job.finished:  # we lead
        _gather()
        while True:
            _run_batch(db)
            with _batch_guard:
                if not _batch_queue:
                    _batch_has_leader = False
                    break
                if job.finished:
                    successor = _batch_queue[0]
                    successor.lead = True
                    successor.wake.set()
                    break
    if job.error is not None:
        raise job.error
    return job.result


#: How many times a new leader lets the other threads run before it starts its batch (see _gather).
GATHER_ROUNDS = 8


def _gather() -> None:
    """Let the callers that are on their way join the first batch, before it starts.

    Under load the first caller to arrive after a commit finds the queue empty and leads at once: a batch
    of one, and its fsync, while the others queue up behind it. Instead the new leader gives way to the
    other threads (``sleep(0)`` lets any thread ready to run take the interpreter) as long as that brings
    new callers into the queue. On a quiet box nobody is running and the first round changes nothing:
    the lone caller goes on at once.
    """
    queued = len(_batch_queue)
    for _ in range(GATHER_ROUNDS):
        time.sleep(0)
        now_queued = len(_batch_queue)
        if now_queued <= queued or now_queued >= MAX_BATCH:
            return
        queued = now_queued


def _run_batch(db: peewee.Database) -> None:
    with _batch_guard:
        jobs = [_batch_queue.popleft() for _ in range(min(MAX_BATCH, len(_batch_queue)))]
    aborted: Exception | None = None  # what ended the whole transaction, if anything did
    try:
        with _sqlite_writer, db.atomic(lock_type="IMMEDIATE"):
            for job in jobs:
                # A savepoint per caller (a failure undoes only its own writes), by hand: peewee's names
                # each with a fresh uuid, and a batch's savepoints never nest.
                db.execute_sql("SAVEPOINT batch_job")
                try:
                    job.result = job.fn()
                except Exception as exc:  # raised in its own caller's thread, after the commit
                    job.error = exc
                    if not db.connection().in_transaction:
                        # SQLite rolled the whole transaction back itself (a full disk, an I/O error):
                        # no savepoint is left, and nobody's writes in this batch are kept.
                        aborted = exc
                        raise
                    db.execute_sql("ROLLBACK TO SAVEPOINT batch_job")
                db.execute_sql("RELEASE SAVEPOINT batch_job")
    except Exception as exc:  # the batch or its commit failed: nobody's writes are durable
        for job in jobs:
            job.error = job.error or aborted or exc
    finally:
        for job in jobs:
            job.finished = True
            job.wake.set()


@contextlib.contextmanager
def connection() -> Iterator[peewee.Database]:
    """A connection for one unit of work (a request, a job), closed afterwards."""
    db = database.obj
    if db is None:
        raise StoreError("the database is not open")
    with db.connection_context():
        yield db
