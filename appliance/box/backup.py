"""Backing up and restoring the box's SQLite database while the service runs.

A backup uses SQLite's online backup API: it copies a consistent snapshot
page by page while the service goes on writing (WAL mode), so there is no need
to stop anything. A restore first checks the file (a SQLite database that
passes ``integrity_check``, with a CartToCart schema this software knows),
keeps the current database beside it (``<db>.before-restore-<time>``), then
copies the backup in through the same API and migrates it, so a backup made by
an older release comes back upgraded. PostgreSQL has its own tools (pg_dump /
pg_restore); the box says how instead of doing it badly.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from appliance.domain.errors import BackupError
from appliance.settings import Settings
from appliance.store.migrations import latest

log = logging.getLogger(__name__)

_PAGES_PER_STEP = 256  # the service's writers get the lock between steps


@dataclass(frozen=True)
class Snapshot:
    """What a database file holds, as the operator wants to see it after a backup or a restore."""

    path: Path
    schema_version: int
    payments: int
    deposits: int
    bytes: int
    link_key: str | None = None  # the payment-link key kept in it (see PaymentService.secret)


def sqlite_file(settings: Settings) -> Path:
    """The box's SQLite file; :class:`BackupError` with the PostgreSQL way when it is not SQLite."""
    url = settings.database_url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(unquote(url[len("sqlite:///") :]))
    if url.startswith("postgres"):
        raise BackupError(
            "the database is PostgreSQL: back it up with pg_dump, which works while the boxes run "
            "(pg_dump --format=custom --file FILE 'URL'), and restore with pg_restore "
            "(pg_restore --clean --if-exists --dbname 'URL' FILE) while every box is stopped"
        )
    raise BackupError(f"cannot back up the database {url!r}: only a SQLite file or PostgreSQL")


def describe(path: Path) -> Snapshot:
    """Check that ``path`` is a sound CartToCart database and say what it holds."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            check = db.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"{path}: the database is damaged ({check})")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            payments = db.execute("SELECT COUNT(*) FROM payment").fetchone()[0]
            key = db.execute("SELECT value FROM meta WHERE key = 'secret_key'").fetchone()
            deposits = db.execute("SELECT COUNT(*) FROM deposit").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a CartToCart database ({exc})") from None
    if row is None:
        raise BackupError(f"{path}: not a CartToCart database (no schema version)")
    return Snapshot(path, int(row[0]), payments, deposits, path.stat().st_size, key[0] if key else None)


def adopt_link_key(settings: Settings, snapshot: Snapshot) -> bool:
    """After a restore: when this box's settings file names another link key than the restored database,
    empty it there, so that the box signs with the database's key and links made before still open.
    True when the file was changed. A key from CARTTOCART_SECRET_KEY is the operator's to change."""
    configured = settings.security.secret_key
    if not configured or snapshot.link_key in (None, configured) or not settings.source:
        return False
    path = Path(settings.source)
    text = path.read_text(encoding="utf-8")
    changed, count = re.subn(r'(?m)^secret_key = "' + re.escape(configured) + '"$', 'secret_key = ""', text)
    if not count:
        return False
    path.write_text(changed, encoding="utf-8")
    log.info("%s: secret_key emptied: the restored database's payment-link key is used", path)
    return True


def _copy(source: Path, target: Path) -> None:
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(target, timeout=30) as dst:
        src.backup(dst, pages=_PAGES_PER_STEP)
    # A plain file for whoever copies it on: not in WAL mode, nothing beside it.
    with sqlite3.connect(target) as dst:
        dst.execute("PRAGMA journal_mode=DELETE")


def backup(settings: Settings, target: Path) -> Snapshot:
    """Write a consistent copy of the running box's database to ``target`` (never over an existing file)."""
    source = sqlite_file(settings)
    if not source.is_file():
        raise BackupError(f"{source}: the box has no database yet (carttocart init makes one)")
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file (a backup never overwrites)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        _copy(source, partial)
        describe(partial)  # the copy is sound before it takes the name
        partial.rename(target)
    finally:
        partial.unlink(missing_ok=True)
    log.info("backed up %s to %s", source, target)
    return describe(target)


def restore(settings: Settings, source: Path, now: dt.datetime) -> tuple[Snapshot, Path | None]:
    """Replace the box's database with the backup ``source``; returns what it holds and where the old one went.

    Stop the service first: a running service keeps its own view of the data.
    """
    incoming = describe(source)
    if incoming.schema_version > latest():
        raise BackupError(
            f"{source} is at schema version {incoming.schema_version}, newer than this CartToCart knows "
            f"({latest()}): restore it with the software that made it"
        )
    target = sqlite_file(settings)
    kept: Path | None = None
    if target.is_file():
        kept = target.with_name(f"{target.name}.before-restore-{now:%Y%m%dT%H%M%S}")
        _copy(target, kept)
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(target, timeout=30) as dst:
        src.backup(dst, pages=_PAGES_PER_STEP)
    log.info("restored %s from %s (the previous database is kept as %s)", target, source, kept)
    return incoming, kept
