"""Merchant API load benchmark: prints figures, asserts nothing (run: .venv/bin/python tests/bench/bench_api.py).

Starts the real server (``carttocart serve``, waitress) on a fresh SQLite box,
and, on the same WSGI server with the same threads, a bare Bottle endpoint
returning constant JSON: the stack's ceiling on this machine. Then drives
each with 32 concurrent keep-alive clients over loopback (wrk, from Debian's
``wrk`` package) and prints requests/s, p50 and p99, and the ratios.
Finally counts duplicate amounts among every payment the run created.

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
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "appliance.cli"]

CEILING_APP = textwrap.dedent("""
    import sys, bottle, waitress
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
      local fid = tid * 10000000 + counter
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
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env={**os.environ, **(env or {})}).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": rps,
        "p50_ms": pct("50"),
        "p99_ms": pct("99"),
        "requests": total,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads (both servers)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench_api needs wrk: apt-get install wrk")

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
    results: dict[str, dict] = {}
    try:
        wait_http(f"http://127.0.0.1:{port}/api/health")
        wait_http(f"http://127.0.0.1:{ceiling_port}/api/ceiling")
        scripts = work / "scripts"
        scripts.mkdir()
        (scripts / "create.lua").write_text(CREATE_LUA.replace("TOKEN", json.dumps(token)))
        results["ceiling"] = wrk(f"http://127.0.0.1:{ceiling_port}/api/ceiling", args.seconds, args.connections)
        results["create"] = wrk(f"http://127.0.0.1:{port}", args.seconds, args.connections, str(scripts / "create.lua"))
        db = sqlite3.connect(work / "carttocart.db")
        created = db.execute("SELECT COUNT(*) FROM payment").fetchone()[0]
        (scripts / "check.lua").write_text(
            CHECK_LUA.replace("TOKEN", json.dumps(token)).replace("MAXID", str(max(created, 1)))
        )
        results["check"] = wrk(f"http://127.0.0.1:{port}", args.seconds, args.connections, str(scripts / "check.lua"))
        duplicates = db.execute(
            "SELECT COUNT(*) FROM (SELECT amount FROM amount_reservation "
            "WHERE active_amount IS NOT NULL GROUP BY scope, amount HAVING COUNT(*) > 1)"
        ).fetchone()[0]
        db.close()
    finally:
        server.terminate()
        ceiling.terminate()
        server.wait(10)
        ceiling.wait(10)
        shutil.rmtree(work, ignore_errors=True)

    print(
        f"API load, {args.connections} concurrent keep-alive clients over loopback, {args.seconds} s each, "
        f"waitress with {args.threads} threads, SQLite (WAL, synchronous=FULL), {os.cpu_count()} cores"
    )
    print(f"{'endpoint':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'of ceiling':>12}{'non-2xx':>9}")
    for name in ("ceiling", "check", "create"):
        r = results[name]
        ratio = r["rps"] / results["ceiling"]["rps"]
        print(f"{name:<10}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{ratio:>11.0%}{r['non_2xx']:>9}")
    print(f"payments created: {created}; duplicate active amounts: {duplicates}")


if __name__ == "__main__":
    main()
