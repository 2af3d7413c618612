"""The receiver against every simulator fault: it recovers, and no message is lost or duplicated."""

from __future__ import annotations

from collections import Counter

import pytest

from modem.gateway import ModemGateway
from modem.messages import Part, assemble, group_parts
from modem.receiver import Receiver

from .conftest import RecordingSink, wait_until

LONG = "بانک ملی ایران\nانتقال:18,500,000+\nحساب:30417\nمانده:126,944,210\n0627-10:18" * 2


def settled(sim, sink: RecordingSink, expected: list[str], timeout: float = 20.0) -> None:
    """Every expected PDU reached the sink exactly once, and the modem's storage is empty."""
    wait_until(
        lambda: Counter(sink.pdus) == Counter(expected) and not sim.stored(),
        timeout,
        what=f"{len(expected)} parts in the sink and an empty SIM "
        f"(sink has {len(sink.pdus)}, SIM has {len(sim.stored())})",
    )
    assert Counter(sink.pdus) == Counter(expected), "a part reached the sink twice"


@pytest.mark.parametrize("profile", ["sim800", "huawei", "ec25", "zte", "wavecom"])
def test_sms_before_start_and_after(make_sim, make_receiver, profile: str) -> None:
    sim = make_sim(profile)
    before = sim.deliver_sms("+98700717", "waiting on the SIM")  # arrived while nothing listened
    rx, sink = make_receiver(str(sim.link))
    settled(sim, sink, before)
    after = sim.deliver_sms("bank melli", LONG, order=[1, 2, 0])
    settled(sim, sink, before + after)
    assert rx.status["last_sms_at"] is not None and rx.status["parts_delivered"] == len(before + after)


def test_hang(make_sim, make_receiver) -> None:
    sim = make_sim("sim800")
    rx, sink = make_receiver(str(sim.link))
    sim.hang(3)
    during = sim.deliver_sms("+98700717", "sent while the modem hangs")
    rx.sweep_now()  # meets the hang: timeout, reconnect
    wait_until(lambda: rx.status["state"] != "connected" or sink.pdus, what="the hang to be noticed")
    settled(sim, sink, during)
    assert rx.status["reconnects"] >= 1
    after = sim.deliver_sms("+98700717", "after the hang")
    settled(sim, sink, during + after)


def test_garbage(make_sim, make_receiver) -> None:
    sim = make_sim("huawei")
    rx, sink = make_receiver(str(sim.link))
    sim.garbage(b"\x00\xff\xff\xfe\r\n\x80\x81garbage\r\n\xff")
    pdus = sim.deliver_sms("+98700717", "after garbage")
    settled(sim, sink, pdus)
    assert rx.status["reconnects"] == 0


def test_unplug_and_replug(make_sim, make_receiver) -> None:
    sim = make_sim("ec25")
    rx, sink = make_receiver(str(sim.link))
    sim.unplug(replug_after=0.5)
    wait_until(lambda: rx.status["state"] != "connected", what="the unplug to be noticed")
    pdus = sim.deliver_sms("+98700717", LONG)  # lands while unplugged or booting
    settled(sim, sink, pdus)
    wait_until(lambda: rx.status["state"] == "connected", what="the reconnect")
    assert rx.status["reconnects"] >= 1


def test_replug_under_another_name(make_sim, make_receiver, tmp_path) -> None:
    sim = make_sim("huawei", name="ttyUSB2")
    rx, sink = make_receiver(str(tmp_path / "ttyUSB*"))  # a pattern, like /dev/serial/by-id/usb-HUAWEI*
    sim.unplug(replug_after=0.5, new_name="ttyUSB3")
    pdus = sim.deliver_sms("+98700717", "after re-enumeration")
    settled(sim, sink, pdus)
    wait_until(lambda: rx.status["device"] == str(tmp_path / "ttyUSB3"), what="the new port name")


def test_reboot(make_sim, make_receiver) -> None:
    sim = make_sim("huawei")  # its default is CNMI=0,0: no +CMTI after a reboot until re-initialised
    rx, sink = make_receiver(str(sim.link), sweep_seconds=300)  # no periodic sweep to hide a lost +CMTI
    assert sim.status()["cnmi"][1] == 1
    sim.reboot()
    wait_until(lambda: sim.status()["cnmi"][1] == 0, what="the simulated reboot")
    wait_until(
        lambda: sim.status()["cnmi"][1] == 1 and sim.status()["sms_ready"],
        what="the receiver to re-initialise the modem (new-message notifications back on)",
    )
    pdus = sim.deliver_sms("+98700717", "after the reboot")
    settled(sim, sink, pdus)


