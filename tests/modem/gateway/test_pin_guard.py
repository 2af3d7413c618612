"""The SIM is never locked: a refused PIN is entered once across restarts, the last attempt is never used.

Each "restart" builds a fresh gateway and receiver, as a service start does, against the same state file
and the same simulated SIM (which counts the attempts and records every AT+CPIN= it receives).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from modem.errors import PinAttemptsLow, PinRefused, SimBlocked
from modem.gateway import ModemGateway
from modem.receiver import Receiver
from modem.sim_pin import PinCounters, PinGuard
from modem.state_file import StateFile

from .conftest import RecordingSink, wait_until


def start_service(sim, state: Path, pin: str | None, name: str = "sim") -> Receiver:
    """What one service start does for one [[modems]] entry: a receiver whose gateways share the state file."""
    guard_state = StateFile(state)
    rx = Receiver(
        lambda: ModemGateway(str(sim.link), pin=pin, command_timeout=1.0, pin_guard=PinGuard(guard_state, name)),
        RecordingSink(),
        max_retry_seconds=0.1,
        give_up_seconds=60,
    )
    rx.start()
    return rx


def test_a_wrong_pin_is_entered_once_across_ten_restarts(make_sim, tmp_path) -> None:
    sim = make_sim("sim800", name="ttyUSB2")
    sim.require_pin("1234")
    state = tmp_path / "modem-state.json"
    for _ in range(10):
        rx = start_service(sim, state, pin="0000")
        wait_until(lambda: rx.status["state"] == "sim_locked", what="reception to stop on the PIN")
        status = rx.status
        rx.stop()
        assert "refused" in status["last_error"] and "[[modems]] pin" in status["last_error"]
        assert status["sim"]["state"] == "refused" and status["sim"]["attempts_left"] == 2
        assert status["health"]["sim_problem"] == status["last_error"]  # what the dashboard shows
    assert sim.commands_received("AT+CPIN=") == ['AT+CPIN="0000"']  # ten starts, one attempt
    assert sim.status()["pin_left"] == 2
    record = json.loads(state.read_text())["modems"]["sim"]["sim"]
    digests = {"salt", "refused_hash", "pending_hash"}
    assert all("0000" not in v for k, v in record.items() if isinstance(v, str) and k not in digests)  # no PIN
    assert record["refused_hash"] == PinGuard(None, "x")._digest("0000", record)  # salted PBKDF2
    assert record["refused_hash"] != hashlib.sha256(b"0000").hexdigest()
    # The operator puts the right PIN in the settings: a new value is tried (once), and reception starts.
    rx = start_service(sim, state, pin="1234")
    try:
        wait_until(lambda: rx.status["state"] == "connected", what="the connection with the right PIN")
    finally:
        rx.stop()
    assert sim.commands_received("AT+CPIN=") == ['AT+CPIN="0000"', 'AT+CPIN="1234"']
    assert sim.status()["pin_left"] == 3
    record = json.loads(state.read_text())["modems"]["sim"]["sim"]
    assert record["state"] == "ready" and "refused_hash" not in record


def test_a_new_wrong_pin_is_tried_once_and_then_the_box_stops_before_the_last_attempt(make_sim, tmp_path) -> None:
    sim = make_sim("huawei")
    sim.require_pin("1234")
    state = tmp_path / "modem-state.json"
    for pin in ("0000", "0000", "1111", "1111", "2222", "1234"):  # the operator keeps guessing
        rx = start_service(sim, state, pin=pin)
        wait_until(lambda: rx.status["state"] == "sim_locked", what="reception to stop on the PIN")
        last_error = rx.status["last_error"]
        rx.stop()
    assert sim.commands_received("AT+CPIN=") == ['AT+CPIN="0000"', 'AT+CPIN="1111"']
    assert sim.status()["pin_left"] == 1 and sim.status()["sim_state"] == "SIM PIN"  # never SIM PUK
    assert "1 PIN attempt(s) left" in last_error and "unlock the SIM in a phone" in last_error


@pytest.mark.parametrize(
    ("profile", "quirks", "counter"),
    [
        ("sim800", None, "AT+SPIC"),
        ("huawei", None, "AT^CPIN?"),
        ("ec25", None, 'AT+QPINC="SC"'),
        ("zte", None, "AT+ZPINPUK=?"),
        ("wavecom", None, "AT+CPINC"),
        ("ec25", {"pin_counters": ("cpinr",)}, 'AT+CPINR="SIM PIN"'),
    ],
)
def test_the_attempts_left_are_read_where_the_modem_tells_them(make_sim, profile, quirks, counter) -> None:
    sim = make_sim(profile, quirks=quirks, noise_seconds=0)
    sim.require_pin("1234")
    sim.engine.card.pin_left = 1  # two wrong PINs entered elsewhere (in a phone)
    gw = ModemGateway(str(sim.link), pin="1234", command_timeout=1.0)
    with pytest.raises(PinAttemptsLow, match="1 PIN attempt"):
        gw.connect()  # even the right PIN is not risked on the last attempt
    assert counter in sim.commands_received(counter)
    assert sim.commands_received("AT+CPIN=") == []
    sim.engine.card.pin_left = 2
    gw = ModemGateway(str(sim.link), pin="1234", command_timeout=1.0)
    gw.connect()
    gw.close()
    assert sim.commands_received("AT+CPIN=") == ['AT+CPIN="1234"']


def test_a_modem_that_cannot_tell_gets_no_pin_after_two_refusals(make_sim, tmp_path) -> None:
    sim = make_sim("ec25", quirks={"pin_counters": ()})
    sim.require_pin("1234")
    guard = PinGuard(StateFile(tmp_path / "state.json"), "m")
    for pin in ("0000", "1111"):
        with pytest.raises(PinRefused):
            ModemGateway(str(sim.link), pin=pin, command_timeout=1.0, pin_guard=guard).connect()
    with pytest.raises(PinAttemptsLow, match="cannot tell"):
        ModemGateway(str(sim.link), pin="1234", command_timeout=1.0, pin_guard=guard).connect()
    assert len(sim.commands_received("AT+CPIN=")) == 2 and sim.status()["pin_left"] == 1


def test_an_attempt_whose_answer_never_came_counts_as_refused(make_sim, tmp_path) -> None:
    sim = make_sim("sim800")
    sim.require_pin("1234")
    guard = PinGuard(StateFile(tmp_path / "state.json"), "m")
    # A start entered "0000" and died before the answer (the SIM counted it).
    guard.attempt("0000", PinCounters(3, 10))
    sim.engine.card.pin_left = 2
    with pytest.raises(PinRefused, match="never learnt the answer"):
        ModemGateway(str(sim.link), pin="0000", command_timeout=1.0, pin_guard=guard).connect()
    assert sim.commands_received("AT+CPIN=") == []
    # Had the counter been full, the attempt was right (the SIM asked again after a restart): entered.
    guard2 = PinGuard(StateFile(tmp_path / "state2.json"), "m")
    guard2.attempt("1234", PinCounters(3, 10))
    sim.engine.card.pin_left = 3
    ModemGateway(str(sim.link), pin="1234", command_timeout=1.0, pin_guard=guard2).connect()
    assert sim.commands_received("AT+CPIN=") == ['AT+CPIN="1234"']


def test_a_puk_locked_sim_is_reported_and_nothing_is_entered(make_sim, make_receiver, tmp_path) -> None:
    sim = make_sim("zte", noise_seconds=0)
    sim.require_pin("1234")
    sim.engine.card.pin_left = 0
    rx = start_service(sim, tmp_path / "state.json", pin="1234")
    try:
        wait_until(lambda: rx.status["state"] == "sim_locked", what="reception to stop on the PUK")
    finally:
        rx.stop()
    assert "SIM PUK" in rx.status["last_error"] and "10 PUK attempts left" in rx.status["last_error"]
    assert rx.status["sim"]["state"] == "blocked"
    assert sim.commands_received("AT+CPIN=") == []
    with pytest.raises(SimBlocked):
        ModemGateway(str(sim.link), pin="1234", command_timeout=1.0).connect()


def test_a_pin_never_appears_in_an_error_or_a_log(make_sim, caplog) -> None:
    sim = make_sim("sim800")
    sim.require_pin("1234")
    with pytest.raises(PinRefused) as refused:
        ModemGateway(str(sim.link), pin="9876", command_timeout=1.0).connect()
    assert "9876" not in str(refused.value) and "9876" not in str(refused.value.__cause__)
    assert "9876" not in caplog.text
