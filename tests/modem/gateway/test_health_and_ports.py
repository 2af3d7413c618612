"""Health verdicts and port resolution (pure parts and real files)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from modem.errors import PortError
from modem.health import HealthSample, assess
from modem.ports import PortInfo, find_by_usb_id, resolve

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
GOOD = HealthSample(
    at=NOW,
    responsive=True,
    sim_state="READY",
    registered=True,
    registration="home",
    operator="IR-MCI",
    signal_csq=18,
    signal_dbm=-77,
    storage_used=3,
    storage_total=30,
)


def test_good_modem_can_receive() -> None:
    verdict = assess(GOOD, NOW)
    assert verdict.can_receive and verdict.problems == () and not verdict.stale


@pytest.mark.parametrize(
    "change,problem",
    [
        ({"responsive": False, "error": "timeout"}, "does not answer"),
        ({"sim_state": "SIM PIN"}, "SIM not ready"),
        ({"registered": False, "registration": "searching"}, "not registered"),
        ({"storage_used": 30}, "storage full"),
    ],
)
def test_blocking_problems(change: dict, problem: str) -> None:
    verdict = assess(HealthSample(**{**GOOD.__dict__, **change}), NOW)
    assert not verdict.can_receive and any(problem in p for p in verdict.problems)


def test_weak_signal_warns_but_receives_and_stale_sample_blocks() -> None:
    weak = assess(HealthSample(**{**GOOD.__dict__, "signal_csq": 2, "signal_dbm": -109}), NOW)
    assert weak.can_receive and "weak signal" in weak.problems[0]
    old = assess(GOOD, NOW + timedelta(minutes=10))
    assert old.stale and not old.can_receive
    assert not assess(None, NOW).can_receive


def test_resolve_path_glob_and_missing(tmp_path) -> None:
    (tmp_path / "ttyUSB3").touch()
    (tmp_path / "ttyUSB5").touch()
    assert resolve(str(tmp_path / "ttyUSB3")) == str(tmp_path / "ttyUSB3")
    assert resolve(str(tmp_path / "ttyUSB*")) == str(tmp_path / "ttyUSB3")
    os.remove(tmp_path / "ttyUSB3")
    assert resolve(str(tmp_path / "ttyUSB*")) == str(tmp_path / "ttyUSB5")
    with pytest.raises(PortError):
        resolve(str(tmp_path / "ttyACM*"))
    with pytest.raises(PortError):
        resolve(str(tmp_path / "ttyUSB0"))
    with pytest.raises(PortError):
        resolve("", "not-an-id")


def _port(device: str, vid: int, pid: int, interface: int, serial: str = "A1") -> PortInfo:
    by_id = f"/dev/serial/by-id/usb-Vendor_Modem_{serial}-if{interface:02d}-port0"
    return PortInfo(device, by_id, vid, pid, serial, interface, "modem", "x")


def test_find_by_usb_id_picks_the_at_interface() -> None:
    quectel = [_port(f"/dev/ttyUSB{i}", 0x2C7C, 0x0125, i) for i in range(4)]
    assert find_by_usb_id("2c7c:0125", quectel).endswith("-if02-port0")
    huawei = [_port(f"/dev/ttyUSB{i}", 0x12D1, 0x1506, i) for i in range(3)]
    assert find_by_usb_id("12d1:1506", huawei).endswith("-if02-port0")  # the last: PCUI
    two = [_port("/dev/ttyUSB0", 0x1A86, 0x7523, 0, "S1"), _port("/dev/ttyUSB1", 0x1A86, 0x7523, 0, "S2")]
    assert "S2" in find_by_usb_id("usb:1a86:7523:s2", two)
    assert find_by_usb_id("1a86:7524", two) is None