@pytest.mark.parametrize("profile", ["sim800", "ec25"])
def test_brownout(make_sim, make_receiver, profile: str) -> None:
    sim = make_sim(profile)
    rx, sink = make_receiver(str(sim.link), sweep_seconds=300)
    inits = sim.commands.count("AT+CMGF=0")
    sim.brownout()  # warning, power-up garbage, a silent reboot with the settings lost
    pdus = sim.deliver_sms("+98700717", "after the brownout " + LONG, order=[1, 0, 2])
    settled(sim, sink, pdus)
    wait_until(
        lambda: sim.commands.count("AT+CMGF=0") > inits and sim.status()["cnmi"][1] == 1,
        what="the receiver to re-initialise after the brownout",
    )


def test_full_storage(make_sim, make_receiver) -> None:
    sim = make_sim("sim800")
    fillers = sim.fill_storage()
    waiting = sim.deliver_sms("+98700717", "held at the SMSC")
    assert sim.pending_at_smsc() == len(waiting)
    rx, sink = make_receiver(str(sim.link))
    settled(sim, sink, fillers + waiting, timeout=30)
    assert sim.pending_at_smsc() == 0


def test_sim_asks_for_its_pin(make_sim, make_receiver) -> None:
    sim = make_sim("ec25")
    rx, sink = make_receiver(str(sim.link), pin="1234")
    sim.require_pin("1234")
    pdus = sim.deliver_sms("+98700717", "after the PIN")
    rx.sweep_now()
    settled(sim, sink, pdus)


def test_network_lost(make_sim, make_receiver) -> None:
    sim = make_sim("huawei")
    rx, sink = make_receiver(str(sim.link), health_seconds=0.2)
    sim.lose_network(None)
    wait_until(lambda: (rx.status["health"] or {}).get("registered") is False, what="a sample without network")
    pdus = sim.deliver_sms("+98700717", "held while the network is gone")
    assert sim.pending_at_smsc() == len(pdus)
    sim.restore_network()
    settled(sim, sink, pdus)
    wait_until(lambda: rx.status["health"]["registered"], what="a sample with network")


def test_slow_answers(make_sim, make_receiver) -> None:
    sim = make_sim("sim800")
    rx, sink = make_receiver(str(sim.link), command_timeout=2.0)
    sim.slow(0.3)
    pdus = sim.deliver_sms("+98700717", LONG, order=[2, 1, 0])
    settled(sim, sink, pdus)
    sim.slow(0)


def test_urc_in_an_answer(make_sim, make_receiver) -> None:
    sim = make_sim("sim800")
    rx, sink = make_receiver(str(sim.link), sweep_seconds=300, health_seconds=0.2)
    sim.urc_in_answer()  # the +CMTI goes inside the next answer (a health sample's)
    pdus = sim.deliver_sms("+98700717", "inside an answer")
    settled(sim, sink, pdus)


def test_sink_failure_leaves_the_part_on_the_sim(make_sim, make_receiver) -> None:
    sim = make_sim("sim800")
    rx, sink = make_receiver(str(sim.link), sweep_seconds=0.3)
    sink.failures_left = 2
    pdus = sim.deliver_sms("+98700717", "the database was down")
    wait_until(lambda: rx.status["sink_failures"] == 2, what="two failed commits")
    assert [p for _, p in sim.stored()] == pdus or sink.pdus == pdus
    settled(sim, sink, pdus)


def test_a_sink_failure_is_the_receivers_last_error(make_sim, make_receiver) -> None:
    sim = make_sim("sim800")
    rx, sink = make_receiver(str(sim.link), sweep_seconds=0.3)
    sink.failures_left = 1
    pdus = sim.deliver_sms("+98700717", "the disk was full")
    wait_until(lambda: rx.status["sink_failures"] == 1, what="the failed commit")
    status = rx.status
    assert status["last_error"].startswith("the sink failed on ")
    assert status["last_error"].endswith(": the database is down")
    assert status["last_sink_failure_at"] is not None
    settled(sim, sink, pdus)


def test_network_duplicates_reach_the_sink_once(make_sim, make_receiver) -> None:
    sim = make_sim("sim800")
    rx, sink = make_receiver(str(sim.link))
    delivered = sim.deliver_sms("+98700717", LONG, repeat=[0, 2])
    assert len(delivered) == 5
    unique = list(dict.fromkeys(delivered))
    settled(sim, sink, unique)
    assert rx.status["duplicates_skipped"] == 2


