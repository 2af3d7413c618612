"""A busy shop's year in a box's SQLite database, in bulk (issue 14, item 3): not a benchmark itself.

    .venv/bin/python tests/bench/grow_data.py --config BOX/carttocart.toml [--payments 500000]

Fills the database a box's settings name (made by ``carttocart init``, one card
added) with ``--payments`` payments spread over the past year, as the product
writes them: each with its amount reservation (released; only the last day's
are still active, unique per amount as the index demands), its offered card,
and its events (created, then paid and verified, or expired); for each paid
one a matched deposit from one SMS (message and part); for each other one an
SMS that is no deposit (a withdrawal), so there are as many parts as payments. Rows go in with ``executemany`` in one
transaction (``synchronous=OFF`` for the load only: the box's own writes stay
durable). ``--payments 50000`` makes a quick tenth.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sqlite3
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

from appliance.store.database import SQLITE_STATISTICS

PRICES = [100_000 + 10_000 * k for k in range(97)]  # the prices the API benchmark uses too
OFFSET_STEP, MAX_OFFSET = 10, 9990
ACCOUNT = "6204718359"
SENDER = "+98300059"
SMSC = "+989350001000"


def stamp(value: dt.datetime) -> str:
    """As the store writes a UTC datetime: naive ISO text."""
    return value.replace(tzinfo=None).isoformat(" ")


def database_path(config: Path) -> Path:
    """The SQLite file the box's settings name (relative paths are the settings file's directory's)."""
    url = tomllib.loads(config.read_text())["database"]["url"]
    if not url.startswith("sqlite:///"):
        raise SystemExit(f"grow_data fills a SQLite box; {config} names {url}")
    path = Path(url[len("sqlite:///") :])
    return path if path.is_absolute() else config.parent / path


