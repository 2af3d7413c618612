"""``carttocart backup`` while the service takes payments, and ``restore`` onto another box: real processes."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import threading
import urllib.request
from pathlib import Path

from tests.conftest import MELLAT_CARD
from tests.e2e.test_cli import CLI, _free_port, run
from tests.polling import wait_until

FIXTURE_V010 = Path(__file__).resolve().parents[1] / "fixtures" / "v0_1_0" / "box.sqlite3"


def _create(port: int, token: str, fid: int) -> int:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/create",
        data=f"price=120000&fid={fid}".encode(),
        headers={"token": token},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())["pay_id"]


def _payments(db: Path) -> int:
    with sqlite3.connect(db) as raw:
        return raw.execute("SELECT COUNT(*) FROM payment").fetchone()[0]


def test_a_backup_taken_while_the_service_writes_restores_onto_another_box(tmp_path: Path):
    box = Path(run("init", "--dir", str(tmp_path / "box")).stdout.strip())
    run("card", "add", "--number", MELLAT_CARD, "--holder", "x", "--account", "6204718359", config=box)
    token = run("token", "add", "shop", config=box).stdout.strip()
    port = _free_port()
    server = subprocess.Popen(
        CLI + ["--config", str(box), "serve", "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    created: list[int] = []
    stop = threading.Event()

    def shop() -> None:  # a shop creating payments the whole time the backup runs
        fid = 1
        while not stop.is_set() and fid < 2000:
            created.append(_create(port, token, fid))
            fid += 1

    try:
        wait_until(lambda: _health(port), 20, what="the server")
        writer = threading.Thread(target=shop)
        writer.start()
        wait_until(lambda: len(created) >= 20, 20, what="the first payments")
        backup = tmp_path / "saved" / "box-backup.db"
        out = run("backup", str(backup), config=box).stdout
        stop.set()
        writer.join(20)
        assert "backed up to" in out and "payments" in out
        assert 20 <= _payments(backup) <= len(created)  # a consistent snapshot taken mid-stream
        again = run("backup", str(backup), config=box, check=False)
        assert again.returncode == 1 and "exists already" in again.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=20)
    with sqlite3.connect(backup) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    other = Path(run("init", "--dir", str(tmp_path / "other")).stdout.strip())
    restored = run("restore", str(backup), config=other)
    assert "restored from" in restored.stdout and "before-restore" in restored.stderr
    assert "secret_key emptied" in restored.stderr and 'secret_key = ""' in other.read_text(encoding="utf-8")
    assert run("payment", "list", config=other).stdout.count("120,0") >= 20
    assert list((tmp_path / "other").glob("carttocart.db.before-restore-*"))


def _health(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


def test_restore_upgrades_an_old_backup_and_refuses_what_is_not_one(tmp_path: Path):
    box = Path(run("init", "--dir", str(tmp_path / "box")).stdout.strip())
    old = tmp_path / "v010.db"
    shutil.copyfile(FIXTURE_V010, old)
    run("restore", str(old), config=box)
    listing = run("payment", "list", config=box).stdout
    assert "verified" in listing and "paid_late" in listing  # the v0.1.0 box's payments, on today's schema
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    refused = run("restore", str(junk), config=box, check=False)
    assert refused.returncode == 1 and "not a CartToCart database" in refused.stderr
    missing = run("restore", str(tmp_path / "nope.db"), config=box, check=False)
    assert missing.returncode == 1 and "no such file" in missing.stderr


def test_backup_on_postgresql_says_how(tmp_path: Path):
    box = Path(run("init", "--dir", str(tmp_path / "box")).stdout.strip())
    answer = run(
        "backup",
        str(tmp_path / "x.db"),
        config=box,
        check=False,
        env={"CARTTOCART_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/none"},
    )
    assert answer.returncode == 1 and "pg_dump" in answer.stderr and not (tmp_path / "x.db").exists()
