"""Each profile answers as its family does, over a real pty opened through the symlink."""

from __future__ import annotations

import os

import pytest

from modem.pdu_encode import tpdu_length
from modem.simulator import PROFILES, Simulator, SimulatorError

from .conftest import wait_until


def test_link_is_a_symlink_to_a_raw_pty(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    assert sim.link.is_symlink()
    assert os.readlink(sim.link).startswith("/dev/pts/")
    port = open_port(sim.link)
    # E1 by default: the echo is the command and CR with no LF, then the framed result.
    port.serial.write(b"AT\r")
    assert port.raw(lambda b: b.endswith(b"OK\r\n")) == b"AT\r\r\nOK\r\n"


def test_echo_framing_is_exact(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    port = open_port(sim.link)
    port.serial.write(b"AT+CSQ\r")
    assert port.raw(lambda b: b.endswith(b"OK\r\n")) == b"AT+CSQ\r\r\n+CSQ: 18,0\r\n\r\nOK\r\n"
    assert port.command("ATE0") == ["ATE0", "OK"]  # (the helper folds CR CR LF)
    assert port.command("AT") == ["OK"]


@pytest.mark.parametrize(
    ("profile", "maker", "base", "alpha"),
    [("sim800", "SIMCOM_Ltd", 1, '""'), ("huawei", "huawei", 0, ""), ("ec25", "Quectel", 0, "")],
)
def test_identity_index_base_and_alpha_field(make_sim, open_port, profile, maker, base, alpha) -> None:
    sim = make_sim(profile)
    port = open_port(sim.link)
    port.command("ATE0")
    assert port.command("AT+CGMI") == [maker, "OK"]
    assert port.command("AT+CMGF=0")[-1] == "OK"
    assert port.command("AT+CNMI=2,1,0,0,0")[-1] == "OK"
    pdus = sim.deliver_sms("bank melli", "first")
    assert port.expect(lambda line: line.startswith("+CMTI"))[-1] == f'+CMTI: "SM",{base}'
    assert port.command(f"AT+CMGR={base}") == [f"+CMGR: 0,{alpha},{tpdu_length(pdus[0])}", pdus[0], "OK"]
    # Read once, the message is REC READ (stat 1) in a listing.
    assert port.command("AT+CMGL=4") == [f"+CMGL: {base},1,{alpha},{tpdu_length(pdus[0])}", pdus[0], "OK"]
    assert port.command(f"AT+CMGD={base}") == ["OK"]
    assert sim.stored() == []


def test_first_free_slot_is_reused(make_sim, open_port) -> None:
    sim = make_sim("huawei", noise_seconds=0)
    port = open_port(sim.link)
    port.command("ATE0;+CMEE=1;^CURC=0;+CNMI=1,1,0,0,0")
    for n in range(3):
        sim.deliver_sms("10007000", f"m{n}")
    port.expect(lambda line: line == '+CMTI: "SM",2')
    assert [i for i, _ in sim.stored()] == [0, 1, 2]
    assert port.command("AT+CMGD=1") == ["OK"]
    sim.deliver_sms("10007000", "again")
    wait_until(lambda: len(sim.stored()) == 3)
    assert [i for i, _ in sim.stored()] == [0, 1, 2]


@pytest.mark.parametrize(
    ("profile", "empty_read", "unknown"),
    [
        ("sim800", ["+CMS ERROR: 321"], "ERROR"),
        ("huawei", ["+CMS ERROR: 321"], "COMMAND NOT SUPPORT"),
        ("ec25", ["OK"], "ERROR"),
    ],
)
def test_error_forms(make_sim, open_port, profile, empty_read, unknown) -> None:
    sim = make_sim(profile, noise_seconds=0)
    port = open_port(sim.link)
    port.command("ATE0")
    assert port.command("AT+CMGR=3") == ["ERROR" if empty_read != ["OK"] else "OK"]  # CMEE=0: plain ERROR
    port.command("AT+CMEE=1")
    assert port.command("AT+CMGR=3") == empty_read
    assert port.command("AT+WIND?") == [unknown]
    port.command("AT+CMEE=2")
    if empty_read != ["OK"]:
        assert port.command("AT+CMGR=3") == ["+CMS ERROR: invalid memory index"]


def test_sim800_rejects_cnmi_ds_2_like_the_real_one(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    port = open_port(sim.link)
    port.command("ATE0")
    assert port.command("AT+CNMI=2,1,0,2") == ["ERROR"]
    assert port.command("AT+CNMI=2,1,0,1,0") == ["OK"]
    assert port.command("AT+CNMI?") == ["+CNMI: 2,1,0,1,0", "OK"]


def test_cpms_answers_and_switches_memories(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    port = open_port(sim.link)
    port.command("ATE0")
    assert port.command("AT+CPMS=?")[0].startswith('+CPMS: ("SM","ME","SM_P","ME_P","MT")')
    assert port.command('AT+CPMS="ME","ME","ME"') == ["+CPMS: 0,50,0,50,0,50", "OK"]
    sim.deliver_sms("bank melli", "into ME")
    port.expect(lambda line: line == '+CMTI: "ME",1')
    assert port.command("AT+CPMS?") == ['+CPMS: "ME",1,50,"ME",1,50,"ME",1,50', "OK"]
    assert port.command('AT+CPMS="XX"') == ["ERROR"]


def test_huawei_lists_clac_with_cr_cr_lf_and_accepts_what_gammu_sends(make_sim, open_port) -> None:
    sim = make_sim("huawei", noise_seconds=0)
    port = open_port(sim.link)
    port.command("ATE0")
    port.serial.write(b"AT+CLAC\r")
    raw = port.raw(lambda b: b.endswith(b"\r\nOK\r\n"))
    assert b"^PORTSEL\r\r\n" in raw
    assert port.command("AT^CURC=0") == ["OK"]
    assert port.command("AT^PORTSEL=1") == ["OK"]


def test_huawei_noise_until_curc_0(make_sim, open_port) -> None:
    sim = make_sim("huawei", noise_seconds=0.05)
    port = open_port(sim.link)
    port.expect(lambda line: line.startswith("^RSSI") or line.startswith("^HCSQ"))
    port.command("ATE0;^CURC=0")
    before = len(sim.commands)
    assert port.silent_for("", 0.3) == b""  # an empty line gets no answer, and no noise comes
    assert len(sim.commands) == before + 1


def test_unknown_profile_is_refused(tmp_path) -> None:
    with pytest.raises(SimulatorError):
        Simulator(tmp_path / "x", "nokia")
    assert set(PROFILES) >= {"sim800", "huawei", "ec25"}
