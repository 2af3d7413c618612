"""How long reading one bank SMS takes (issue 4: "well under a millisecond").

Prints: loading the dialects, then per-message parse time over the labelled
fixtures (trusted, foreign-sender and harmlessly mutated copies), as mean,
median, 99th percentile and worst, in microseconds: wall time, then the
process's CPU time (on a shared machine the wall time also counts the moments
another process had the core), then each message's best CPU time over the
rounds (what it costs when nothing interrupts it: the figure to compare two
versions by on a busy machine).

    .venv/bin/python tests/bench/bench_bank_sms.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from appliance.sms import SmsReader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank_sms.jsonl"
SMSC_TIME = datetime(2026, 10, 12, 12, 0, tzinfo=ZoneInfo("Asia/Tehran"))


def timed(fn: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


def report(label: str, micros: list[float]) -> None:
    ordered = sorted(micros)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(
        f"{label:<38} n={len(micros):>6}  mean {statistics.fmean(micros):7.1f} us  "
        f"median {statistics.median(micros):7.1f} us  p99 {p99:7.1f} us  max {ordered[-1]:8.1f} us"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200, help="passes over the fixtures (default 200)")
    rounds = parser.parse_args().rounds

    report("load dialects (SmsReader())", timed(SmsReader, 20))
    reader = SmsReader(extra_senders={"keshavarzi": ["2000911"]})
    rows = [json.loads(line) for line in FIXTURES.read_text(encoding="utf-8").splitlines() if line.strip()]

    def sender(row: dict) -> str:
        if row["sender"]:
            return row["sender"]
        return "2000911" if row["bank"] == "keshavarzi" else reader.dialects[row["bank"]].senders[0]

    cases = {
        "parse, allow-listed sender": [(sender(r), r["text"]) for r in rows],
        "parse, foreign sender (all dialects)": [("+989351122334", r["text"]) for r in rows],
        "parse, CRLF + Persian digits + RLM": [
            (sender(r), "\u200f" + r["text"].replace("\n", "\r\n").translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")))
            for r in rows
        ],
    }
    for label, messages in cases.items():
        micros: list[float] = []
        cpu_micros: list[float] = []
        best = [float("inf")] * len(messages)
        for _ in range(rounds):
            for index, (who, text) in enumerate(messages):
                start, cpu_start = time.perf_counter(), time.process_time()
                reader.parse(who, text, SMSC_TIME)
                cpu = (time.process_time() - cpu_start) * 1e6
                micros.append((time.perf_counter() - start) * 1e6)
                cpu_micros.append(cpu)
                best[index] = min(best[index], cpu)
        report(label, micros)
        report("  the same, CPU time", cpu_micros)
        report("  each message's best CPU time", best)


if __name__ == "__main__":
    main()
