"""The simulator reproduces what the unpatched python-gsmmodem 0.13.0 is known to do on real modems.

If the vanilla library loses the second part of a burst and dies on a 0xFF byte
here, as it does on hardware, then our gateway's tests that show these are
handled mean something.
"""

from __future__ import annotations

import pytest
from gsmmodem.modem import GsmModem

from .conftest import wait_until


@pytest.fixture
def vanilla(make_sim):
    sim = make_sim("sim800")
    received: list = []
    modem = GsmModem(str(sim.link), 115200, smsReceivedCallbackFunc=received.append)
    modem.connect()
    yield sim, modem, received
    modem.close()


def test_a_burst_of_two_cmti_gives_the_vanilla_library_one_callback(vanilla) -> None:
    sim, modem, received = vanilla
    pdus = sim.deliver_sms("bank melli", "x" * 300)  # two parts, two +CMTI in one write
    assert len(pdus) == 2
    # The handler reads one part, calls back, deletes it and returns: the second stays on the SIM.
    wait_until(lambda: any(c.startswith("AT+CMGD=") for c in sim.commands), what="the library's delete")
    modem.write("AT")  # a round trip after the handler is done
    assert len(received) == 1
    assert sum(c.startswith("AT+CMGR=") for c in sim.commands) == 1
    assert [pdu for _, pdu in sim.stored()] == [pdus[1]]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_0xff_byte_kills_the_vanilla_reader_but_alive_stays_true(vanilla) -> None:
    sim, modem, _ = vanilla
    sim.garbage(b"\xff\r\n")
    wait_until(lambda: not modem.rxThread.is_alive(), what="the reader thread to die")
    assert modem.alive
