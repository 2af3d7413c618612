"""Quirks real sticks have, each simulated over a real pty, and what the gateway and the receiver do about them."""

from __future__ import annotations

import statistics
import time
from collections import Counter

import pytest

from modem.gateway import ModemGateway
from modem.pdu_encode import encode_deliver
from modem.receiver import Receiver

from .conftest import RecordingSink, wait_until


def settled(sim, sink: RecordingSink, expected: list[str], timeout: float = 20.0) -> None:
    """Every expected PDU reached the sink exactly once, and the modem's storage is empty."""
    wait_until(
        lambda: Counter(sink.pdus) == Counter(expected) and not sim.stored(),
        timeout,
        what=f"{len(expected)} parts in the sink and an empty SIM (sink {len(sink.pdus)}, SIM {len(sim.stored())})",
    )


def started(rx: Receiver) -> Receiver:
    rx.start()
    wait_until(lambda: rx.status["state"] == "connected" and rx.status["sweeps"] >= 1, what="the first sweep")
    return rx


# -- (a) new SMS stored in ME although SM was asked for, and the reverse ------------------------------------
@pytest.mark.parametrize(("asked", "actual"), [("SM", "ME"), ("ME", "SM")])
def test_sms_stored_in_the_other_storage_are_found_and_its_fill_is_reported(make_sim, asked, actual) -> None:
    sim = make_sim("huawei", quirks={"misroute_to": actual}, noise_seconds=0)
    sink = RecordingSink()
    rx = Receiver(
        lambda: ModemGateway(str(sim.link), command_timeout=1.0, prefer_memory=asked),
        sink,
        sweep_seconds=300,  # no periodic sweep: the +CMTI naming the other storage must be enough
        health_seconds=0.3,
        max_retry_seconds=0.5,
    )
    started(rx)
    try:
        assert sim.status()["cpms"][2] == asked
        pdus = sim.deliver_sms("bank melli", "deposit 120,010 rial")
        settled(sim, sink, pdus)
        assert {p.memory for p in sink.parts} == {actual}
        # The sweep hands a part on (and deletes it) before it writes its findings to the status.
        wait_until(lambda: rx.status["misrouted_storage"] == actual, what=f"the status naming {actual}")
        # The storage that really fills is the one health reports: full means new SMS wait at the SMSC.
        # The store is down, so no sweep empties it again (nothing leaves the SIM before it is committed).
        sink.failures_left = 10**6
        sim.fill_storage()
        capacity = sim.engine.capacity[actual]
        wait_until(
            lambda: (rx.status["health"] or {}).get("storage_used") == capacity,
            what=f"a health sample with {actual} full",
        )
        assert rx.status["health"]["storage_total"] == capacity
    finally:
        rx.stop()


# -- (b) no more +CMTI after a re-registration until AT+CNMI is sent again ----------------------------------
def test_cnmi_is_sent_again_when_the_network_comes_back(make_sim, make_receiver) -> None:
    sim = make_sim("sim800", quirks={"forgets_cnmi_on_reregistration": True})
    rx, sink = make_receiver(str(sim.link), sweep_seconds=300)  # only a +CMTI can bring the SMS in
    sent = len(sim.commands_received("AT+CNMI="))
    sim.lose_network(0.3)  # "+CREG: 2", then "+CREG: 1": the firmware forgot <mt>
    wait_until(lambda: rx.status["notifications_reset"] >= 1, what="CNMI sent again after the +CREG: 1")
    assert len(sim.commands_received("AT+CNMI=")) > sent and sim.status()["cnmi"][1] == 1
    pdus = sim.deliver_sms("bank melli", "after the network came back")
    settled(sim, sink, pdus, timeout=5)


def test_cnmi_is_sent_again_when_health_sampling_sees_the_registration_return(make_sim, make_receiver) -> None:
    sim = make_sim("ec25", quirks={"forgets_cnmi_on_reregistration": True})
    sim.fail_command("AT+CREG=1", code=4, kind="CME")  # this modem gives no +CREG URCs
    rx, sink = make_receiver(str(sim.link), sweep_seconds=300, health_seconds=0.2)
    sim.lose_network(None)
    wait_until(lambda: (rx.status["health"] or {}).get("registered") is False, what="a sample without network")
    sim.restore_network()
    wait_until(lambda: rx.status["notifications_reset"] >= 1, what="CNMI sent again after a sample saw the network")
    pdus = sim.deliver_sms("bank melli", "seen by sampling")
    settled(sim, sink, pdus, timeout=5)


# -- (c) a modem that silently stops raising +CMTI: the periodic sweep catches everything in time -----------
SWEEP_SECONDS = 1.0
SLACK_SECONDS = 1.0  # one sweep's own duration and the simulator's delivery, with room for a loaded machine


