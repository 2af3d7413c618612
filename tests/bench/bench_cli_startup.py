"""How fast the ``carttocart`` command starts, and how fast ``serve`` is ready (issue 14, item 1).

Runs each command as a real process 10 times (the installed entry point, as an
operator types it) on a fresh SQLite box with a card and a payment, and prints
the wall time: median, min and max, against the target (0.15 s per command;
1 s until ``serve --simulate`` answers with its modem connected). A Pi is
several times slower than this machine: the point is to load only what the
chosen command needs.

    .venv/bin/python tests/bench/bench_cli_startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import _table

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COMMAND_TARGET = 0.15
SERVE_TARGET = 1.0
MELLAT_SMS = "حساب6204718359\nواریز120,010\nمانده49,033,412\n05/09/10-10:15"


def carttocart() -> list[str]:
    installed = BIN / "carttocart"
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "appliance.cli"]


def make_box(work: Path) -> tuple[Path, str]:
    cli = carttocart()
    config = Path(
        subprocess.run(cli + ["init", "--dir", str(work)], check=True, capture_output=True, text=True).stdout.strip()
    )
    base = cli + ["--config", str(config)]
    subprocess.run(
        base + ["card", "add", "--number", "6104337890123456", "--holder", "x", "--account", "6204718359"],
        check=True,
        capture_output=True,
    )
    token = subprocess.run(base + ["token", "add", "bench"], check=True, capture_output=True, text=True).stdout.strip()
    subprocess.run(base + ["deposit", "add", "--amount", "120010"], check=True, capture_output=True)
    subprocess.run(base + ["payment", "list"], check=True, capture_output=True)
    return config, token


def wall(argv: list[str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return samples


def row(label: str, samples: list[float], target: float) -> None:
    median = statistics.median(samples)
    _table.record(
        label,
        f"<= {target:.2f} s",
        median,
        "s",
        higher_is_better=False,
        target_value=target,
        note=f"median of {len(samples)}, {min(samples):.3f}-{max(samples):.3f}",
    )
    print(
        f"{label:<34} target {target:5.2f} s   median {median:6.3f} s   min {min(samples):6.3f}   "
        f"max {max(samples):6.3f}   ratio {median / target:5.2f}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_ready(config: Path, token: str) -> float:
    """Seconds from starting ``serve --simulate`` until health answers with the simulator's modem connected."""
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        carttocart() + ["--config", str(config), "serve", "--simulate", "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = start + 30
        while time.perf_counter() < deadline:
            try:
                req = urllib.request.Request(f"http://127.0.0.1:{port}/api/health", headers={"token": token})
                with urllib.request.urlopen(req, timeout=1) as resp:
                    modems = json.loads(resp.read()).get("modems") or []
                if modems and modems[0].get("state") == "connected":
                    ready = time.perf_counter() - start
                    create = urllib.request.Request(
                        f"http://127.0.0.1:{port}/api/create",
                        method="POST",
                        data=f"price=120000&fid={port}".encode(),
                        headers={"token": token},
                    )
                    urllib.request.urlopen(create, timeout=5).close()  # a payment for `payment show 1`
                    return ready
            except OSError:
                pass
            time.sleep(0.01)
        raise RuntimeError("serve did not become ready in 30 s")
    finally:
        proc.terminate()
        proc.wait(20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    # An installed box has its bytecode compiled at install time (pip does it); so must this checkout,
    # even where PYTHONDONTWRITEBYTECODE keeps Python from caching it on its own.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "appliance", "web", "modem"], check=True, cwd=ROOT)
    work = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    try:
        config, token = make_box(work / "box")
        base = carttocart() + ["--config", str(config)]
        ready = [serve_ready(config, token) for _ in range(max(3, runs // 3))]  # each also creates a payment
        print(
            f"{'python -c pass (the floor)':<34} {'':13}   median "
            f"{statistics.median(wall([sys.executable, '-c', 'pass'], runs)):6.3f} s"
        )
        row("carttocart --help", wall(carttocart() + ["--help"], runs), COMMAND_TARGET)
        row("carttocart card list", wall(base + ["card", "list"], runs), COMMAND_TARGET)
        row("carttocart payment list", wall(base + ["payment", "list"], runs), COMMAND_TARGET)
        row("carttocart payment show 1", wall(base + ["payment", "show", "1"], runs), COMMAND_TARGET)
        row("carttocart deposit list", wall(base + ["deposit", "list"], runs), COMMAND_TARGET)
        row(
            "carttocart sms parse",
            wall(base + ["sms", "parse", "--sender", "Bank Mellat", MELLAT_SMS], runs),
            COMMAND_TARGET,
        )
        row("serve --simulate: ready", ready, SERVE_TARGET)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
