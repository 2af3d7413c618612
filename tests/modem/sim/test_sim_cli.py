"""``carttocart simulate`` as real processes: run one, drive it from another, read it over the pty."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

from modem.simulator import SimulatorClient

from .conftest import wait_until

CLI = [sys.executable, "-m", "appliance.cli"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=60)


def test_run_send_fault_status_and_stop(tmp_path: Path, open_port) -> None:
    link, control = tmp_path / "ttyUSB2", f"unix:{tmp_path / 'ctl.sock'}"
    proc = subprocess.Popen(
        [*CLI, "simulate", "--link", str(link), "--profile", "ec25", "--control", control],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == f"modem simulator (ec25) on {link}"
        assert proc.stdout.readline().strip() == f"control: {control}"
        wait_until(lambda: json.loads(_cli("simulate", "status", "--control", control).stdout)["sms_ready"])
        port = open_port(link)
        port.command("ATE0")
        port.command("AT+CNMI=2,1,0,0,0")
        sent = _cli(
            "simulate",
            "send",
            "--control",
            control,
            "--sender",
            "bank melli",
            "--text",
            "واریز " * 20,
            "--ref-bits",
            "16",
            "--order",
            "1,0",
        )
        assert sent.returncode == 0, sent.stderr
        pdus = sent.stdout.split()
        assert len(pdus) == 2
        port.expect(lambda line: line == '+CMTI: "SM",1')
        with SimulatorClient(control) as client:
            assert [pdu for _, pdu in client.stored()] == pdus
        raw = _cli("simulate", "send", "--control", control, "--pdu", "0011")
        assert raw.returncode == 0
        port.expect(lambda line: line == '+CMTI: "SM",2')
        assert _cli("simulate", "fault", "--control", control, "reboot").returncode == 0
        port.expect(lambda line: line == "+QIND: SMS DONE")
        bad = _cli("simulate", "fault", "--control", control, "hang")
        assert bad.returncode == 2 and "SECONDS" in bad.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
        proc.stdout.close()
        proc.stderr.close()
    assert not link.is_symlink()


def test_tcp_control_on_a_free_port(tmp_path: Path) -> None:
    link = tmp_path / "ttyS0"
    proc = subprocess.Popen(
        [*CLI, "simulate", "--link", str(link), "--control", "tcp:127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        address = proc.stdout.readline().strip().removeprefix("control: ")
        assert address.startswith("tcp:127.0.0.1:") and not address.endswith(":0")
        assert _cli("simulate", "fault", "--control", address, "unplug", "never", "--new-name", "ttyS1").returncode == 0
        wait_until(lambda: not link.is_symlink())
        assert _cli("simulate", "fault", "--control", address, "replug").returncode == 0
        wait_until(lambda: (tmp_path / "ttyS1").is_symlink())
        with SimulatorClient(address) as client:
            assert client.link == tmp_path / "ttyS1"
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(20) == 0
        proc.stdout.close()
        proc.stderr.close()


def test_no_simulator_at_the_address_is_a_clear_error(tmp_path: Path) -> None:
    done = _cli("simulate", "status", "--control", f"unix:{tmp_path / 'nobody.sock'}")
    assert done.returncode == 1
    assert "simulator control" in done.stderr and "Traceback" not in done.stderr
    assert _cli("simulate").returncode == 2
