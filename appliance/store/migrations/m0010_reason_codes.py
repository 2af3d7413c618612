"""0010: stored reasons become codes with parameters (appliance.domain.reasons).

Before it the box stored English sentences in ``deposit.reason``,
``event.reason``, ``sms_message.reason``, ``trust_reason``, ``flag`` and the
``reason`` of ``sms_message.parsed``; the pages translated them through a
catalogue of patterns. This rewrites each sentence as the codes that
catalogue recognises (``reasons.modernise``); a part nothing recognises
becomes the ``text`` code holding the sentence, so nothing is lost.

Plain SELECT and UPDATE by id with the dialect's placeholder: the same on
SQLite and PostgreSQL. Re-runnable: a value already in the coded form
(it starts with "@") is left as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import peewee

from appliance.domain.reasons import modernise

# (table, column): the columns that hold a reason.
COLUMNS = (
    ("deposit", "reason"),
    ("event", "reason"),
    ("sms_message", "reason"),
    ("sms_message", "trust_reason"),
    ("sms_message", "flag"),
)
_BATCH = 500


def _rows(db: peewee.Database, table: str, column: str, where: str, *params: object) -> Iterator[tuple[int, Any]]:
    """(id, value) of ``table``'s rows that match ``where``, in id order, a batch at a time."""
    mark, last = db.param, 0
    while True:
        rows = db.execute_sql(
            f'SELECT "id", "{column}" FROM "{table}" WHERE "id" > {mark} AND "{column}" IS NOT NULL {where} '
            f'ORDER BY "id" LIMIT {_BATCH}',
            (last, *params),
        ).fetchall()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _set(db: peewee.Database, table: str, column: str, row_id: int, value: str) -> None:
    db.execute_sql(f'UPDATE "{table}" SET "{column}" = {db.param} WHERE "id" = {db.param}', (value, row_id))


def _rewrite(db: peewee.Database, table: str, column: str) -> None:
    where = f'AND "{column}" <> {db.param} AND "{column}" NOT LIKE {db.param}'
    for row_id, text in _rows(db, table, column, where, "", "@%"):
        _set(db, table, column, row_id, modernise(text))


def _rewrite_parsed(db: peewee.Database) -> None:
    """The reader's result kept with each SMS (JSON text) holds its reason too."""
    for row_id, raw in _rows(db, "sms_message", "parsed", ""):
        parsed = json.loads(raw) if isinstance(raw, str) and raw else None
        old = parsed.get("reason") if isinstance(parsed, dict) else None
        if isinstance(parsed, dict) and isinstance(old, str) and old and not old.startswith("@"):
            parsed["reason"] = modernise(old)
            _set(
                db, "sms_message", "parsed", row_id, json.dumps(parsed, ensure_ascii=False, sort_keys=True, default=str)
            )


def apply(db: peewee.Database) -> None:
    for table, column in COLUMNS:
        _rewrite(db, table, column)
    _rewrite_parsed(db)