def test_a_modem_that_never_raises_cmti_loses_nothing_and_is_late_by_at_most_one_sweep(make_sim) -> None:
    sim = make_sim("ec25", quirks={"cmti": False})
    sink = RecordingSink()
    rx = started(Receiver(lambda: ModemGateway(str(sim.link), command_timeout=1.0), sink, sweep_seconds=SWEEP_SECONDS))
    delays = []
    try:
        for i in range(8):
            # Deliver just after a sweep began: the worst moment, a whole interval before the next one.
            swept = rx.status["sweeps"]
            wait_until(lambda swept=swept: rx.status["sweeps"] > swept, SWEEP_SECONDS + 5, what="a sweep")
            start = time.monotonic()
            pdus = sim.deliver_sms("bank melli", f"deposit {i}")
            wait_until(lambda: set(pdus) <= set(sink.pdus), SWEEP_SECONDS + 5, what=f"deposit {i}")
            delays.append(time.monotonic() - start)
    finally:
        rx.stop()
    assert len(sink.pdus) == 8 and not sim.stored()
    assert max(delays) <= SWEEP_SECONDS + SLACK_SECONDS, (
        f"worst {max(delays):.2f} s, median {statistics.median(delays):.2f} s"
    )


# -- (d) +CMS ERROR: 321/322 in the middle of a sweep --------------------------------------------------------
def test_storage_errors_in_the_middle_of_a_sweep_lose_nothing_and_the_sweep_goes_on(make_sim, caplog) -> None:
    sim = make_sim("sim800")
    in_sm = sim.deliver_sms("bank melli", "one") + sim.deliver_sms("bank melli", "two")
    [in_me] = encode_deliver("bank melli", "three")
    with sim._lock:
        sim.engine.store(in_me, "ME")
    sim.fail_command("AT+CMGL=4", code=322)  # listing SM: "memory full"
    sim.fail_command("AT+CMGD", code=321)  # a delete: "invalid index"
    sim.fail_command("AT+CMGR", code=322)  # the re-read before a delete
    sink = RecordingSink()
    rx = started(Receiver(lambda: ModemGateway(str(sim.link), command_timeout=1.0), sink, sweep_seconds=0.5))
    try:
        settled(sim, sink, in_sm + [in_me])
    finally:
        rx.stop()
    assert sink.parts[0].memory == "ME"  # the first sweep went on to ME when SM could not be listed
    assert "listing SM failed" in caplog.text
    assert rx.status["deletes_failed"] >= 1 and rx.status["duplicates_skipped"] >= 1
    assert rx.status["last_error"].startswith("SMS storage full (SM)")


def test_a_full_storage_is_reported_and_emptied(make_sim, make_receiver) -> None:
    sim = make_sim("huawei", noise_seconds=0)
    rx, sink = make_receiver(str(sim.link), sweep_seconds=300)
    fillers = sim.fill_storage()  # no URC: as if they came while nobody listened
    waiting = sim.deliver_sms("bank melli", "held at the SMSC")  # the modem says ^SMMEMFULL
    settled(sim, sink, fillers + waiting, timeout=30)
    assert rx.status["last_error"].startswith("SMS storage full (SM)")
    assert sim.pending_at_smsc() == 0


# -- (e) status reports and class-0 flash SMS among the deposits ---------------------------------------------
@pytest.mark.parametrize(
    ("profile", "quirks"),
    [
        ("sim800", {"status_reports": "store"}),  # reports stored among the SMS, flash stored too
        ("ec25", {"status_reports": "cds", "class0": "direct"}),  # +CDS and +CMT (never stored)
        ("huawei", {"status_reports": "store", "class0": "direct"}),
    ],
)
def test_status_reports_and_flash_sms_among_deposits(make_sim, make_receiver, profile, quirks) -> None:
    sim = make_sim(profile, quirks=quirks, noise_seconds=0)
    rx, sink = make_receiver(str(sim.link), sweep_seconds=300)
    expected = sim.deliver_sms("bank melli", "deposit one")
    sim.deliver_status_report(message_ref=7)
    sim.urc_in_answer()  # the next URCs (a +CDS or a +CMT with its PDU line) arrive inside an answer
    rx.sweep_now()
    expected += sim.deliver_flash("bank melli", "flash deposit")
    sim.deliver_status_report(message_ref=8)
    expected += sim.deliver_sms("bank melli", "deposit two")
    settled(sim, sink, expected)  # the deposits and the flash SMS, each once; no status report
    assert "flash deposit" in sink.texts()
    # The sweep counts after it has handed the parts on: wait for its count rather than read it at once.
    wait_until(lambda: rx.status["flash_sms"] == 1, what="the flash SMS counted")
    if quirks.get("class0") == "direct":
        assert [p.memory for p in sink.parts if p.flash] == ["CMT"]
    rx.sweep_now()
    wait_until(lambda: rx.status["status_reports"] == 2, what="both status reports seen and counted")
    assert rx.status["state"] == "connected" and rx.status["reconnects"] == 0
