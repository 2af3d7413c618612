"""Benchmark: time from an SMS entering the modem simulator to the receiver's sink having it.

Prints p50/p99/max latency for the receiver (one message at a time, and a
paced stream), and for gammu-smsd with its default settings on the same
simulator for comparison (skipped when gammu-smsd is not installed).

    .venv/bin/python tests/bench/bench_modem.py [--messages 200] [--profile sim800] [--gammu-messages 40]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from modem.gateway import ModemGateway, StoredPart
from modem.receiver import Receiver
from modem.simulator import Simulator


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.001)
    return True


def _figures(name: str, latencies: list[float], lost: int) -> None:
    ms = sorted(x * 1000 for x in latencies)
    if not ms:
        print(f"{name:42s} no message arrived ({lost} sent)")
        return
    p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
    print(
        f"{name:42s} n={len(ms):4d}  p50={statistics.median(ms):8.1f} ms  p99={p99:8.1f} ms  "
        f"max={ms[-1]:8.1f} ms  not arrived={lost}"
    )


class _Sink:
    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.lock = threading.Lock()

    def __call__(self, part: StoredPart) -> None:
        with self.lock:
            self.arrived.setdefault(part.pdu_hex, time.perf_counter())


def bench_receiver(workdir: Path, profile: str, messages: int, pace: float | None) -> None:
    with Simulator(workdir / f"ttyRX{pace}", profile) as sim:
        _wait(lambda: sim.status()["sms_ready"], 10)
        sink = _Sink()
        rx = Receiver(lambda: ModemGateway(str(sim.link)), sink, sweep_seconds=30)
        rx.start()
        _wait(lambda: rx.status["sweeps"] >= 1, 20)
        sent: dict[str, float] = {}
        for i in range(messages):
            t0 = time.perf_counter()
            [pdu] = sim.deliver_sms("+98700717", f"bench {i}: deposit {i * 1000} rial")
            sent[pdu] = t0
            if pace is None:
                _wait(lambda pdu=pdu: pdu in sink.arrived, 30)
            else:
                time.sleep(pace)
        _wait(lambda: len(sink.arrived) >= len(sent), 60)
        rx.stop()
    latencies = [sink.arrived[p] - t for p, t in sent.items() if p in sink.arrived]
    label = "one at a time" if pace is None else f"every {pace * 1000:.0f} ms"
    _figures(f"receiver, {profile}, {label}", latencies, len(sent) - len(latencies))


def bench_gammu_smsd(workdir: Path, profile: str, messages: int, pace: float) -> None:
    if not shutil.which("gammu-smsd"):
        print("gammu-smsd not installed: skipped (scripts/install-system-deps)")
        return
    inbox = workdir / "inbox"
    inbox.mkdir()
    with Simulator(workdir / "ttyGAMMU", profile) as sim:
        _wait(lambda: sim.status()["sms_ready"], 10)
        config = workdir / "smsdrc"
        # Default settings, except what the files backend needs to run at all.
        config.write_text(
            f"[gammu]\nport = {sim.link}\nconnection = at115200\n\n"
            f"[smsd]\nservice = files\ninboxpath = {inbox}/\noutboxpath = {workdir}/\n"
            f"sentsmspath = {workdir}/\nerrorsmspath = {workdir}/\ninboxformat = unicode\n"
            f"logfile = {workdir / 'smsd.log'}\n"
        )
        smsd = subprocess.Popen(["gammu-smsd", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(lambda: "AT+CMGL" in " ".join(sim.commands), 60)
            sent: dict[str, float] = {}
            arrived: dict[str, float] = {}
            seen: set[Path] = set()

            def collect() -> None:
                for path in inbox.iterdir():
                    if path not in seen:
                        seen.add(path)
                        text = path.read_bytes().decode("utf-16", errors="replace").split("\x00", 1)[0]
                        arrived.setdefault(text, time.perf_counter())

            for i in range(messages):
                text = f"bench {i}: deposit {i * 1000} rial"
                sent[text] = time.perf_counter()
                sim.deliver_sms("+98700717", text)
                deadline = time.perf_counter() + pace
                while time.perf_counter() < deadline:
                    collect()
                    time.sleep(0.005)
            _wait(lambda: (collect(), len(arrived) >= len(sent))[1], 120)
        finally:
            smsd.terminate()
            smsd.wait(20)
    latencies = [arrived[t] - s for t, s in sent.items() if t in arrived]
    _figures(f"gammu-smsd defaults, {profile}, every {pace * 1000:.0f} ms", latencies, len(sent) - len(latencies))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--gammu-messages", type=int, default=40)
    parser.add_argument("--profile", default="sim800")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-modem-") as tmp:
        workdir = Path(tmp)
        bench_receiver(workdir, args.profile, args.messages, None)
        bench_receiver(workdir, args.profile, args.messages, 0.02)
        bench_gammu_smsd(workdir, args.profile, args.gammu_messages, 0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
