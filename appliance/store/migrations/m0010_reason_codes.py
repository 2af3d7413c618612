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


def _rewrite(db: peewee.Database, table: str, column: str) -> int:
    mark = db.param
    last, changed = 0, 0
    while True:
        rows = db.execute_sql(
            f'SELECT "id", "{column}" FROM "{table}" WHERE "id" > {mark} AND "{column}" IS NOT NULL '
            f'AND "{column}" <> {mark} AND "{column}" NOT LIKE {mark} ORDER BY "id" LIMIT {_BATCH}',
            (last, "", "@%"),
        ).fetchall()
        if not rows:
            return changed
        for row_id, text in rows:
            db.execute_sql(f'UPDATE "{table}" SET "{column}" = {mark} WHERE "id" = {mark}', (modernise(text), row_id))
            changed += 1
        last = rows[-1][0]


def _rewrite_parsed(db: peewee.Database) -> int:
    """The reader's result kept with each SMS (JSON text) holds its reason too."""
    mark = db.param
    last, changed = 0, 0
    while True:
        rows = db.execute_sql(
            f'SELECT "id", "parsed" FROM "sms_message" WHERE "id" > {mark} AND "parsed" IS NOT NULL '
            f'ORDER BY "id" LIMIT {_BATCH}',
            (last,),
        ).fetchall()
        if not rows:
            return changed
        for row_id, raw in rows:
            parsed = json.loads(raw) if isinstance(raw, str) and raw else None
            if not isinstance(parsed, dict):
                continue
            old = parsed.get("reason")
            if isinstance(old, str) and old and not old.startswith("@"):
                parsed["reason"] = modernise(old)
                db.execute_sql(
                    f'UPDATE "sms_message" SET "parsed" = {mark} WHERE "id" = {mark}',
                    (json.dumps(parsed, ensure_ascii=False, sort_keys=True, default=str), row_id),
                )
                changed += 1
        last = rows[-1][0]


def apply(db: peewee.Database) -> None:
    for table, column in COLUMNS:
        _rewrite(db, table, column)
    _rewrite_parsed(db)
