"""Resident memory of ``serve`` with 4 modems on the simulator (issue 14, item 5): prints, asserts nothing.

    .venv/bin/python tests/bench/bench_memory.py

Four simulated modems (SIM800, each on its own pseudo-terminal), the real
service as a process on SQLite; once every modem has been swept, the
process's resident memory (VmRSS) idle and after 2,000 API checks, against
the target of 60 MB. To see what costs memory, the resident size of a bare
Python, of Python after importing the service's modules, and the unique
memory of the service (USS, from /proc/PID/smaps_rollup: what it does not
share with other processes).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))

import _table  # noqa: E402
from bench_modem import _wait as wait  # noqa: E402  (same folder)

from modem.simulator import Simulator  # noqa: E402

CLI = [sys.executable, "-m", "appliance.cli"]
TARGET_MB = 60.0
MODEMS = 4


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_mb(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def uss_mb(pid: int) -> float:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return float("nan")
    fields = {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines()[1:] if line.endswith("kB")}
    return (fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024


def python_rss(code: str) -> float:
    probe = code + "\nimport pathlib\nfor l in pathlib.Path('/proc/self/status').read_text().splitlines():\n"
    probe += "    l.startswith('VmRSS:') and print(int(l.split()[1]) / 1024)\n"
    return float(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checks", type=int, default=2000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="c2c-membench-"))
    config = Path(
        subprocess.run(
            CLI + ["init", "--dir", str(work)], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    )
    base = CLI + ["--config", str(config)]
    links = [work / "sim" / f"ttyUSB{i}" for i in range(MODEMS)]
    links[0].parent.mkdir()
    with config.open("a") as f:
        for i, link in enumerate(links):
            f.write(f'\n[[modems]]\nname = "sim{i}"\nport = "{link}"\nprofile = "sim800"\n')
    subprocess.run(
        base + ["card", "add", "--number", "6037991234567893", "--holder", "bench"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    token = subprocess.run(
        base + ["token", "add", "bench"], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    sims = [Simulator(link, "sim800", noise_seconds=3600) for link in links]
    for sim in sims:
        sim.__enter__()
    port = free_port()
    server = subprocess.Popen(
        base + ["serve", "--listen", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for sim in sims:
            assert wait(lambda sim=sim: "AT+CMGL=4" in " ".join(sim.commands), 60), "a modem was never swept"
        time.sleep(2.0)  # the scheduler's first jobs
        idle, idle_uss = status_mb(server.pid), uss_mb(server.pid)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/check?pay_id=1", headers={"token": token})
        for _ in range(args.checks):
            try:
                urllib.request.urlopen(request, timeout=5).read()
            except OSError:
                pass  # 404 for pay_id 1 on an empty box: the request's cost is what counts here
        loaded, peak = status_mb(server.pid), status_mb(server.pid, "VmHWM")
        threads = len(list(Path(f"/proc/{server.pid}/task").iterdir()))
    finally:
        server.terminate()
        server.wait(20)
        for sim in sims:
            sim.__exit__(None, None, None)
    bare = python_rss("pass")
    imported = python_rss("import appliance.runtime, web.app, appliance.cli.serve_cmd")
    print(f"serve with {MODEMS} SIM800 modems on the simulator, SQLite, {threads} threads")
    print(f"  resident idle          {idle:6.1f} MB   (unique to the process: {idle_uss:.1f} MB)")
    print(f"  resident after {args.checks} checks {loaded:6.1f} MB   (peak {peak:.1f} MB)")
    print(f"  target                 {TARGET_MB:6.1f} MB   ratio {TARGET_MB / max(loaded, idle):.2f}")
    print(f"  of which: bare Python {bare:.1f} MB, after importing the service's modules {imported:.1f} MB")
    _table.record(
        f"serve RSS, {MODEMS} modems (sim)",
        f"<= {TARGET_MB:.0f} MB",
        max(loaded, idle),
        "MB",
        higher_is_better=False,
        target_value=TARGET_MB,
        note=f"idle {idle:.1f}, after checks {loaded:.1f}, imports alone {imported:.1f}",
    )


if __name__ == "__main__":
    main()