def grow(db_path: Path, payments: int, now: dt.datetime, seed: int = 14, days: int = 365) -> dict[str, int]:
    """``payments`` spread evenly over the ``days`` before ``now`` (a shorter span at the year's density:
    ``payments * days / 365``, as bench_year's box of the last days without the year behind them)."""
    rng = random.Random(seed)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA synchronous=OFF")
    card_id = db.execute("SELECT id FROM card ORDER BY id LIMIT 1").fetchone()
    if card_id is None:
        raise SystemExit("grow_data: add a card first (carttocart card add)")
    card_id = card_id[0]
    token = db.execute("SELECT id FROM api_token ORDER BY id LIMIT 1").fetchone()
    token_id = token[0] if token else None
    first_id = (db.execute("SELECT COALESCE(MAX(id), 0) FROM payment").fetchone()[0]) + 1
    first_fid = (db.execute("SELECT COALESCE(MAX(fid), 0) FROM payment").fetchone()[0]) + 1
    start = now - dt.timedelta(days=days)
    step = dt.timedelta(days=days) / payments
    day_ago = now - dt.timedelta(days=1, minutes=40)  # within the quarantine: reservations still active
    next_offset: dict[tuple[int, bool], int] = {}

    pay_rows, res_rows, card_rows, dep_rows, msg_rows, part_rows = [], [], [], [], [], []
    events: list[tuple] = []
    dep_id = (db.execute("SELECT COALESCE(MAX(id), 0) FROM deposit").fetchone()[0]) + 1
    msg_id = (db.execute("SELECT COALESCE(MAX(id), 0) FROM sms_message").fetchone()[0]) + 1
    balance = 10_000_000
    for n in range(payments):
        pid, fid = first_id + n, first_fid + n
        created = start + step * n
        expires = created + dt.timedelta(minutes=30)
        price = rng.choice(PRICES)
        recent = created >= day_ago
        # Old payments' amounts were freed long ago: any offset; the last day's are unique per amount.
        key = (price, recent)
        offset = next_offset.get(key, 0) + OFFSET_STEP
        next_offset[key] = offset if offset < MAX_OFFSET else 0
        amount = price + offset
        paid = rng.random() < 0.8
        paid_at = created + dt.timedelta(minutes=rng.uniform(1, 20)) if paid else None
        verified_at = paid_at + dt.timedelta(seconds=5) if paid_at else None
        state = "verified" if paid else ("expired" if expires <= now else "pending")
        pay_rows.append(
            (
                pid,
                fid,
                price,
                amount,
                state,
                None,
                None,
                None,
                None,
                token_id,
                stamp(created),
                stamp(expires),
                stamp(paid_at) if paid_at else None,
                stamp(verified_at) if verified_at else None,
                0,
            )
        )
        hold_until = expires + dt.timedelta(hours=24)
        active = not paid and hold_until > now
        released = None if active else stamp(paid_at if paid_at else hold_until)
        res_rows.append((pid, pid, 0, amount, amount if active else None, stamp(hold_until), released))
        card_rows.append((pid, card_id))
        data = json.dumps({"amount": amount, "cards": [card_id], "fid": fid}, sort_keys=True)
        events.append(
            (
                stamp(created),
                "payment",
                pid,
                "created",
                None,
                "pending",
                "api:bench",
                f"amount {amount} for price {price}",
                data,
            )
        )
        if paid_at:
            balance += amount
            scts = paid_at - dt.timedelta(seconds=3)
            text = f"حساب{ACCOUNT}\nواریز{amount:,}\nمانده{balance:,}\n{scts:%m/%d-%H:%M}"
            pdu = hashlib.sha256(f"{pid}:{text}".encode()).hexdigest() * 4
            dep_rows.append(
                (
                    dep_id,
                    "sms",
                    "matched",
                    amount,
                    "mellat",
                    ACCOUNT,
                    card_id,
                    None,
                    balance,
                    stamp(scts),
                    stamp(scts),
                    stamp(paid_at),
                    stamp(scts),
                    pid,
                    "exact amount, one pending payment",
                    None,
                    None,
                    f"sms:{pid}",
                    "modem:sim800",
                )
            )
            msg_rows.append(
                (
                    msg_id,
                    "modem",
                    "sim800",
                    SENDER,
                    SMSC,
                    stamp(scts),
                    stamp(paid_at),
                    text,
                    1,
                    1,
                    None,
                    "deposit",
                    "mellat",
                    ACCOUNT,
                    amount,
                    balance,
                    json.dumps({"amount": amount}),
                    "",
                    1,
                    "smsc known",
                    dep_id,
                    f"msg:{pid}",
                )
            )
            part_rows.append(
                (
                    "sim800",
                    "SM",
                    pid % 30,
                    pdu,
                    hashlib.sha256(pdu.encode()).hexdigest(),
                    SENDER,
                    SMSC,
                    stamp(scts),
                    stamp(paid_at),
                    text,
                    None,
                    None,
                    None,
                    None,
                    None,
                    msg_id,
                    "",
                )
            )
            events.append((stamp(paid_at), "sms", msg_id, "received", None, None, "modem:sim800", "", None))
            events.append((stamp(paid_at), "deposit", dep_id, "recorded", None, "matched", "sms", "", None))
            events.append((stamp(paid_at), "payment", pid, "paid", "pending", "paid", "matcher", "deposit", None))
            events.append(
                (
                    stamp(verified_at),
                    "payment",
                    pid,
                    "verified",
                    "paid",
                    "verified",
                    "api",
                    "first check after payment",
                    None,
                )
            )
            dep_id += 1
            msg_id += 1
        elif state == "expired":
            events.append(
                (
                    stamp(expires),
                    "payment",
                    pid,
                    "expired",
                    "pending",
                    "expired",
                    "scheduler",
                    "the deadline passed",
                    None,
                )
            )
        if not paid_at:  # a message that is no deposit: as many SMS parts as payments in all
            at = created + dt.timedelta(minutes=2)
            text = f"برداشت{rng.randrange(10_000, 900_000):,}\nمانده{balance:,}"
            pdu = hashlib.sha256(f"w{pid}:{text}".encode()).hexdigest() * 4
            msg_rows.append(
                (
                    msg_id,
                    "modem",
                    "sim800",
                    SENDER,
                    SMSC,
                    stamp(at),
                    stamp(at),
                    text,
                    1,
                    1,
                    None,
                    "withdrawal",
                    "mellat",
                    ACCOUNT,
                    None,
                    balance,
                    None,
                    "",
                    1,
                    "smsc known",
                    None,
                    f"msg:w{pid}",
                )
            )
            part_rows.append(
                (
                    "sim800",
                    "SM",
                    pid % 30,
                    pdu,
                    hashlib.sha256(pdu.encode()).hexdigest(),
                    SENDER,
                    SMSC,
                    stamp(at),
                    stamp(at),
                    text,
                    None,
                    None,
                    None,
                    None,
                    None,
                    msg_id,
                    "",
                )
            )
            events.append((stamp(at), "sms", msg_id, "received", None, None, "modem:sim800", "", None))
            msg_id += 1

    with db:
        db.executemany(
            "INSERT INTO payment (id, fid, price, amount, state, phone, payer_card, callback, card_id, token_id, "
            "created_at, expires_at, paid_at, verified_at, payer_card_mismatch) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            pay_rows,
        )
        db.executemany(
            "INSERT INTO amount_reservation (id, payment_id, scope, amount, active_amount, hold_until, released_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            res_rows,
        )
        db.executemany("INSERT INTO payment_card (payment_id, card_id) VALUES (?, ?)", card_rows)
        db.executemany(
            "INSERT INTO deposit (id, source, state, amount, bank, account, card_id, payer_card, balance, bank_time, "
            "smsc_time, received_at, transfer_at, payment_id, reason, hints, note, dedupe_key, created_by) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            dep_rows,
        )
        db.executemany(
            "INSERT INTO sms_message (id, source, origin, sender, smsc, scts, received_at, text, parts_expected, "
            "parts_present, flag, kind, bank, account, amount, balance, parsed, reason, trusted, trust_reason, "
            "deposit_id, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            msg_rows,
        )
        db.executemany(
            "INSERT INTO sms_part (modem, memory, storage_index, pdu_hex, pdu_hash, sender, smsc, scts, received_at, "
            "text, concat_ref, concat_total, concat_seq, concat_bits, error, message_id, box) VALUES "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            part_rows,
        )
        events.sort(key=lambda e: e[0])
        db.executemany(
            "INSERT INTO event (at, entity, entity_id, kind, from_state, to_state, actor, reason, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            events,
        )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for sql in SQLITE_STATISTICS:  # what the box's retention job does every 6 hours
        db.execute(sql)
    db.close()
    return {
        "payments": len(pay_rows),
        "deposits": len(dep_rows),
        "sms_messages": len(msg_rows),
        "sms_parts": len(part_rows),
        "events": len(events),
        "active_reservations": sum(1 for r in res_rows if r[4] is not None),
    }


def rows_of(counts: dict[str, int]) -> Iterator[str]:
    for name, count in counts.items():
        yield f"  {name:<20}{count:>12,}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, required=True, help="the box's carttocart.toml (carttocart init)")
    parser.add_argument("--payments", type=int, default=500_000, help="payments over the year (50000: a quick run)")
    args = parser.parse_args()
    db_path = database_path(args.config)
    t0 = time.perf_counter()
    counts = grow(db_path, args.payments, dt.datetime.now(dt.UTC))
    size = db_path.stat().st_size
    print(f"grew {db_path} in {time.perf_counter() - t0:.1f} s: {size / 1e6:.0f} MB")
    for line in rows_of(counts):
        print(line)


if __name__ == "__main__":
    main()
