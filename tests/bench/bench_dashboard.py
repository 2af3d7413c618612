"""How long the dashboard's pages take to answer on a box with a day behind it, and the CSV export.

Builds the tests' day box (tests/web/dash_box.py: payments in every state, deposit SMS, 24 h of modem
samples) on SQLite, serves it on loopback, logs in, and fetches each page N times in a row. Prints
(page, target, median, p90, max, ratio of the median to the target). The target, 0.25 s a page on this
machine, leaves room for a Pi several times slower. Asserts nothing.

    .venv/bin/python tests/bench/bench_dashboard.py [--runs N]
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

TARGET = 0.25
PAGES = (
    "/admin",
    "/admin/review",
    "/admin/sms",
    "/admin/payments",
    "/admin/export/deposits.csv?from=1405/09/01&to=1405/09/30",
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from appliance.runtime import open_store
    from appliance.usecases.service import PaymentService
    from tests.conftest import MELLAT_CARD, MELLI_CARD, FakeClock, make_settings, serving
    from tests.web.dash_box import PASSWORD, build_day
    from tests.web.test_dashboard import Client

    with tempfile.TemporaryDirectory() as work:
        settings = make_settings(f"sqlite:///{Path(work) / 'box.db'}")
        open_store(settings)
        clock = FakeClock()
        service = PaymentService(settings, clock=clock)
        service.add_card(MELLI_CARD, "شاهین محسنی", account="0217730417009")
        service.add_card(MELLAT_CARD, "شاهین محسنی", account="6204718359")
        box = build_day(service, clock)
        with serving(box.service) as http:
            client = Client(http.base)
            client.login(PASSWORD)
            print(f"{'page':60} {'target':>7} {'median':>7} {'p90':>7} {'max':>7} {'ratio':>6}")
            for page in PAGES:
                client.call(page)  # warm the templates
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    status, _ = client.call(page)
                    times.append(time.perf_counter() - start)
                    if status != 200:
                        print(f"{page}: HTTP {status}")
                times.sort()
                median = statistics.median(times)
                p90 = times[int(0.9 * (len(times) - 1))]
                print(f"{page:60} {TARGET:7.3f} {median:7.3f} {p90:7.3f} {times[-1]:7.3f} {median / TARGET:6.2f}")


if __name__ == "__main__":
    main()
