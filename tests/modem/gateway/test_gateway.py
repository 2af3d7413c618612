"""ModemGateway against the simulator's three modem families, over real pseudo-terminals."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from modem.errors import ModemTimeout, PinRequired, PortError, SlotChanged
from modem.gateway import ModemGateway, StoredPart
from modem.simulator import Simulator

from .conftest import wait_until

LONG = "بانک ملی ایران\nانتقال:18,500,000+\nحساب:30417\nمانده:126,944,210\n0627-10:18" * 2


class Wakeups:
    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            self.count += 1


@pytest.fixture
def connect() -> Iterator[Callable[..., tuple[ModemGateway, Wakeups]]]:
    """Connect a gateway to a simulator; every gateway is closed at the end of the test."""
    gateways: list[ModemGateway] = []

    def opener(sim: Simulator, **kwargs: object) -> tuple[ModemGateway, Wakeups]:
        wakeups = Wakeups()
        gw = ModemGateway(str(sim.link), on_wakeup=wakeups, command_timeout=1.0, **kwargs)  # type: ignore[arg-type]
        gw.connect()
        gateways.append(gw)
        return gw, wakeups

    yield opener
    for gw in gateways:
        gw.close()


@pytest.mark.parametrize("profile,first_index", [("sim800", 1), ("huawei", 0), ("ec25", 0), ("zte", 0), ("wavecom", 1)])
def test_receive_list_and_delete(make_sim, connect, profile: str, first_index: int) -> None:
    sim = make_sim(profile)
    gw, wakeups = connect(sim)
    assert gw.identity.profile == profile
    pdus = sim.deliver_sms("+98700717", LONG, order=[2, 0, 1]) + sim.deliver_sms("bank melli", "سلام")
    # Every +CMTI of the burst reaches the caller (python-gsmmodem handled only the first).
    wait_until(lambda: wakeups.count >= 4, what="a wake-up per +CMTI")
    parts = gw.list_stored()
    assert sorted(p.pdu_hex for p in parts) == sorted(pdus)
    assert min(p.index for p in parts) == first_index
    assert all(p.pdu is not None and p.error is None for p in parts)
    assert {p.pdu.sender for p in parts} == {"+98700717", "bank melli"}
    for part in parts:
        gw.delete(part)
    assert sim.stored() == [] and gw.list_stored() == []


@pytest.mark.parametrize("profile", ["sim800", "ec25"])
def test_delete_rechecks_the_slot(make_sim, connect, profile: str) -> None:
    sim = make_sim(profile)
    gw, _ = connect(sim)
    [pdu] = sim.deliver_sms("+98700717", "first")
    [part] = wait_until(gw.list_stored, what="the SMS in storage")
    [other] = sim.deliver_sms("+98700717", "second")  # lands in another slot
    impostor = StoredPart(part.memory, part.index, 1, other, None)
    with pytest.raises(SlotChanged):
        gw.delete(impostor)
    assert sorted(p for _, p in sim.stored()) == sorted([pdu, other])
    gw.delete(part)
    gw.delete(part)  # already empty (CMS 321 on SIMCom, a bare OK on Quectel): not an error
    assert [p for _, p in sim.stored()] == [other]


def test_undecodable_pdu_is_listed_with_its_error_and_the_index_kept(make_sim, connect) -> None:
    sim = make_sim("sim800")
    gw, _ = connect(sim)
    [good_before] = sim.deliver_sms("+98700717", "before")
    sim.deliver_pdu("0791891901500044" + "0411D0")  # truncated after the sender
    [good_after] = sim.deliver_sms("+98700717", "after")
    parts = wait_until(lambda: len(gw.list_stored()) == 3 and gw.list_stored(), what="three parts")
    by_index = {p.index: p for p in parts}
    assert by_index[1].pdu_hex == good_before and by_index[3].pdu_hex == good_after
    assert by_index[2].pdu is None and "truncated" in (by_index[2].error or "")
    assert by_index[3].pdu.text == "after"


def test_urc_inside_an_answer_is_not_swallowed(make_sim, connect) -> None:
    sim = make_sim("sim800")
    gw, wakeups = connect(sim)
    sim.urc_in_answer()  # the next URC (the +CMTI below) goes inside the next answer
    sim.deliver_sms("+98700717", "inside")
    sample = gw.sample_health()
    assert sample.responsive and sample.signal_csq is not None and sample.sim_state == "READY"
    wait_until(lambda: wakeups.count >= 1, what="the +CMTI from inside the answer")
    assert [p.pdu.text for p in gw.list_stored()] == ["inside"]


def test_garbage_bytes_do_not_kill_the_reader(make_sim, connect) -> None:
    sim = make_sim("huawei")
    gw, wakeups = connect(sim)
    sim.garbage(b"\xff\xfe\x00\x00\xff\r\n\xc3\x28\x80 noise \xff\r\n")
    sim.deliver_sms("+98700717", "after the noise")
    wait_until(lambda: wakeups.count >= 1, what="the +CMTI after the noise")
    assert gw.alive
    assert [p.pdu.text for p in gw.list_stored()] == ["after the noise"]


def test_late_answer_is_not_taken_for_the_next(make_sim, connect) -> None:
    sim = make_sim("sim800")
    gw, _ = connect(sim)
    sim.slow(1.5)
    with pytest.raises(ModemTimeout):
        gw._cmd("AT+CSQ")
    sim.slow(0)
    # The late "+CSQ" answer must not be returned for this command.
    assert gw._cmd("AT+CGMI") == ["SIMCOM_Ltd"]
    assert gw.sample_health().responsive


def test_pin_required(make_sim, connect) -> None:
    sim = make_sim("ec25")
    sim.require_pin("4321")
    with pytest.raises(PinRequired):
        connect(sim)
    with pytest.raises(PinRequired):
        connect(sim, pin="0000")  # refused; the gateway never tries a second PIN
    sim2 = make_sim("ec25")
    sim2.require_pin("4321")
    gw, _ = connect(sim2, pin="4321")
    assert gw.sample_health().sim_state == "READY"


def test_exclusive_open_and_flow_control(make_sim, connect) -> None:
    sim = make_sim("sim800")
    gw, _ = connect(sim, rtscts=True)  # accepted (a pty ignores it); a Pi UART without wires needs False
    with pytest.raises(PortError):
        connect(sim)
    gw.close()
    gw2, _ = connect(sim)  # free again once closed
    assert gw2.alive


def test_unplug_is_noticed(make_sim, connect) -> None:
    sim = make_sim("sim800")
    gw, wakeups = connect(sim)
    sim.unplug(replug_after=None)
    wait_until(lambda: not gw.alive, what="the gateway to notice the unplug")
    assert wakeups.count >= 1
    with pytest.raises(PortError):
        gw.list_stored()


def test_health_sample(make_sim, connect) -> None:
    sim = make_sim("huawei")
    gw, _ = connect(sim)
    sim.deliver_sms("+98700717", "one")
    wait_until(lambda: sim.stored(), what="storage")
    sample = gw.sample_health()
    assert sample.responsive and sample.registered and sample.registration == "home"
    assert sample.operator and sample.signal_dbm == -113 + 2 * sample.signal_csq
    assert sample.storage_used == 1 and sample.storage_total and sample.storage_total > 1
    sim.lose_network(None)
    lost = gw.sample_health()
    assert lost.responsive and not lost.registered


def test_send_reset_restarts_the_modem(make_sim, connect) -> None:
    sim = make_sim("huawei")
    gw, _ = connect(sim)
    assert sim.status()["cnmi"][1] == 1
    gw.send_reset()
    assert not gw.alive
    wait_until(lambda: sim.status()["cnmi"][1] == 0, what="the modem to restart with its defaults")
    assert "AT+CFUN=1,1" in sim.commands


def test_a_storm_of_urcs_during_answers(make_sim, connect) -> None:
    sim = make_sim("sim800")
    gw, wakeups = connect(sim)
    stop = threading.Event()

    def storm() -> None:
        lines = ["^RSSI:17", "+CREG: 1", "+CSQN: 18,99", "UNDER-VOLTAGE WARNNING", "+CFUN: 0"]
        i = 0
        while not stop.wait(0.001):  # paces the noise; nothing waits on it
            sim.urc(lines[i % len(lines)])
            i += 1

    noise = threading.Thread(target=storm, daemon=True)
    noise.start()
    try:
        pdus = []
        for i in range(10):
            pdus += sim.deliver_sms(f"+98912{i:07d}", f"deposit {i}")
        wait_until(lambda: wakeups.count >= 10, what="ten wake-ups in the noise")
        for _ in range(3):
            parts = gw.list_stored()
            assert sorted(p.pdu_hex for p in parts) == sorted(pdus)
            sample = gw.sample_health()
            assert sample.responsive and sample.signal_csq == 18 and sample.sim_state == "READY"
    finally:
        stop.set()
        noise.join()
    for part in parts:
        gw.delete(part)
    assert sim.stored() == []
