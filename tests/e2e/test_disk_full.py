"""A full disk under the running box: the SMS waits on the (simulated) SIM, health says why, ``create`` refuses
(code 22); once there is room again the SMS is stored, the payment settles and the box takes payments again.

The box runs in this process (its receiver on the modem simulator's real pseudo-terminal, its web app on
waitress over real HTTP). The "disk" is SQLite's own limit: ``PRAGMA max_page_count`` set to the database's
current size on every connection the box uses, so any write that needs a new page fails with SQLITE_FULL,
"database or disk is full", exactly as a full disk does. The database has 512-byte pages and
``auto_vacuum=FULL`` (no free pages to reuse), so storing an SMS part (a row of some 500 bytes: it needs an
overflow page) always needs a new page.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest

from appliance.runtime import Box
from appliance.store import database as store
from appliance.usecases.demo_bank import mellat_deposit_sms
from modem.simulator import Simulator
from tests.conftest import MELLAT_CARD, Http, make_settings, serving
from tests.polling import wait_until

MELLAT_ACCOUNT = "6204718359"
UNLIMITED_PAGES = 1073741823  # SQLite's default maximum
DISK_FULL = "database or disk is full"


class FullDisk:
    """``store.ensure_connection`` that applies the page limit to each connection as the box's threads use it."""

    def __init__(self, ensure_connection: Any) -> None:
        self._ensure_connection = ensure_connection
        self.full = False

    def __call__(self) -> peewee.Database:
        db = self._ensure_connection()
        if self.full:
            pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
            db.execute_sql(f"PRAGMA max_page_count = {pages}")
        else:
            db.execute_sql(f"PRAGMA max_page_count = {UNLIMITED_PAGES}")
        return db


@pytest.fixture
def disk(monkeypatch: pytest.MonkeyPatch) -> FullDisk:
    limit = FullDisk(store.ensure_connection)
    monkeypatch.setattr(store, "ensure_connection", limit)
    return limit


@pytest.fixture
def sim(tmp_path: Path) -> Iterator[Simulator]:
    simulator = Simulator(tmp_path / "ttyUSB0", "sim800")
    simulator.start()
    try:
        wait_until(lambda: simulator.status()["sms_ready"], what="the simulator's boot")
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def box(tmp_path: Path, sim: Simulator, disk: FullDisk) -> Iterator[Box]:
    path = tmp_path / "carttocart.db"
    with sqlite3.connect(path) as conn:  # small pages, no free pages: every SMS part needs a new page
        conn.execute("PRAGMA page_size = 512")
        conn.execute("PRAGMA auto_vacuum = FULL")
        conn.execute("VACUUM")
    conn.close()
    settings = make_settings(
        f"sqlite:///{path}",
        modems=[{"name": "sim", "port": str(sim.link), "profile": "sim800"}],
        health={"sweep_seconds": 5, "sample_seconds": 5},
    )
    the_box = Box(settings)
    try:
        the_box.service.add_card(MELLAT_CARD, "x", account=MELLAT_ACCOUNT)
        the_box.start_background()
        yield the_box
    finally:
        the_box.close()


def create(http: Http, fid: int) -> tuple[int, Any]:
    return http.post_form("/api/create", {"price": 3_400_000, "fid": fid})


def check(http: Http, pay_id: int) -> int:
    return http.get(f"/api/check?pay_id={pay_id}")[1]["code"]


@pytest.mark.timeout(120)
def test_a_full_disk_keeps_the_sms_on_the_sim_says_so_and_refuses_payments_until_there_is_room(
    box: Box, sim: Simulator, disk: FullDisk
) -> None:
    _, token = box.service.add_token("shop")
    receiver = box.receive.receivers["sim"]
    wait_until(lambda: receiver.status["state"] == "connected", 20, what="the receiver to connect")
    with serving(box.service, token, health=box.health, ingest=box.ingest, webhooks=box.webhooks) as http:
        status, created = create(http, 1)
        assert (status, created["code"]) == (200, 200), created
        assert http.get("/api/health", token="")[1]["status"] == "ok"

        disk.full = True
        sms = mellat_deposit_sms(MELLAT_ACCOUNT, created["amount"], 48_000_000, box.clock())
        pdus = sim.deliver_sms(sms.sender, sms.text)

        def not_ok() -> dict[str, Any] | None:
            # The gate closes inside the sink; the receiver records the failure once the sink has raised.
            detail = http.get("/api/health")[1]
            return None if detail["status"] == "ok" or not detail["modems"][0]["last_error"] else detail

        detail = wait_until(not_ok, 30, what="health to say received SMS cannot be stored")
        assert detail["status"] == "degraded" and detail["database"] == "ok" and not detail["recording"]["ok"]
        assert detail["recording"]["error"] == DISK_FULL and detail["last_error"] == DISK_FULL
        assert detail["recording"]["failures"] >= 1 and detail["recording"]["since"]
        assert any(DISK_FULL in problem and "code 22" in problem for problem in detail["problems"])
        assert DISK_FULL in detail["modems"][0]["last_error"] and detail["modems"][0]["sink_failures"] >= 1
        status, short = http.get("/api/health", token="")
        assert (status, short["status"]) == (200, "degraded")

        status, refused = create(http, 2)
        assert (status, refused["code"]) == (503, 22)
        assert refused["msg"] and refused["msg_fa"]
        assert [pdu for _, pdu in sim.stored()] == pdus  # still on the SIM: nothing lost
        assert check(http, created["pay_id"]) == 7

        disk.full = False  # room again: the next sweep stores the part and the payment settles

        def settled() -> bool:
            return not sim.stored() and check(http, created["pay_id"]) == 201

        wait_until(settled, 30, what="the SMS to be stored and the payment to be paid")
        detail = http.get("/api/health")[1]
        assert detail["status"] == "ok" and detail["recording"]["ok"] and detail["problems"] == []
        assert detail["recording"]["last_error"] == DISK_FULL  # kept, for the operator
        assert http.get("/api/health", token="")[1]["status"] == "ok"
        status, again = create(http, 2)
        assert (status, again["code"]) == (200, 200), again
