"""Merchant API load benchmark: prints figures, asserts nothing (run: .venv/bin/python tests/bench/bench_api.py).

Starts the real server (``carttocart serve``, waitress) on a fresh SQLite box,
and, on the same WSGI server with the same threads, a bare Bottle endpoint
returning constant JSON: the stack's ceiling on this machine. Then drives
each with 32 concurrent keep-alive clients over loopback (wrk, from Debian's
``wrk`` package) and prints requests/s, p50 and p99, and the ratios.
Counts duplicate amounts among every payment a run created, and fails (exit
status 1) when any create was not answered 2xx (wrk's non-2xx and socket
errors) or a fid repeats. ``--runs`` repeats on fresh boxes and prints the
spread; ``--pi-budget`` confines both servers to one core with a CPU quota.

Targets (issue 2): check >= 60% of the ceiling, create >= 30% on SQLite,
no duplicate amount among 10,000+ creates.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path
from typing import Any

import _budget
import _table

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "appliance.cli"]

CEILING_APP = textwrap.dedent("""
    import logging, sys, bottle, waitress
    from web.server import tune_interpreter
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # as the box's server (web.server)
    tune_interpreter()  # the same interpreter setting as the box's server: the ceiling of the same stack
    app = bottle.Bottle()
    @app.get("/api/ceiling")
    def ceiling():
        bottle.response.content_type = "application/json"
        return '{"status":true,"code":200,"msg":"Payment is complete."}'
    waitress.serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=int(sys.argv[2]), _quiet=True)
