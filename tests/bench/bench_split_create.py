"""What splitting costs: ``create`` of one transfer against ``create`` of a 3-part split payment, and a
deposit settling one part, on a fresh SQLite box (the service in this process, no HTTP).

    .venv/bin/python tests/bench/bench_split_create.py [--payments 300] [--runs 3]

Prints p50/p99 per run as (target, measured, ratio). Target (issue 13): a split create within 3x a single
create (it reserves three amounts), a part's settlement within the single payment's settlement time x 1.5.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from appliance.runtime import open_store  # noqa: E402
from appliance.settings import settings_from_mapping  # noqa: E402
from appliance.usecases.checkout import CreateRequest  # noqa: E402
from appliance.usecases.service import NewDeposit, PaymentService  # noqa: E402


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run_once(count: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as folder:
        settings = settings_from_mapping(
            {
                "database": {"url": f"sqlite:///{Path(folder) / 'bench.db'}"},
                "security": {"secret_key": "bench-secret-key-that-is-long-enough-0123456789"},
                "payments": {"max_transfer_rial": 100_000_000},
            }
        )
        db = open_store(settings)
        service = PaymentService(settings)
        service.add_card("6037991234567893", "x")
        service.add_card("6104337890123456", "y")
        times: dict[str, list[float]] = {"single create": [], "split create": [], "single pay": [], "part pay": []}
        singles, splits = [], []
        for i in range(count):
            started = time.perf_counter()
            singles.append(service.create_payment(CreateRequest(price=1_200_000 + 10_000 * (i % 50), fid=i + 1)))
            times["single create"].append(time.perf_counter() - started)
            started = time.perf_counter()
            splits.append(service.create_payment(CreateRequest(price=250_000_000, fid=100_000 + i)))
            times["split create"].append(time.perf_counter() - started)
        for created in singles:
            started = time.perf_counter()
            service.record_deposit(NewDeposit(amount=created.payment.amount, source="manual", created_by="b"))
            times["single pay"].append(time.perf_counter() - started)
        for created in splits:
            part = service.payment_parts(created.payment)[0]
            started = time.perf_counter()
            service.record_deposit(NewDeposit(amount=part.amount, source="manual", created_by="b"))
            times["part pay"].append(time.perf_counter() - started)
        db.close()
        return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payments", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    p50s: dict[str, list[float]] = {}
    for run in range(1, args.runs + 1):
        times = run_once(args.payments)
        line = ", ".join(f"{k} p50 {_p(v, 0.5):.2f} ms p99 {_p(v, 0.99):.2f} ms" for k, v in times.items())
        print(f"run {run}: {line}")
        for key, values in times.items():
            p50s.setdefault(key, []).append(_p(values, 0.5))
    for measured, base, factor in (("split create", "single create", 3.0), ("part pay", "single pay", 1.5)):
        target = statistics.median(p50s[base]) * factor
        got = statistics.median(p50s[measured])
        spread = f"{min(p50s[measured]):.2f}-{max(p50s[measured]):.2f}"
        print(
            f"{measured} p50 (target, measured, ratio): ({target:.2f} ms, {got:.2f} ms [runs {spread}], "
            f"{got / target:.2f})"
        )


if __name__ == "__main__":
    main()
