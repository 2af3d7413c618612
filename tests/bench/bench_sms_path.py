"""The SMS path end to end, with figures: a deposit SMS entering the modem -> committed -> its payment paid.

Runs the real service (``carttocart serve``) as a process on a fresh SQLite
box, reading a simulated SIM800 on a real pseudo-terminal (the simulator runs
in this process and plays the bank). Prints p50/p99 over ``--messages`` deposits
sent one at a time, the service's resident memory idle and during a burst,
and, in the same run, gammu-smsd with its default settings on the same kind
of simulated modem (the daemon people use today) for comparison.

    .venv/bin/python tests/bench/bench_sms_path.py [--messages 200] [--burst 60]

Targets (issue 3): p99 under 100 ms from modem to paid; RSS under 60 MB.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

import _budget  # noqa: E402  (same folder)
import _table  # noqa: E402  (same folder)
from bench_modem import _wait as wait  # noqa: E402  (same folder)
from bench_modem import bench_gammu_smsd  # noqa: E402  (same folder)

from appliance.runtime import build_service  # noqa: E402
from appliance.settings import load_settings  # noqa: E402
from appliance.usecases.checkout import CreateRequest  # noqa: E402
from appliance.usecases.demo_bank import mellat_deposit_sms  # noqa: E402
from modem.simulator import Simulator  # noqa: E402

CLI = [sys.executable, "-m", "appliance.cli"]
CARD, ACCOUNT = "6104337890123456", "6204718359"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    return f"n={len(ms):4d}  p50={statistics.median(ms):7.1f} ms  p99={p99:7.1f} ms  max={ms[-1]:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--burst", type=int, default=60)
    parser.add_argument("--gammu-messages", type=int, default=30, help="0: skip the comparison with gammu-smsd")
    parser.add_argument(
        "--pi-budget", action="store_true", help="confine the service to one core with a CPU quota (item 5)"
    )
    parser.add_argument("--quota", type=int, default=50, help="the CPU quota of --pi-budget, in percent of a core")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="c2c-smsbench-"))
    config = Path(
        subprocess.run(
            CLI + ["init", "--dir", str(work)], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    )
    link = work / "sim" / "ttyUSB0"
    link.parent.mkdir()
    with config.open("a") as f:
        f.write(f'\n[[modems]]\nname = "sim"\nport = "{link}"\nprofile = "sim800"\n')
    settings = load_settings(config, env={})
    service = build_service(settings)
    service.add_card(CARD, "bench", account=ACCOUNT)
    total = args.messages + args.burst
    payments = [
        service.create_payment(
            CreateRequest(price=1_000_000 + 10_000 * (i % 500), fid=i + 1, expire_minutes=600)
        ).payment
        for i in range(total)
    ]
    db = sqlite3.connect(work / "carttocart.db", isolation_level=None)
    balance = 50_000_000

    with Simulator(link, "sim800", noise_seconds=3600) as sim:
        server = subprocess.Popen(
            CLI + ["--config", str(config), "serve", "--listen", f"127.0.0.1:{free_port()}"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert wait(lambda: "AT+CMGL=4" in " ".join(sim.commands), 30), "the service never swept the modem"
            confined = ""
            if args.pi_budget:
                confined = _budget.confine(server.pid, args.quota, f"c2c-bench-sms-{os.getpid()}")
            time.sleep(1.0)
            idle = rss_mb(server.pid)
            committed, paid = [], []
            for payment in payments[: args.messages]:
                balance += payment.amount
                sms = mellat_deposit_sms(ACCOUNT, payment.amount, balance, service.clock())
                t0 = time.perf_counter()
                sim.deliver_sms(sms.sender, sms.text)
                wait(
                    lambda: db.execute(
                        "SELECT 1 FROM sms_part WHERE text LIKE ?", (f"%{payment.amount:,}%",)
                    ).fetchone(),
                    10,
                )
                committed.append(time.perf_counter() - t0)
                wait(
                    lambda: db.execute("SELECT state FROM payment WHERE id = ?", (payment.id,)).fetchone()[0] == "paid",
                    10,
                )
                paid.append(time.perf_counter() - t0)
            peak = [idle]
            sampling = threading.Event()

            def sample() -> None:
                while not sampling.is_set():
                    peak.append(rss_mb(server.pid))
                    time.sleep(0.05)

            sampler = threading.Thread(target=sample)
            sampler.start()
            burst = payments[args.messages :]
            t0 = time.perf_counter()
            for payment in burst:
                balance += payment.amount
                sms = mellat_deposit_sms(ACCOUNT, payment.amount, balance, service.clock())
                sim.deliver_sms(sms.sender, sms.text)
            ids = ",".join(str(p.id) for p in burst)
            wait(
                lambda: (
                    db.execute(f"SELECT COUNT(*) FROM payment WHERE id IN ({ids}) AND state = 'paid'").fetchone()[0]
                    == len(burst)
                ),
                120,
            )
            burst_seconds = time.perf_counter() - t0
            sampling.set()
            sampler.join()
        finally:
            server.terminate()
            server.wait(20)
            if args.pi_budget:
                _budget.release_cgroup(f"c2c-bench-sms-{os.getpid()}")

    print(
        f"SMS path, SIM800 simulator on a pty, service as a process, SQLite on disk, {args.messages} deposits "
        f"one at a time{', confined: ' + confined if confined else ''}"
    )
    ms = sorted(v * 1000 for v in paid)
    p99 = ms[min(len(ms) - 1, round(0.99 * (len(ms) - 1)))]
    label = " (one core, quota)" if args.pi_budget else ""
    _table.record(
        f"SMS path: modem -> paid p99{label}",
        "keep ~27 ms",
        p99,
        "ms",
        higher_is_better=False,
        target_value=27.0,
        note=f"p50 {statistics.median(ms):.1f} ms, n={len(ms)}; burst of {len(burst)} paid in {burst_seconds:.2f} s",
    )
    print(f"  modem -> part committed      {percentiles(committed)}")
    print(f"  modem -> payment paid        {percentiles(paid)}")
    print(f"  burst of {len(burst)} deposits: all paid in {burst_seconds:.2f} s")
    print(f"  service resident memory: idle {idle:.1f} MB, peak during the burst {max(peak):.1f} MB")
    if not args.gammu_messages:
        return
    with tempfile.TemporaryDirectory(prefix="c2c-gammu-") as tmp:
        print("For comparison, the same kind of modem read by gammu-smsd with its default settings:")
        bench_gammu_smsd(Path(tmp), "sim800", args.gammu_messages, 0.5)


if __name__ == "__main__":
    main()
