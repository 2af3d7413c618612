"""The whole SMS path with real processes: the modem simulator on a real pseudo-terminal, the service,
SQLite on disk. Includes the crash test: the service is SIGKILLed during a burst and restarted."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from appliance.usecases.demo_bank import mellat_deposit_sms
from tests.polling import wait_until

CLI = [sys.executable, "-m", "appliance.cli"]
ROOT = Path(__file__).resolve().parents[2]
MELLAT = ("6104337890123456", "6204718359")
SAMAN = ("6219861034529007", "846-800-2275319-1")
SAMAN_SENDER = "+989999920000"


def saman_deposit_text(amount: int, balance: int, when) -> str:
    """Saman's layout (two UCS2 parts once the header is there): the multipart case."""
    import jdatetime

    j = jdatetime.datetime.fromgregorian(
        datetime=when.astimezone(jdatetime.datetime.now().tzinfo or __import__("zoneinfo").ZoneInfo("Asia/Tehran"))
    )
    return (
        f"بانك سامان\nواريز مبلغ  {amount:,}ريال\nبه  {SAMAN[1]}\nمانده {balance:,}\n"
        f"{j.year}/{j.month}/{j.day}\n{j:%H:%M}"
    )


def run(*args: str, config: Path) -> str:
    return subprocess.run(
        CLI + ["--config", str(config), *args], capture_output=True, text=True, check=True, cwd=ROOT, timeout=60
    ).stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Box:
    config: Path
    link: Path
    control: str
    port: int
    token: str
    proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.config.parent / "serve.log", "ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                CLI + ["--config", str(self.config), "serve", "--listen", f"127.0.0.1:{self.port}"],
                cwd=ROOT,
                stdout=log,
                stderr=log,
            )
        wait_until(self.health, 30, what="the service to answer")

    def health(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/health", timeout=1) as resp:
                return json.loads(resp.read())
        except OSError:
            return None

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(20)
            self.proc = None

    def service(self):  # the same store, from the test process
        from appliance.runtime import build_service
        from appliance.settings import load_settings

        return build_service(load_settings(self.config, env={}))


@pytest.fixture
def box(tmp_path: Path) -> Iterator[Box]:
    config = Path(
        subprocess.run(
            CLI + ["init", "--dir", str(tmp_path / "box")], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    )
    link = tmp_path / "sim" / "ttyUSB0"
    control = f"unix:{tmp_path / 'sim' / 'control.sock'}"
    with config.open("a", encoding="utf-8") as f:
        f.write(f'\n[[modems]]\nname = "sim"\nport = "{link}"\nprofile = "sim800"\n')
    run("card", "add", "--number", MELLAT[0], "--holder", "x", "--account", MELLAT[1], config=config)
    run("card", "add", "--number", SAMAN[0], "--holder", "x", "--account", SAMAN[1], config=config)
    token = run("token", "add", "shop", config=config).strip()
    link.parent.mkdir()
    with open(tmp_path / "simulator.log", "ab") as log:
        sim = subprocess.Popen(
            CLI + ["simulate", "--link", str(link), "--profile", "sim800", "--control", control],
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
    the_box = Box(config, link, control, free_port(), token)
    from modem.simulator import SimulatorClient

    client = SimulatorClient(control)

    def simulator_up() -> bool:
        try:
            client.status()
            return True
        except (OSError, Exception):  # noqa: BLE001 -- not up yet, whatever the error
            return False

    wait_until(simulator_up, 20, what="the simulator")
    client.close()
    try:
        yield the_box
    finally:
        the_box.stop()
        sim.send_signal(signal.SIGTERM)
        sim.wait(10)


def test_a_deposit_sms_through_the_modem_pays_the_payment(box: Box):
    from appliance.usecases.checkout import CreateRequest
    from modem.simulator import SimulatorClient

    box.start()
    service = box.service()
    payment = service.create_payment(CreateRequest(price=3_400_000, fid=1)).payment
    sms = mellat_deposit_sms(MELLAT[1], payment.amount, 48_000_000, service.clock())
    with SimulatorClient(box.control) as sim:
        sim.deliver_sms(sms.sender, sms.text)
        wait_until(lambda: service.get_payment(payment.id).state == "paid", 15, what="the payment to be paid")
        wait_until(lambda: sim.stored() == [], 15, what="the SIM to be empty")
    req = urllib.request.Request(
        f"http://127.0.0.1:{box.port}/api/check?pay_id={payment.id}", headers={"token": box.token}
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        assert json.loads(resp.read())["code"] == 201


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sigkill_during_a_burst_loses_nothing_and_doubles_nothing(box: Box):
    """30 deposit SMS (every third one multipart); the service is killed three times at random moments."""
    from appliance.store.models import Deposit, Event, Payment, SmsMessage, SmsPart
    from appliance.usecases.checkout import CreateRequest
    from modem.simulator import SimulatorClient

    rng = random.Random(int(os.environ.get("CARTTOCART_TEST_SEED", "0")) or None)
    service = box.service()
    payments = [
        service.create_payment(CreateRequest(price=1_000_000 + 10_000 * i, fid=100 + i)).payment for i in range(30)
    ]
    balances = {"mellat": 48_000_000, "saman": 300_000_000}
    box.start()
    with SimulatorClient(box.control) as sim:
        for i, payment in enumerate(payments):
            if i % 3 == 2:
                balances["saman"] += payment.amount
                sim.deliver_sms(SAMAN_SENDER, saman_deposit_text(payment.amount, balances["saman"], service.clock()))
            else:
                balances["mellat"] += payment.amount
                sms = mellat_deposit_sms(MELLAT[1], payment.amount, balances["mellat"], service.clock())
                sim.deliver_sms(sms.sender, sms.text)
            if i in (6, 15, 24):
                # kill once a random number of further parts has been committed: a moment mid-burst
                target = SmsPart.select().count() + rng.randint(0, 3)
                wait_until(lambda: SmsPart.select().count() >= target, 30, what="parts to be stored")
                box.kill()
                box.start()

        def all_paid() -> bool:
            return Payment.select().where(Payment.state == "paid").count() == len(payments)

        wait_until(all_paid, 120, what="every payment to be paid")
        wait_until(lambda: sim.stored() == [], 30, what="the SIM to be empty")

    assert SmsMessage.select().count() == len(payments)
    assert Deposit.select().count() == len(payments)
    assert Deposit.select().where(Deposit.state != "matched").count() == 0
    for payment in payments:
        paid_events = (
            Event.select()
            .where((Event.entity == "payment") & (Event.entity_id == payment.id) & (Event.to_state == "paid"))
            .count()
        )
        assert paid_events == 1, payment.id
    multipart = SmsMessage.select().where(SmsMessage.parts_expected > 1).count()
    assert multipart == 10
