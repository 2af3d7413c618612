"""What teaching the box costs: the per-SMS check for something taught, rebuilding the reader, learning.

Prints (target, measured, ratio) lines; asserts nothing. On a SQLite file in a
temporary folder:

- ``stamp``: the query every SMS makes to see whether the operator taught
  something since (target 0.5 ms: a tenth of a bank SMS's whole path);
- ``rebuild``: a reader with N learned templates (target 1 s on this machine);
- ``learn``: one "learn this format" with M stored unparsed messages read again
  (target 5 s for 1000: the write lock is held meanwhile).

    .venv/bin/python tests/bench/bench_teaching.py [--templates N] [--unparsed M] [--runs R]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from appliance.runtime import build_service  # noqa: E402
from appliance.settings import load_settings  # noqa: E402
from appliance.sms.learn import Confirmed, learned_template  # noqa: E402
from appliance.store.models import LearnedTemplate, SmsMessage  # noqa: E402
from appliance.usecases import taught  # noqa: E402
from appliance.usecases.sms_intake import RawPart, SmsIngest, build_reader  # noqa: E402
from appliance.usecases.teaching import Teaching  # noqa: E402


def new_format(amount: int, balance: int, ref: int, label: str = "بانک ملت") -> str:
    # «مبلغ» says no direction: the reader leaves the message unparsed until a format is learned.
    return f"{label}\nحساب 6204718359\nمبلغ: {amount:,} ریال\nکد پیگیری {ref}\nمانده: {balance:,}\nبا تشکر"


def line(what: str, target: float, samples: list[float], unit: str) -> None:
    mean = statistics.fmean(samples)
    spread = statistics.stdev(samples) if len(samples) > 1 else 0.0
    print(
        f"{what:<44} target {target:8.3f} {unit}  measured {mean:8.3f} ± {spread:.3f} {unit}  ratio {mean / target:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--templates", type=int, default=20)
    parser.add_argument("--unparsed", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "carttocart.toml"
        config.write_text(f'[database]\nurl = "sqlite:///{folder}/box.sqlite3"\n', encoding="utf-8")
        service = build_service(load_settings(config, env={}))
        service.add_card("6104337890123456", "x", account="6204718359")
        now = service.clock()
        for i in range(args.templates):
            text = new_format(1000 + i, 5000, 1, label=f"بانک ملت شعبه {'ا' * (i + 1)}")
            body = learned_template("mellat", text, Confirmed(1000 + i, "deposit", 5000), message_id=i, comment="")
            LearnedTemplate.create(bank="mellat", body=body, message_id=None, created_by="bench", created_at=now)

        stamps = []
        for _ in range(args.runs):
            start = time.perf_counter()
            for _ in range(1000):
                taught.stamp()
            stamps.append((time.perf_counter() - start) / 1000 * 1e3)
        line("stamp (per SMS)", 0.5, stamps, "ms")

        rebuilds = []
        for _ in range(args.runs):
            start = time.perf_counter()
            build_reader(service.settings)
            rebuilds.append(time.perf_counter() - start)
        line(f"rebuild the reader ({args.templates} learned templates)", 1.0, rebuilds, "s")

        ingest = SmsIngest(service, build_reader(service.settings), service.clock)
        learns, learn_cpu = [], []
        for run in range(args.runs):
            label = f"بانک ملت {'ب' * (run + 1)}"
            for i in range(args.unparsed):
                text = new_format(10_000 + i, 99_000_000 + i, i, label=label)
                pdu = hashlib.sha256(f"{run}|{i}".encode()).hexdigest()
                ingest.store_part(
                    RawPart(
                        modem="m",
                        pdu_hex=pdu,
                        received_at=now,
                        sender="Bank Mellat",
                        smsc="+98911",
                        scts=now,
                        text=text,
                    )
                )
            ingest.process_ready(now + dt.timedelta(hours=2))
            first = SmsMessage.select().where(SmsMessage.kind == "unparsed").order_by(SmsMessage.id).first().id
            start, cpu_start = time.perf_counter(), time.process_time()
            Teaching(ingest).learn(first, Confirmed(10_000, "deposit", 99_000_000, "6204718359"), "bench")
            learns.append(time.perf_counter() - start)
            learn_cpu.append(time.process_time() - cpu_start)
        line(f"learn, re-reading {args.unparsed} unparsed SMS", 5.0, learns, "s")
        line("  the same, CPU time (no waits for the disk or the core)", 5.0, learn_cpu, "s")


if __name__ == "__main__":
    main()