""")

CREATE_LUA = textwrap.dedent("""
    local counter = 0
    local thread_id = 0
    local threads = {}
    function setup(thread)
      thread:set("tid", #threads)
      table.insert(threads, thread)
    end
    function request()
      counter = counter + 1
      local fid = RUN * 100000000 + tid * 10000000 + counter
      local price = 100000 + (fid % 97) * 10000
      local body = "price=" .. price .. "&fid=" .. fid
      return wrk.format("POST", "/api/create", {["token"] = TOKEN,
        ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
    end
""")

CHECK_LUA = textwrap.dedent("""
    function request()
      return wrk.format("GET", "/api/check?pay_id=" .. math.random(1, MAXID), {["token"] = TOKEN})
    end
""")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def wrk(url: str, seconds: int, connections: int, script: str | None = None, env: dict | None = None) -> dict:
    cmd = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "requests": total,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
    }


def run_once(args: argparse.Namespace, run: int) -> dict[str, Any]:
    """One run: a fresh box, its server and the bare app side by side, each driven in turn."""
    work = Path(tempfile.mkdtemp(prefix="c2c-bench-"))
    config = Path(
        subprocess.run(
            CLI + ["init", "--dir", str(work)], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    )
    text = config.read_text().replace("threads = 8", f"threads = {args.threads}")
    config.write_text(text)
    base = CLI + ["--config", str(config)]
    subprocess.run(
        base + ["card", "add", "--number", "6037991234567893", "--holder", "bench"],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    token = subprocess.run(
        base + ["token", "add", "bench"], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    port, ceiling_port = free_port(), free_port()
    server = subprocess.Popen(
        base + ["serve", "--listen", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ceiling = subprocess.Popen([sys.executable, "-c", CEILING_APP, str(ceiling_port), str(args.threads)], cwd=ROOT)
    results: dict[str, Any] = {}
    try:
        wait_http(f"http://127.0.0.1:{port}/api/health")
        wait_http(f"http://127.0.0.1:{ceiling_port}/api/ceiling")
        if args.pi_budget:
            results["confined"] = _budget.confine(server.pid, args.quota, f"c2c-bench-api-{os.getpid()}-s")
            _budget.confine(ceiling.pid, args.quota, f"c2c-bench-api-{os.getpid()}-c")
        scripts = work / "scripts"
        scripts.mkdir()
        # The machine may be shared: the three endpoints take turns in short slices, so that each ratio
        # compares figures measured under the same load.
        slices: dict[str, list[dict[str, Any]]] = {"ceiling": [], "create": [], "check": []}
        seconds = max(1, args.seconds // args.slices)
        db = sqlite3.connect(work / "carttocart.db")
        for turn in range(args.slices):
            # fids stay distinct across runs and turns (wrk's counter starts again each time)
            (scripts / "create.lua").write_text(
                CREATE_LUA.replace("TOKEN", json.dumps(token)).replace("RUN", str(run * 100 + turn))
            )
            slices["ceiling"].append(wrk(f"http://127.0.0.1:{ceiling_port}/api/ceiling", seconds, args.connections))
            slices["create"].append(
                wrk(f"http://127.0.0.1:{port}", seconds, args.connections, str(scripts / "create.lua"))
            )
            created = db.execute("SELECT COUNT(*) FROM payment").fetchone()[0]
            (scripts / "check.lua").write_text(
                CHECK_LUA.replace("TOKEN", json.dumps(token)).replace("MAXID", str(max(created, 1)))
            )
            slices["check"].append(
                wrk(f"http://127.0.0.1:{port}", seconds, args.connections, str(scripts / "check.lua"))
            )
        for name, parts in slices.items():
            results[name] = {
                "rps": statistics.mean(p["rps"] for p in parts),
                "p50_ms": statistics.median(p["p50_ms"] for p in parts),
                "p99_ms": max(p["p99_ms"] for p in parts),
                "requests": sum(p["requests"] for p in parts),
                "non_2xx": sum(p["non_2xx"] for p in parts),
                "socket_errors": sum(p["socket_errors"] for p in parts),
            }
        created, fids = db.execute("SELECT COUNT(*), COUNT(DISTINCT fid) FROM payment").fetchone()
        results["duplicates"] = db.execute(
            "SELECT COUNT(*) FROM (SELECT amount FROM amount_reservation "
            "WHERE active_amount IS NOT NULL GROUP BY scope, amount HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        results["created"], results["fids"] = created, fids
        db.close()
    finally:
        server.terminate()
        ceiling.terminate()
        server.wait(10)
        ceiling.wait(10)
        if args.pi_budget:
            _budget.release_cgroup(f"c2c-bench-api-{os.getpid()}-s")
            _budget.release_cgroup(f"c2c-bench-api-{os.getpid()}-c")
        shutil.rmtree(work, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads (both servers)")
    parser.add_argument("--slices", type=int, default=3, help="turns each endpoint takes within a run")
    parser.add_argument("--runs", type=int, default=3, help="runs, each on a fresh box (the spread is printed)")
    parser.add_argument(
        "--pi-budget", action="store_true", help="confine both servers to one core with a CPU quota (item 5)"
    )
    parser.add_argument("--quota", type=int, default=50, help="the CPU quota of --pi-budget, in percent of a core")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench_api needs wrk: apt-get install wrk")

    runs = [run_once(args, run) for run in range(1, args.runs + 1)]
    budget = f", confined: {runs[0].get('confined')}" if args.pi_budget else ""
    print(
        f"API load, {args.connections} concurrent keep-alive clients over loopback, "
        f"{args.seconds} s per endpoint in {args.slices} turns, "
        f"waitress with {args.threads} threads, SQLite (WAL, synchronous=FULL), {os.cpu_count()} cores{budget}"
    )
    print(
        f"{'run':<5}{'endpoint':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'of ceiling':>12}"
        f"{'non-2xx':>9}{'sock err':>9}"
    )
    failed_creates = 0
    for number, results in enumerate(runs, 1):
        for name in ("ceiling", "check", "create"):
            r = results[name]
            ratio = r["rps"] / results["ceiling"]["rps"]
            print(
                f"{number:<5}{name:<10}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}"
                f"{ratio:>11.0%}{r['non_2xx']:>9}{r['socket_errors']:>9}"
            )
        failed_creates += results["create"]["non_2xx"] + results["create"]["socket_errors"]
        failed_creates += results["created"] - results["fids"]
        print(
            f"     payments created: {results['created']} (distinct fids: {results['fids']}); "
            f"duplicate active amounts: {results['duplicates']}"
        )
    check = [r["check"]["rps"] / r["ceiling"]["rps"] for r in runs]
    create = [r["create"]["rps"] / r["ceiling"]["rps"] for r in runs]
    label = " (one core, quota)" if args.pi_budget else ""
    print(f"check of ceiling {_table.spread(check)}; create of ceiling {_table.spread(create)}")
    if args.pi_budget:
        note = f"{runs[0].get('confined')}; " + _table.spread(check)
        _table.record(
            f"API check / bare{label}",
            "(beside)",
            statistics.median(check),
            higher_is_better=True,
            target_value=0.6,
            note=note,
        )
        _table.record(
            f"API create / bare{label}",
            "(beside)",
            statistics.median(create),
            higher_is_better=True,
            target_value=0.3,
            note=_table.spread(create),
        )
    else:
        _table.record(
            "API check / bare",
            ">= 0.6",
            statistics.median(check),
            higher_is_better=True,
            target_value=0.6,
            note=_table.spread(check),
        )
        _table.record(
            "API create / bare (durable)",
            ">= 0.3",
            statistics.median(create),
            higher_is_better=True,
            target_value=0.3,
            note=_table.spread(create),
        )
    _table.record(
        f"API creates failed{label}",
        "0",
        failed_creates,
        higher_is_better=False,
        target_value=0,
        note="non-2xx + socket errors + repeated fids, all runs",
    )
    if failed_creates:
        sys.exit(f"bench_api: {failed_creates} create(s) failed: every create of the benchmark must succeed")


if __name__ == "__main__":
    main()