def test_malformed_pdu_is_passed_on_and_deleted(make_sim, make_receiver) -> None:
    sim = make_sim("sim800")
    rx, sink = make_receiver(str(sim.link))
    bad = "0791891901500044" + "0411D0"
    sim.deliver_pdu(bad)
    settled(sim, sink, [bad])
    assert sink.parts[0].pdu is None and sink.parts[0].error


@pytest.mark.slow
def test_burst_with_a_hang_and_an_unplug(make_sim, make_receiver) -> None:
    """50 messages, a third multipart (some out of order, some parts twice), a hang and an unplug."""
    sim = make_sim("sim800")
    rx, sink = make_receiver(str(sim.link))
    expected: list[str] = []
    messages: dict[str, str] = {}
    for i in range(50):
        sender = f"+98912000{i:04d}"
        if i % 3 == 0:
            text = f"پیام {i} " + LONG
            order = [2, 0, 1] if i % 2 else None
            repeat = [1] if i % 4 == 0 else ()
            delivered = sim.deliver_sms(sender, text, order=order, repeat=repeat, ref_bits=16 if i % 2 else 8)
        else:
            text = f"deposit {i}: {i * 1000} rial"
            delivered = sim.deliver_sms(sender, text, repeat=[0] if i % 7 == 0 else ())
        messages[sender] = text
        expected += list(dict.fromkeys(delivered))
        if i == 15:
            sim.hang(2)
        if i == 35:
            sim.unplug(replug_after=0.5)
    settled(sim, sink, expected, timeout=90)
    assert sim.pending_at_smsc() == 0
    parts = [Part.from_pdu(p.pdu) for p in sink.parts]
    texts = {assemble(group).sender: assemble(group).text for group in group_parts(parts).values()}
    assert texts == messages


def test_gives_up_when_no_modem_can_be_reached(tmp_path) -> None:
    reasons: list[str] = []
    sink = RecordingSink()
    rx = Receiver(
        lambda: ModemGateway(str(tmp_path / "ttyUSB9"), command_timeout=0.5),
        sink,
        give_up_seconds=0.5,
        max_retry_seconds=0.1,
        on_give_up=reasons.append,
    )
    rx.start()
    try:
        wait_until(lambda: reasons, what="the give-up signal")
        assert "no working modem" in reasons[0] and rx.status["gave_up"]
        assert rx.status["state"] == "down" and "no such port" in rx.status["last_error"]
    finally:
        rx.stop()
    assert len(reasons) == 1


def test_several_modems_on_one_box(make_sim, make_receiver) -> None:
    sims = [make_sim(profile) for profile in ("sim800", "huawei", "ec25")]
    receivers = [make_receiver(str(sim.link), name=f"modem-{i}") for i, sim in enumerate(sims)]
    expected = [sim.deliver_sms("+98700717", f"to modem {i} " + LONG) for i, sim in enumerate(sims)]
    for sim, (rx, sink), pdus in zip(sims, receivers, expected, strict=True):
        settled(sim, sink, pdus)
        assert rx.status["device"] == str(sim.link)


@pytest.mark.slow
def test_a_long_hang_escalates_to_a_reset_request(make_sim, make_receiver) -> None:
    sim = make_sim("sim800")
    rx, sink = make_receiver(str(sim.link), command_timeout=0.3, reset_after=2)
    sim.hang(8)
    rx.sweep_now()
    wait_until(lambda: rx.status["resets"] >= 1, what="a reset request to the silent modem")
    pdus = sim.deliver_sms("+98700717", "after the long hang")
    settled(sim, sink, pdus, timeout=30)


@pytest.mark.parametrize("pin", [None, "0000"])
def test_a_missing_or_refused_pin_stops_reception_without_retrying(make_sim, pin) -> None:
    sim = make_sim("sim800")
    sim.require_pin("1234")
    reasons: list[str] = []
    rx = Receiver(
        lambda: ModemGateway(str(sim.link), pin=pin, command_timeout=1.0),
        RecordingSink(),
        max_retry_seconds=0.1,
        give_up_seconds=0.1,
        on_give_up=reasons.append,
    )
    rx.start()
    wait_until(lambda: rx.status["state"] == "sim_locked", what="the receiver to stop on the PIN")
    rx.stop()
    pin_entries = [c for c in sim.commands if c.upper().startswith("AT+CPIN=")]
    assert len(pin_entries) == (1 if pin else 0)  # a refused PIN is never entered twice
    assert reasons == [] and rx.status["state"] == "sim_locked"
