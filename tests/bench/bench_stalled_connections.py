"""Payment checks while clients hold stalled connections: prints figures, asserts nothing.

Run: .venv/bin/python tests/bench/bench_stalled_connections.py [--old-settings] [--repeat N]

Makes a fresh SQLite box (``carttocart init --dir TMP``, a card, ``carttocart token add``), serves it
as the box does (``carttocart serve``, waitress, on 127.0.0.1), creates one payment, then measures
``GET /api/check`` (a new connection per request, as a shop's PHP does) 200 times with no other
client, and 200 times while 200 connections hold half a request each
(``GET /api/check?pay_id=1 HTTP/1.1\\r\\nHost: x\\r\\n`` and nothing more). Prints p50, p99 and max.

``--old-settings`` serves the same box the same way (``Box.serve``) but with the waitress call of
before (connection_limit 100, channel_timeout 120 s, max_request_body_size 4 x max_body_bytes, plain
waitress channels): for the before/after note. A request that gets no answer within ``--timeout``
seconds counts as a timeout; a phase stops after ``--budget`` seconds, so "before" ends in bounded time.

Target: with the stalled connections open, p99 within 2 x the p99 without them (at least +20 ms)
and no timeouts.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import logging
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "appliance.cli"]
LOOPBACK = "127.0.0.1"
STALLED_REQUEST = b"GET /api/check?pay_id=1 HTTP/1.1\r\nHost: x\r\n"

log = logging.getLogger("bench_stalled_connections")


# --- the server ------------------------------------------------------------------------------------


def old_create_http_server(app: Any, settings: Any, host: str, port: int) -> Any:
    """The waitress call ``Box.serve`` made before (waitress's defaults for the connection limits)."""
    import waitress

    return waitress.create_server(
        app,
        host=host,
        port=port,
        threads=settings.server.threads,
        max_request_body_size=settings.server.max_body_bytes * 4,
        connection_limit=100,
        channel_timeout=120,
        ident="carttocart",
        clear_untrusted_proxy_headers=True,
    )


def serve_old(config: str, listen: str) -> None:
    """``carttocart serve`` as before: the real Box.serve, with the old waitress call in place."""
    from appliance import runtime
    from appliance.settings import load_settings
    from web import server

    server.create_http_server = old_create_http_server  # type: ignore[assignment]
    box = runtime.Box(load_settings(config))
    sys.exit(box.serve(listen))


def make_box(work: Path) -> tuple[Path, str]:
    """A fresh SQLite box with one card: (its settings file, an API token)."""
    out = subprocess.run(CLI + ["init", "--dir", str(work)], capture_output=True, text=True, check=True, cwd=ROOT)
    config = Path(out.stdout.strip())
    base = CLI + ["--config", str(config)]
    card = ["card", "add", "--number", "6037991234567893", "--holder", "bench"]
    subprocess.run(base + card, check=True, capture_output=True, cwd=ROOT)
    token = subprocess.run(base + ["token", "add", "bench"], check=True, capture_output=True, text=True, cwd=ROOT)
    return config, token.stdout.strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(config: Path, port: int, old: bool) -> Iterator[None]:
    listen = f"{LOOPBACK}:{port}"
    if old:
        cmd = [sys.executable, __file__, "--serve-old", str(config), listen]
    else:
        cmd = CLI + ["--config", str(config), "serve", "--listen", listen]
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while request(port, "GET", "/api/health", timeout=1)[0] != 200:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.wait(10)


# --- the clients -----------------------------------------------------------------------------------


def request(
    port: int, method: str, path: str, token: str = "", body: bytes = b"", timeout: float = 3
) -> tuple[int, Any]:
    """One request on a new connection: (HTTP status, JSON answer); (0, None) if none came in time."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    headers = {"token": token} if token else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    except OSError:
        return 0, None
    finally:
        connection.close()


@contextlib.contextmanager
def stalled(port: int, count: int) -> Iterator[None]:
    """``count`` connections that sent half a request; all closed on exit."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.create_connection((LOOPBACK, port), timeout=5)
            sockets.append(sock)
            sock.sendall(STALLED_REQUEST)
        time.sleep(0.5)  # the server has accepted what it will accept
        yield
    finally:
        for sock in sockets:
            sock.close()


def measure(port: int, path: str, token: str, count: int, timeout: float, budget: float) -> dict[str, Any]:
    """``count`` checks, one after the other: latencies in ms and the number that timed out."""
    latencies, timeouts, started = [], 0, time.monotonic()
    for _ in range(count):
        if time.monotonic() - started > budget:
            break
        t0 = time.perf_counter()
        status, _ = request(port, "GET", path, token, timeout=timeout)
        elapsed = (time.perf_counter() - t0) * 1000
        if status == 0:
            timeouts += 1
        latencies.append(elapsed)
    return summary(latencies, timeouts)


def summary(latencies: list[float], timeouts: int) -> dict[str, Any]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"n": len(ordered), "p50": statistics.median(ordered), "p99": p99, "max": ordered[-1], "timeouts": timeouts}


def run(args: argparse.Namespace, work: Path) -> dict[str, dict[str, Any]]:
    config, token = make_box(work)
    port = free_port()
    with server(config, port, args.old_settings):
        status, created = request(port, "POST", "/api/create", token, b"price=120000&fid=1")
        if status != 200:
            raise RuntimeError(f"create answered {status}: {created}")
        path = f"/api/check?pay_id={created['pay_id']}"
        results = {"idle": measure(port, path, token, args.requests, args.timeout, args.budget)}
        with stalled(port, args.stalled):
            results["stalled"] = measure(port, path, token, args.requests, args.timeout, args.budget)
    return results


def report(args: argparse.Namespace, run_number: int, results: dict[str, dict[str, Any]]) -> None:
    settings = "old settings (connection_limit 100, channel_timeout 120 s)" if args.old_settings else "new settings"
    print(f"run {run_number}, {settings}: GET /api/check, a new connection each, {args.requests} requests")
    print(f"  {'phase':<22}{'n':>5}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}{'timeouts':>10}")
    for name, label in (("idle", "no other client"), ("stalled", f"{args.stalled} stalled conns")):
        r = results[name]
        print(f"  {label:<22}{r['n']:>5}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['max']:>10.2f}{r['timeouts']:>10}")
    idle, loaded = results["idle"], results["stalled"]
    target = max(2 * idle["p99"], idle["p99"] + 20)
    verdict = "met" if loaded["p99"] <= target and not loaded["timeouts"] else "missed"
    print(
        f"  target: p99 <= {target:.2f} ms with no timeouts; measured p99 {loaded['p99']:.2f} ms, "
        f"{loaded['timeouts']} timeouts; ratio to target {loaded['p99'] / target:.2f}, "
        f"to idle p99 {loaded['p99'] / idle['p99']:.1f}x: {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-settings", action="store_true", help="serve with the waitress call of before")
    parser.add_argument("--stalled", type=int, default=200, help="stalled connections to hold open")
    parser.add_argument("--requests", type=int, default=200, help="checks per phase")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds a check may take before it counts lost")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds a phase may take at most")
    parser.add_argument("--repeat", type=int, default=1, help="runs, each on a fresh box and server")
    parser.add_argument("--serve-old", nargs=2, metavar=("CONFIG", "LISTEN"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_old:
        logging.basicConfig(level=logging.WARNING)
        serve_old(*args.serve_old)
        return
    for number in range(1, args.repeat + 1):
        work = Path(tempfile.mkdtemp(prefix="c2c-bench-stalled-"))
        try:
            report(args, number, run(args, work))
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
