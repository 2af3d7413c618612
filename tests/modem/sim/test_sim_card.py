"""The simulated SIM counts PIN attempts (three, then the PUK) and tells them as each family does."""

from __future__ import annotations

import pytest

from .conftest import wait_until


def _ready(port) -> None:
    port.command("ATE0")
    port.command("AT+CMEE=1")


def test_three_wrong_pins_want_the_puk_and_the_puk_sets_a_new_pin(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    sim.require_pin("1234")
    port = open_port(sim.link)
    _ready(port)
    assert port.command("AT+CPIN?") == ["+CPIN: SIM PIN", "OK"]
    assert port.command("AT+CMGL=4") == ["+CMS ERROR: 311"]
    for left in (2, 1, 0):
        assert port.command('AT+CPIN="0000"') == ["+CME ERROR: 16"]
        assert sim.status()["pin_left"] == left
    assert port.command("AT+CPIN?") == ["+CPIN: SIM PUK", "OK"]
    assert port.command("AT+CMGL=4") == ["+CMS ERROR: 316"]
    assert port.command('AT+CPIN="1234"') == ["+CME ERROR: 16"]  # a PIN is no PUK
    assert port.command('AT+CPIN="12345678","4321"') == ["OK"]
    port.expect(lambda line: line == "+CPIN: READY")  # told unasked, just after the OK: wait for it
    assert port.command("AT+CPIN?") == ["+CPIN: READY", "OK"]
    assert sim.status()["pin_left"] == 3 and sim.status()["puk_left"] == 10  # a right PUK resets both
    assert sim.commands_received("AT+CPIN=") == ['AT+CPIN="0000"'] * 3 + ['AT+CPIN="1234"', 'AT+CPIN="12345678","4321"']


def test_a_sim_with_its_pin_enabled_asks_again_after_a_power_cycle(make_sim, open_port) -> None:
    sim = make_sim("ec25")
    sim.require_pin("1234")
    port = open_port(sim.link)
    _ready(port)
    assert port.command('AT+CPIN="1234"') == ["OK"]
    wait_until(lambda: sim.status()["sms_ready"], what="SMS ready after the PIN")
    sim.reboot()
    wait_until(lambda: sim.status()["sim_state"] == "SIM PIN", what="the PIN asked again")
    assert sim.status()["pin_left"] == 3  # the counter survives; a right PIN reset it


@pytest.mark.parametrize(
    ("profile", "quirks", "command", "expected"),
    [
        ("sim800", None, "AT+SPIC", "+SPIC: 2,10,3,10"),
        ("huawei", None, "AT^CPIN?", "^CPIN: SIM PIN,2,10,2,10,3"),
        ("ec25", None, 'AT+QPINC="SC"', '+QPINC: "SC",2,10'),
        ("zte", None, "AT+ZPINPUK=?", "+ZPINPUK: 2,10"),
        ("wavecom", None, "AT+CPINC", "+CPINC: 2,3,10,10"),
        ("ec25", {"pin_counters": ("cpinr",)}, 'AT+CPINR="SIM PIN"', "+CPINR: SIM PIN,2,3"),
    ],
)
def test_each_family_tells_the_attempts_left_its_own_way(make_sim, open_port, profile, quirks, command, expected):
    sim = make_sim(profile, quirks=quirks, noise_seconds=0)
    sim.require_pin("1234")
    port = open_port(sim.link)
    _ready(port)
    port.command('AT+CPIN="0000"')
    answer = port.command(command)
    assert expected in answer and answer[-1] == "OK", answer
    if profile != "ec25" or quirks:
        assert port.command('AT+QPINC="SC"')[-1] != "OK"  # a family lacks the others' commands


def test_wavecom_answers_cpin_without_ok(make_sim, open_port) -> None:
    sim = make_sim("wavecom")
    port = open_port(sim.link)
    port.serial.write(b"ATE0\r")
    port.raw(lambda b: b.endswith(b"OK\r\n"))
    port.serial.write(b"AT+CPIN?\r")
    assert port.raw(lambda b: b"READY" in b) == b"\r\n+CPIN: READY\r\n"
    assert port.command("AT") == ["OK"]  # no final result was pending: the next answer is clean
