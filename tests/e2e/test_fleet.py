"""Two boxes on one PostgreSQL database: one link key, an identity each, and a list of who is alive."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import MELLAT_CARD
from tests.e2e.test_cli import CLI, _free_port, run
from tests.polling import wait_until

pytestmark = pytest.mark.postgres


@pytest.fixture
def fleet_url(pg_server: str) -> str:
    """The scratch PostgreSQL database, emptied."""
    import psycopg2

    conn = psycopg2.connect(pg_server)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("DROP SCHEMA public CASCADE")
        cur.execute("CREATE SCHEMA public")
    conn.close()
    return pg_server


def _get(url: str, token: str = "") -> tuple[int, dict]:
    req = urllib.request.Request(url, headers={"token": token} if token else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read()) if "json" in resp.headers.get("Content-Type", "") else {}
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, {}
    except OSError:  # not listening yet
        return 0, {}


def _serve(config: Path, port: int) -> subprocess.Popen:
    return subprocess.Popen(
        CLI + ["--config", str(config), "serve", "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_second_box_joins_the_fleet_and_serves_its_links(tmp_path: Path, fleet_url: str):
    first = Path(
        run("init", "--dir", str(tmp_path / "a"), "--database-url", fleet_url, "--box-id", "shop-a").stdout.strip()
    )
    run("card", "add", "--number", MELLAT_CARD, "--holder", "x", "--account", "6204718359", config=first)
    token = run("token", "add", "shop", config=first).stdout.strip()
    joined = run("init", "--dir", str(tmp_path / "b"), "--database-url", fleet_url, "--box-id", "shop-b")
    second = Path(joined.stdout.strip())
    assert "joining the database" in joined.stderr and "fleet's payment-link key" in joined.stderr
    assert 'secret_key = ""' in second.read_text(encoding="utf-8")

    ports = _free_port(), _free_port()
    boxes = [_serve(first, ports[0]), _serve(second, ports[1])]
    try:
        for port in ports:
            wait_until(lambda port=port: _get(f"http://127.0.0.1:{port}/api/health")[0] == 200, 20, what="a box")
        req = urllib.request.Request(
            f"http://127.0.0.1:{ports[0]}/api/create",
            data=b"price=120000&fid=7&callback=https://shop.example/b",
            headers={"token": token},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            link = json.loads(resp.read())["link"]
        # The link one box made opens on the other: both sign with the fleet's key.
        on_second = link.replace(f":{ports[0]}/", f":{ports[1]}/")
        with urllib.request.urlopen(on_second, timeout=5) as page:
            assert page.status == 200
        status, _ = _get(on_second.rsplit("/", 1)[0] + "/forged-signature")
        assert status == 404

        def fleet() -> list[dict] | None:
            report = _get(f"http://127.0.0.1:{ports[1]}/api/health", token)[1]
            listed = report.get("fleet") or []
            return listed if {b["box"] for b in listed} == {"shop-a", "shop-b"} else None

        listed = wait_until(fleet, 20, what="both boxes' heartbeats")
        assert all(not b["quiet"] for b in listed) and [b["box"] for b in listed if b["this_box"]] == ["shop-b"]
        assert _get(f"http://127.0.0.1:{ports[1]}/api/health")[1].keys() == {"status", "version"}  # public view
    finally:
        for box in boxes:
            box.send_signal(signal.SIGTERM)
            box.communicate(timeout=20)


def test_a_box_with_its_own_link_key_is_refused_by_the_fleet(tmp_path: Path, fleet_url: str):
    run("init", "--dir", str(tmp_path / "a"), "--database-url", fleet_url, "--box-id", "shop-a")
    stray = Path(run("init", "--dir", str(tmp_path / "b"), "--box-id", "shop-b").stdout.strip())  # its own SQLite
    text = stray.read_text(encoding="utf-8").replace('url = "sqlite:///carttocart.db"', f'url = "{fleet_url}"')
    stray.write_text(text, encoding="utf-8")
    refused = run("token", "list", config=stray, check=False)
    assert refused.returncode == 1
    assert "security.secret_key" in refused.stderr and "remove the line" in refused.stderr
