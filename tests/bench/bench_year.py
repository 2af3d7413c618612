"""Flat costs after a year (issue 14, item 3): prints figures, asserts nothing.

    .venv/bin/python tests/bench/bench_year.py [--payments 500000] [--year-box DIR]

Makes two boxes, one empty and one holding a busy shop's year (grow_data.py:
500,000 payments, as many SMS parts, a few million events), and a third with
only the year's last two days (the same density: today's traffic without the
history behind it, since the dashboard's first page sums today's rows, which
the empty box has none of at any hour), and measures on
each, in this process against its SQLite file (durable, as the box writes):
a create, a check, an SMS turned into a paid payment (parse, trust, match,
settle: what the receiver does after storing the part), the dashboard's pages
(overview, review queue, SMS inbox, payments list: served by the real app on
loopback, logged in) and the CLI's ``deposit list`` as a process; then the
ratio year/empty (target: each within 1.2x), the ratio year/last days (what the history alone adds)
and the database size per payment. ``--year-box`` reuses a box grown before (growing one takes a minute),
but each run leaves its 1,200 payments in that box's today, which the overview sums: compare runs on fresh boxes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import _table
import grow_data

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from appliance.runtime import open_store  # noqa: E402
from appliance.settings import load_settings  # noqa: E402
from appliance.store import database as store  # noqa: E402
from appliance.usecases.checkout import CreateRequest  # noqa: E402
from appliance.usecases.demo_bank import mellat_deposit_sms  # noqa: E402
from appliance.usecases.operator_login import Accounts  # noqa: E402
from appliance.usecases.service import PaymentService  # noqa: E402
from appliance.usecases.sms_intake import build_ingest  # noqa: E402

CLI = [sys.executable, "-m", "appliance.cli"]
ACCOUNT = grow_data.ACCOUNT
PASSWORD = "bench password of the year"
#: The dashboard's pages an operator opens most, by the figure's name.
PAGES = {
    "page_overview": "/admin",
    "page_review": "/admin/review",
    "page_sms": "/admin/sms",
    "page_payments": "/admin/payments",
}


#: the third box: the year's last days alone (today in Tehran at any hour, and the holds still in quarantine)
LAST_DAYS = 2


def make_box(work: Path) -> Path:
    config = Path(
        subprocess.run(
            CLI + ["init", "--dir", str(work)], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    )
    base = CLI + ["--config", str(config)]
    subprocess.run(
        base + ["card", "add", "--number", "6037991234567893", "--holder", "bench", "--account", ACCOUNT],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    subprocess.run(base + ["token", "add", "bench"], check=True, capture_output=True, cwd=ROOT)
    return config


def median_ms(fn: Callable[[int], object], count: int) -> float:
    times = []
    for i in range(count):
        t0 = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def measure(config: Path, label: str, rounds: int) -> dict[str, float]:
    settings = load_settings(config)
    db = open_store(settings)
    store.ensure_connection()
    service = PaymentService(settings)
    ingest = build_ingest(service)
    token = service.list_tokens()[0]
    base_fid = 10**12 + random.randrange(10**9)
    rng = random.Random(7)
    out: dict[str, float] = {}

    def create(i: int) -> object:
        return service.create_payment(CreateRequest(price=rng.choice(grow_data.PRICES), fid=base_fid + i), token)

    out["create"] = median_ms(create, rounds)
    top = store.execute("SELECT MAX(id) FROM payment").fetchone()[0]
    out["check"] = median_ms(lambda i: service.check(rng.randrange(max(1, top - 5000), top + 1)), rounds * 3)

    last = store.execute("SELECT balance FROM sms_message WHERE balance IS NOT NULL ORDER BY id DESC LIMIT 1")
    row = last.fetchone()
    balance = [int(row[0]) if row else 50_000_000]  # continuous with the box's last SMS: no balance break
    paid = [0]

    def sms_to_paid(i: int) -> None:
        payment = create(rounds + i).payment  # type: ignore[attr-defined]
        balance[0] += payment.amount
        now = dt.datetime.now(dt.UTC)
        sms = mellat_deposit_sms(ACCOUNT, payment.amount, balance[0], now)
        t0 = time.perf_counter()
        ingest.ingest_message(
            sender=sms.sender,
            text=sms.text,
            smsc=None,
            scts=now,
            received_at=now,
            source="modem",
            origin="bench",
            dedupe_key=f"bench:{label}:{base_fid}:{i}",
        )
        sms_times.append((time.perf_counter() - t0) * 1000)
        state = store.execute("SELECT state FROM payment WHERE id = ?", payment.id).fetchone()[0]
        paid[0] += state in ("paid", "verified")

    sms_times: list[float] = []
    for i in range(rounds):
        sms_to_paid(i)
    out["sms_to_paid"] = statistics.median(sms_times)
    out["sms_paid_share"] = paid[0] / rounds
    out.update(measure_pages(service, max(5, rounds // 20)))
    db.close()

    cli = CLI + ["--config", str(config), "deposit", "list"]
    walls = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True, cwd=ROOT)
        walls.append((time.perf_counter() - t0) * 1000)
    out["deposit_list"] = statistics.median(walls)
    return out


def measure_pages(service: PaymentService, count: int) -> dict[str, float]:
    """Median ms of each dashboard page, served by the box's app on loopback (waitress) to a logged-in operator."""
    from tests.conftest import serving
    from tests.web.test_dashboard import Client

    accounts = Accounts(service.clock)
    if not accounts.has_password():
        accounts.set_password(PASSWORD)
    out = {}
    with serving(service) as http:
        client = Client(http.base)
        if client.login(PASSWORD) != 303:
            raise RuntimeError("bench_year: the dashboard refused the login")
        for key, path in PAGES.items():
            client.call(path)  # the templates compile once

            def fetch(_: int, path: str = path) -> None:
                status, _body = client.call(path)
                if status != 200:
                    raise RuntimeError(f"bench_year: {path} answered {status}")

            out[key] = median_ms(fetch, count)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=200, help="creates, SMS and 3x checks measured per box")
    parser.add_argument(
        "--repeats", type=int, default=3, help="measure empty, year and the last days in turn, this many times"
    )
    parser.add_argument(
        "--year-box", type=Path, help="a box grown before (its carttocart.toml's directory); each run adds to its today"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="c2c-year-") as tmp:
        empty = make_box(Path(tmp) / "empty")
        now = dt.datetime.now(dt.UTC)
        if args.year_box:
            year = args.year_box / "carttocart.toml"
        else:
            year = make_box(Path(tmp) / "year")
            t0 = time.perf_counter()
            counts = grow_data.grow(grow_data.database_path(year), args.payments, now)
            print(f"grew a year of {counts['payments']:,} payments in {time.perf_counter() - t0:.0f} s: {counts}")
        year_db = grow_data.database_path(year)
        payments = store_count(year_db)
        days = make_box(Path(tmp) / "days")
        grow_data.grow(grow_data.database_path(days), round(payments * LAST_DAYS / 365), now, days=LAST_DAYS)
        year_size = year_db.stat().st_size
        size_per_payment = year_size / max(1, payments)
        runs: dict[str, list[dict[str, float]]] = {"empty": [], "year": [], "days": []}
        for repeat in range(args.repeats):
            runs["empty"].append(measure(empty, f"empty{repeat}", args.rounds))
            runs["year"].append(measure(year, f"year{repeat}", args.rounds))
            runs["days"].append(measure(days, f"days{repeat}", args.rounds))

    print(
        f"Flat costs after a year: {payments:,} payments in the big box, SQLite (WAL, synchronous=FULL), "
        f"medians of {args.rounds} per run, {args.repeats} runs alternating empty, year and the last days"
    )
    print(f"{'figure':<22}{'empty':>10}{'year':>10}{'year/empty (per run)':>36}{'last days':>11}{'year/last days':>30}")
    names = {
        "create": "create ms",
        "check": "check ms",
        "sms_to_paid": "SMS -> paid ms",
        "page_overview": "overview page ms",
        "page_review": "review page ms",
        "page_sms": "SMS inbox page ms",
        "page_payments": "payments page ms",
        "deposit_list": "deposit list ms (CLI)",
    }
    for key, name in names.items():
        e = statistics.median(r[key] for r in runs["empty"])
        y = statistics.median(r[key] for r in runs["year"])
        d = statistics.median(r[key] for r in runs["days"])
        ratios = [ry[key] / re[key] for re, ry in zip(runs["empty"], runs["year"], strict=True)]
        history = [ry[key] / rd[key] for rd, ry in zip(runs["days"], runs["year"], strict=True)]
        print(f"{name:<22}{e:>10.2f}{y:>10.2f}{_table.spread(ratios):>36}{d:>11.2f}{_table.spread(history):>30}")
        _table.record(
            f"after a year: {name.replace(' ms', '')} year/empty",
            "<= 1.2x",
            statistics.median(ratios),
            "x",
            higher_is_better=False,
            target_value=1.2,
            note=f"{e:.2f} -> {y:.2f} ms; {_table.spread(ratios)}",
        )
        _table.record(
            f"after a year: {name.replace(' ms', '')} year/last {LAST_DAYS} days",
            "(reported: history alone)",
            statistics.median(history),
            "x",
            higher_is_better=False,
            target_value=None,
            note=f"{d:.2f} -> {y:.2f} ms; {_table.spread(history)}",
        )
    figures = {"empty": runs["empty"][-1], "year": runs["year"][-1]}
    shares = figures["empty"]["sms_paid_share"], figures["year"]["sms_paid_share"]
    print(f"SMS that settled their payment: empty {shares[0]:.0%}, year {shares[1]:.0%}")
    print(f"database size per payment: {size_per_payment / 1024:.2f} KiB ({year_size / 1e6:.0f} MB)")
    _table.record(
        "database size per payment",
        "(reported)",
        size_per_payment / 1024,
        "KiB",
        higher_is_better=False,
        target_value=None,
        note="payment + reservation + SMS part + deposit + events",
    )


def store_count(db_path: Path) -> int:
    import sqlite3

    with sqlite3.connect(db_path) as db:
        return int(db.execute("SELECT COUNT(*) FROM payment").fetchone()[0])


if __name__ == "__main__":
    main()
