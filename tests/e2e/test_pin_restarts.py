"""The real service, restarted ten times by hand as its manager would, on a SIM that refuses the configured PIN:
the PIN is entered once, the health report says so in plain words, and a corrected PIN gets in."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from modem.simulator import SimulatorClient
from tests.e2e.test_sms_path import CLI, ROOT, Box, free_port, run
from tests.polling import wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def box_with_pin(tmp_path: Path) -> Iterator[tuple[Box, SimulatorClient]]:
    config = Path(
        subprocess.run(
            CLI + ["init", "--dir", str(tmp_path / "box")], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout.strip()
    )
    link = tmp_path / "sim" / "ttyUSB0"
    control = f"unix:{tmp_path / 'sim' / 'control.sock'}"
    with config.open("a", encoding="utf-8") as f:
        f.write(f'\n[[modems]]\nname = "sim"\nport = "{link}"\nprofile = "ec25"\npin = "0000"\n')
    token = run("token", "add", "shop", config=config).strip()
    link.parent.mkdir()
    with open(tmp_path / "simulator.log", "ab") as log:
        sim = subprocess.Popen(
            CLI + ["simulate", "--link", str(link), "--profile", "ec25", "--control", control],
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
    client = SimulatorClient(control)

    def up() -> bool:
        try:
            return bool(client.status()["sms_ready"])
        except Exception:  # noqa: BLE001 -- not up yet, whatever the error
            return False

    wait_until(up, 20, what="the simulator")
    client.require_pin("1234")
    box = Box(config, link, control, free_port(), token)
    try:
        yield box, client
    finally:
        box.stop()
        client.close()
        sim.send_signal(signal.SIGTERM)
        sim.wait(10)


def modem_report(box: Box) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{box.port}/api/health", headers={"token": box.token})
    with urllib.request.urlopen(request, timeout=5) as resp:
        return json.loads(resp.read())["modems"][0]


def test_ten_restarts_enter_a_refused_pin_once(box_with_pin) -> None:
    box, sim = box_with_pin
    for _ in range(10):
        box.start()
        report = wait_until(
            lambda: (m := modem_report(box))["state"] == "sim_locked" and m, 20, what="reception stopped on the PIN"
        )
        box.stop()
    assert sim.commands_received("AT+CPIN=") == ['AT+CPIN="0000"']
    assert sim.status()["pin_left"] == 2
    assert "refused" in report["last_error"] and report["sim"]["attempts_left"] == 2
    # The operator corrects the setting and restarts: the new PIN is entered once and reception starts.
    box.config.write_text(box.config.read_text(encoding="utf-8").replace('pin = "0000"', 'pin = "1234"'))
    box.start()
    wait_until(lambda: modem_report(box)["state"] == "connected", 20, what="reception with the right PIN")
    assert sim.commands_received("AT+CPIN=") == ['AT+CPIN="0000"', 'AT+CPIN="1234"']
