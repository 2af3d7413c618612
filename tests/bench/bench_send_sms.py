"""Benchmark: an alert SMS through the receiver's thread (Receiver.run_on_modem -> AT+CMGS) on the simulator.

Prints (target, measured, ratio) for a one-part GSM-7 alert, a three-part Persian (UCS2) alert, and
a USSD balance query, as p50 and max over ``--runs`` sends. Asserts nothing.

    .venv/bin/python tests/bench/bench_send_sms.py [--runs 20] [--profile sim800]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from modem.gateway import ModemGateway
from modem.receiver import Receiver
from modem.simulator import Simulator

PERSIAN = "هشدار کارت‌به‌کارت: مودم ۱۵ دقیقه است پیامکی دریافت نکرده و ۳ پرداخت در انتظار است. " * 2
TARGET_MS = {"alert, 1 part GSM-7": 1000.0, "alert, 3 parts UCS2": 3000.0, "USSD balance": 5000.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", default="sim800")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, Simulator(Path(tmp) / "tty", args.profile) as sim:
        while not sim.status()["sms_ready"]:
            time.sleep(0.01)
        rx = Receiver(lambda: ModemGateway(str(sim.link), command_timeout=2.0), lambda part: True, sweep_seconds=30)
        rx.start()
        while rx.status["state"] != "connected" or rx.status["sweeps"] < 1:
            time.sleep(0.01)
        jobs = {
            "alert, 1 part GSM-7": lambda g: g.send_sms("+989121234567", "Alert: modem sim is down"),
            "alert, 3 parts UCS2": lambda g: g.send_sms("09121234567", PERSIAN),
            "USSD balance": lambda g: g.ussd("*140*11#"),
        }
        print(f"{'what':24s} {'target ms':>10s} {'p50 ms':>8s} {'max ms':>8s} {'ratio p50':>10s}")
        for name, job in jobs.items():
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                rx.run_on_modem(job)
                times.append((time.perf_counter() - started) * 1000)
            p50 = statistics.median(times)
            target = TARGET_MS[name]
            print(f"{name:24s} {target:10.0f} {p50:8.1f} {max(times):8.1f} {p50 / target:10.3f}")
        rx.stop()
        sent = sim.sent_messages()
        print(f"the simulator decoded {len(sent)} message(s), {sum(m['parts'] for m in sent)} part(s)")


if __name__ == "__main__":
    main()
