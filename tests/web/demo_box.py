"""``carttocart demo`` in its own process, as a newcomer runs it, and a tiny client for its API."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.polling import wait_until

CLI = [sys.executable, "-m", "appliance.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base: str, path: str, token: str, fields: dict | None = None) -> dict:
    data = "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in (fields or {}).items()).encode()
    req = urllib.request.Request(
        base + path,
        data=data if fields is not None else None,
        headers={"token": token},
        method="POST" if fields is not None else "GET",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return json.loads(exc.read())


class DemoBox:
    """``carttocart demo`` in its own process, as a newcomer runs it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(folder.parent / "demo.log", "w+")
        self.proc = subprocess.Popen(
            CLI + ["demo", "--dir", str(folder), "--listen", f"127.0.0.1:{self.port}"],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            text=True,
        )

        def healthy() -> bool:
            try:
                with urllib.request.urlopen(self.base + "/api/health", timeout=1) as resp:
                    return resp.status == 200
            except OSError:
                return False

        wait_until(healthy, 30, what="the demo box")
        self.token = (folder / "demo-token.txt").read_text().strip()

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        proc = subprocess.run(
            CLI + ["--config", str(self.folder / "carttocart.toml"), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        return proc

    def close(self) -> str:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)
        self.log.seek(0)
        text = self.log.read()
        self.log.close()
        return text
