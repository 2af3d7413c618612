"""The AT interpreter alone: no input makes it raise, and several simulators live side by side."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modem.simulator.engine import ModemEngine
from modem.simulator.profiles import PROFILES

from .conftest import wait_until

COMMANDS = [
    "AT",
    "ATE",
    "ATZ",
    "AT+CMGR",
    "AT+CMGD",
    "AT+CMGL",
    "AT+CPMS",
    "AT+CNMI",
    "AT+CPIN",
    "AT+CMEE",
    "AT+CSCA",
    "AT+CFUN",
    "AT+CREG",
    "AT+COPS",
    "AT+CSMS",
    "AT+CNMA",
    "AT^CURC",
    "AT+CMGF",
    "AT+CSCS",
]


@settings(max_examples=400, deadline=None)
@given(
    profile=st.sampled_from(sorted(PROFILES)),
    command=st.sampled_from(COMMANDS),
    op=st.sampled_from(["", "?", "=?", "="]),
    arg=st.text(alphabet='0123456789,"SMEx -;', max_size=12),
)
def test_any_command_line_gets_a_final_result_or_silence(profile: str, command: str, op: str, arg: str) -> None:
    engine = ModemEngine(PROFILES[profile])
    engine.store("0011")
    answer = engine.handle(command + op + arg)
    assert answer.final in (None, "OK", "ERROR", "COMMAND NOT SUPPORT") or answer.final.startswith(
        ("+CMS ERROR: ", "+CME ERROR: ")
    )


def test_brownout_reboots_with_noise_first(make_sim, open_port) -> None:
    sim = make_sim("sim800", boot_seconds=0.05)
    port = open_port(sim.link)
    port.command("ATE0")
    sim.brownout()
    lines = port.expect(lambda line: line == "SMS Ready")
    assert lines.index("UNDER-VOLTAGE WARNNING") < lines.index("RDY")
    assert any("\x00" in line or "\xff" in line for line in lines)
    assert port.command("AT") == ["AT", "OK"]  # echo back on after the reboot


def test_two_simulators_side_by_side_keep_their_own_messages(make_sim, open_port) -> None:
    first, second = make_sim("sim800"), make_sim("ec25")
    assert first.link != second.link
    first.deliver_sms("bank melli", "to the first")
    wait_until(lambda: len(first.stored()) == 1)
    assert second.stored() == []
    assert open_port(second.link).command("AT+CGMI")[-2] == "Quectel"
