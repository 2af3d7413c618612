"""Every fault the simulator offers, observed at the AT level by a raw client on the pty."""

from __future__ import annotations

import os

import pytest
import serial

from .conftest import wait_until


def _ready(port, *extra: str) -> None:
    port.command("ATE0")
    port.command("AT+CMEE=1")
    for cmd in extra:
        assert port.command(cmd)[-1] == "OK"


def test_hang_ignores_commands_and_keeps_sms_at_the_smsc(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    port = open_port(sim.link)
    _ready(port)
    sim.hang(0.6)
    assert port.silent_for("AT", 0.2) == b""
    sim.deliver_sms("bank melli", "during the hang")
    assert sim.pending_at_smsc() == 1 and sim.stored() == []
    wait_until(lambda: not sim.status()["hung"], what="the hang to end")
    answer = port.command("AT")
    assert answer[-1] == "OK"
    # The held SMS is delivered as the hang ends: its URC may come before or after the OK.
    if '+CMTI: "SM",1' not in answer:
        port.expect(lambda line: line == '+CMTI: "SM",1')
    assert sim.pending_at_smsc() == 0 and len(sim.stored()) == 1


def test_garbage_bytes_reach_the_client_verbatim(make_sim, open_port) -> None:
    sim = make_sim("ec25")
    port = open_port(sim.link)
    _ready(port)
    sim.garbage(b"\xff\x00\xfe\r\n")
    assert port.raw(lambda b: len(b) >= 5) == b"\xff\x00\xfe\r\n"
    assert port.command("AT") == ["OK"]


def test_unplug_and_replug_under_another_name(make_sim, open_port) -> None:
    sim = make_sim("huawei", noise_seconds=0)
    old_link = sim.link
    port = open_port(old_link)
    _ready(port, "AT+CNMI=2,1,0,0,0")
    sim.deliver_sms("bank melli", "before")
    port.expect(lambda line: line.startswith("+CMTI"))
    sim.unplug(replug_after=None)
    with pytest.raises(serial.SerialException):
        port.serial.read(1)
    assert not old_link.exists() and not old_link.is_symlink()
    sim.deliver_sms("bank melli", "while unplugged")
    assert sim.pending_at_smsc() == 1
    sim.replug(new_name="ttyUSB7")
    assert sim.link == old_link.with_name("ttyUSB7")
    wait_until(lambda: sim.status()["sms_ready"])
    port2 = open_port(sim.link)
    # Power-cycled: echo is back on and CNMI is the default again (Huawei: no URCs until configured).
    assert port2.command("AT") == ["AT", "OK"]
    assert port2.command("AT+CNMI?")[-2:] == ["+CNMI: 0,0,0,0,0", "OK"]
    wait_until(lambda: len(sim.stored()) == 2, what="the held SMS to arrive")
    assert sim.pending_at_smsc() == 0


def test_unplug_with_timed_replug(make_sim) -> None:
    sim = make_sim("sim800")
    target = os.readlink(sim.link)
    sim.unplug(replug_after=0.1)
    wait_until(lambda: sim.link.is_symlink() and sim.status()["generation"] == 2)
    assert os.readlink(sim.link).startswith("/dev/pts/") and target


@pytest.mark.parametrize(
    ("profile", "first", "last"),
    [
        ("sim800", "RDY", "SMS Ready"),
        ("ec25", "RDY", "+QIND: SMS DONE"),
        ("huawei", "^BOOT:48175390,0,0,0,89", "^MODE:5,4"),
    ],
)
def test_reboot_emits_boot_urcs_and_forgets_settings(make_sim, open_port, profile, first, last) -> None:
    sim = make_sim(profile, noise_seconds=0, boot_seconds=0.3)
    port = open_port(sim.link)
    _ready(port, "AT+CNMI=1,1,0,0,0")
    sim.reboot()
    lines = port.expect(lambda line: line == first)
    assert first in lines
    # Until SMS are ready the storage answers "SIM busy" (CMEE is back to 0, so set it again).
    assert port.command("AT+CMEE=1") == ["AT+CMEE=1", "OK"]  # echo is back on
    if not sim.status()["sms_ready"]:
        assert port.command("AT+CMGL=4")[-1] in ("+CMS ERROR: 314", "OK")
    port.expect(lambda line: line == last)
    assert port.command("AT+CNMI?")[-2] == "+CNMI: " + ",".join(map(str, sim.profile.cnmi_default))


def test_cfun_1_1_reboots(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    port = open_port(sim.link)
    _ready(port)
    assert port.command("AT+CFUN=1,1") == ["OK"]
    port.expect(lambda line: line == "SMS Ready")


def test_full_storage_holds_sms_at_the_smsc_until_a_delete(make_sim, open_port) -> None:
    sim = make_sim("huawei", capacity=4, noise_seconds=0)
    port = open_port(sim.link)
    _ready(port, "AT+CNMI=1,1,0,0,0")
    fillers = sim.fill_storage()
    assert len(fillers) == 4 and len(sim.stored()) == 4
    sim.deliver_sms("bank melli", "waits")
    port.expect(lambda line: line == '^SMMEMFULL: "SM"')
    assert sim.pending_at_smsc() == 1
    assert port.command("AT+CPMS?") == ['+CPMS: "SM",4,4,"SM",4,4,"SM",4,4', "OK"]
    assert port.command("AT+CMGD=2") == ["OK"]
    port.expect(lambda line: line == '+CMTI: "SM",2')
    assert sim.pending_at_smsc() == 0


def test_sim_pin(make_sim, open_port) -> None:
    sim = make_sim("ec25")
    port = open_port(sim.link)
    _ready(port, "AT+CNMI=2,1,0,0,0")
    sim.require_pin("1234")
    port.expect(lambda line: line == "+CPIN: SIM PIN")
    assert port.command("AT+CPIN?") == ["+CPIN: SIM PIN", "OK"]
    assert port.command("AT+CMGL=4") == ["+CMS ERROR: 311"]
    sim.deliver_sms("bank melli", "after the PIN")
    assert sim.pending_at_smsc() == 1
    assert port.command('AT+CPIN="0000"') == ["+CME ERROR: 16"]
    assert port.command('AT+CPIN="1234"')[-1] == "OK"
    port.expect(lambda line: line.startswith("+CMTI"))
    assert sim.pending_at_smsc() == 0


def test_network_loss(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    port = open_port(sim.link)
    _ready(port, "AT+CREG=1")
    sim.lose_network(None)
    port.expect(lambda line: line == "+CREG: 2")
    assert port.command("AT+CSQ") == ["+CSQ: 99,99", "OK"]
    assert port.command("AT+COPS?") == ["+COPS: 0", "OK"]
    sim.deliver_sms("bank melli", "when the network is back")
    assert sim.pending_at_smsc() == 1
    sim.restore_network()
    port.expect(lambda line: line.startswith("+CMTI"))
    assert port.command("AT+COPS?") == ['+COPS: 0,0,"IR-MCI",7', "OK"]


def test_network_comes_back_by_itself(make_sim) -> None:
    sim = make_sim("sim800")
    sim.lose_network(0.1)
    sim.deliver_sms("bank melli", "later")
    wait_until(lambda: sim.pending_at_smsc() == 0 and len(sim.stored()) == 1)


def test_slow_answers_let_urcs_overtake(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    port = open_port(sim.link)
    _ready(port)
    sim.slow(0.3)
    port.serial.write(b"AT+CSQ\r")
    sim.deliver_sms("bank melli", "overtakes")
    assert '+CMTI: "SM",1' in port.expect(lambda line: line == "+CSQ: 18,0")
    sim.slow(0)


def test_urc_inside_an_answer(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    port = open_port(sim.link)
    _ready(port)
    sim.urc_in_answer("+CREG: 1")
    assert port.command("AT+CSQ") == ["+CSQ: 18,0", "+CREG: 1", "OK"]
    sim.urc_in_answer()  # the next real URC is held for the next answer
    sim.deliver_sms("bank melli", "inside")
    assert port.command("AT+CSQ") == ["+CSQ: 18,0", '+CMTI: "SM",1', "OK"]


def test_multipart_parts_arrive_in_the_requested_order_with_gaps_and_repeats(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    port = open_port(sim.link)
    _ready(port)
    text = "سلام " * 36  # 180 UCS2 characters -> 3 parts of 66
    delivered = sim.deliver_sms("bank melli", text, order=[2, 0, 1], drop=[1], repeat=[0], ref_bits=16)
    assert len(delivered) == 3 and delivered[0] != delivered[1] and delivered[1] == delivered[2]
    port.expect(lambda line: line == '+CMTI: "SM",3')
    assert [pdu for _, pdu in sim.stored()] == delivered


def test_direct_delivery_with_mt_2_is_not_stored(make_sim, open_port) -> None:
    sim = make_sim("ec25")
    port = open_port(sim.link)
    _ready(port, "AT+CNMI=2,2,0,0,0")
    pdu = sim.deliver_sms("bank melli", "direct")[0]
    lines = port.expect(lambda line: line == pdu)
    assert lines[-2].startswith("+CMT: ,")
    assert sim.stored() == []


def test_delete_all_read_with_flag(make_sim, open_port) -> None:
    sim = make_sim("sim800")
    port = open_port(sim.link)
    _ready(port)
    sim.deliver_sms("a", "one")
    sim.deliver_sms("b", "two")
    port.expect(lambda line: line == '+CMTI: "SM",2')
    port.command("AT+CMGR=1")
    assert port.command("AT+CMGD=1,1") == ["OK"]  # deletes the read one only
    assert [i for i, _ in sim.stored()] == [2]
    assert port.command("AT+CMGD=1,4") == ["OK"]
    assert sim.stored() == []


def test_direct_delivery_with_csms_1_needs_cnma_or_the_modem_stops_announcing(make_sim, open_port) -> None:
    sim = make_sim("ec25", ack_seconds=0.3)
    port = open_port(sim.link)
    _ready(port, "AT+CSMS=1", "AT+CNMI=2,2,0,0,0")
    assert port.command("AT+CNMA") == ["+CMS ERROR: 340"]  # nothing to acknowledge
    first = sim.deliver_sms("bank melli", "acked")[0]
    port.expect(lambda line: line == first)
    second = sim.deliver_sms("bank melli", "waits for the ack")[0]
    assert sim.pending_at_smsc() == 1  # no new +CMT before the ack
    assert port.command("AT+CNMA") == ["OK"]
    port.expect(lambda line: line == second)
    # Not acknowledged in time: the SMSC keeps it, and the modem falls back to <mt>=0, <ds>=0.
    wait_until(lambda: sim.status()["cnmi"] == [2, 0, 0, 0, 0], what="the ack timeout")
    wait_until(lambda: len(sim.stored()) == 1, what="the SMSC's retry to be stored silently")
    assert sim.stored()[0][1] == second


def test_huawei_drops_a_command_sent_while_it_is_busy(make_sim, open_port) -> None:
    sim = make_sim("huawei", noise_seconds=0)
    port = open_port(sim.link)
    _ready(port)
    sim.slow(0.3)
    port.serial.write(b"AT+CSQ\r")
    wait_until(lambda: sim.commands[-1] == "AT+CSQ", what="the first command to be taken")
    port.serial.write(b"AT+CGMI\r")  # pipelined: ignored by a Huawei
    port.expect(lambda line: line == "+CSQ: 18,0")
    sim.slow(0)
    assert port.command("AT") == ["OK"]
    assert "AT+CGMI" not in sim.commands and "huawei" not in port.history


def test_deliveries_never_block_when_nobody_reads_the_port(make_sim, open_port) -> None:
    sim = make_sim("sim800", capacity=255)
    for _ in range(1000):  # ~70 KB of noise; a pty queues a few tens of KB
        sim.urc("+CSQN: " + "9" * 60)
    sim.deliver_sms("bank melli", "still delivered")
    assert len(sim.stored()) == 1
    port = open_port(sim.link)  # pyserial flushes what piled up; the port still works
    assert port.command("AT") == ["AT", "OK"]
