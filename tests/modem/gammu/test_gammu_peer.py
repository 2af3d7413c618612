"""Gammu, a real and independent AT client, reads the simulator as it reads hardware.

If Gammu identifies each profile and reads back (and links) every SMS we
inject, the simulator's framing, storage listing and PDUs are faithful enough
that our own gateway is not merely tested against its own assumptions.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from modem.simulator import Simulator
from tests.polling import wait_until

pytestmark = pytest.mark.skipif(not shutil.which("gammu"), reason="needs Debian's gammu (make system-deps)")

PERSIAN = (
    "بانک ملی ایران\nواریز: ۱,۲۵۰,۰۰۰ ریال\nبه کارت 6037-99**-****-1234\nمانده: ۲۵,۰۰۰,۰۰۰ ریال\n"
    "تاریخ: 1402/12/15-14:25 " * 2
)
GSM_LONG = "Deposit 1,250,000 IRR to card 6037-99**-****-1234 {ref 42} [ok] " * 3
IDENTITY = {
    "sim800": ("SIMCOM_Ltd", "865067020000001"),
    "huawei": ("Huawei", "867000000000002"),
    "ec25": ("Quectel", "866000000000003"),
    "zte": ("ZTE", "864000000000004"),
    "wavecom": ("Wavecom", "353000000000005"),
}


@pytest.fixture(params=sorted(IDENTITY))
def sim(request, tmp_path: Path) -> Iterator[Simulator]:
    with Simulator(tmp_path / "ttyUSB2", request.param, noise_seconds=0.5) as simulator:
        wait_until(lambda: simulator.status()["sms_ready"], 5, "the boot")
        yield simulator


def _gammurc(tmp_path: Path, sim: Simulator) -> Path:
    rc = tmp_path / "gammurc"
    rc.write_text(
        f"[gammu]\nport = {sim.link}\nconnection = at115200\nlogfile = {tmp_path / 'gammu.log'}\nlogformat = textall\n"
    )
    return rc


def _gammu(rc: Path, *args: str) -> str:
    done = subprocess.run(["gammu", "-c", str(rc), *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"gammu {' '.join(args)} failed: {done.stdout}\n{done.stderr}"
    return done.stdout


def test_gammu_identifies_the_profile(sim: Simulator, tmp_path: Path) -> None:
    out = _gammu(_gammurc(tmp_path, sim), "identify")
    maker, imei = IDENTITY[sim.profile.name]
    assert re.search(rf"Manufacturer\s*:\s*{maker}", out), out
    assert re.search(rf"IMEI\s*:\s*{imei}", out), out
    assert sim.profile.model in out
    if sim.profile.name == "huawei":
        # Gammu aborts its init on a Huawei that refuses these; the profile must accept them.
        assert {"AT^CURC=0", "AT^PORTSEL=1"} <= set(sim.commands)
    if sim.profile.name == "zte":
        # Gammu's phone table gives the MF190 its ZTE init (no CD-ROM, stay online); refused, it aborts.
        assert {"AT+ZCDRUN=8", "AT+ZOPRT=5"} <= set(sim.commands)
        assert not sim.status()["cd_autorun"]


def test_gammu_reads_and_links_every_sms(sim: Simulator, tmp_path: Path) -> None:
    delivered = sim.deliver_sms("bank melli", PERSIAN)  # UCS2, 8-bit reference
    delivered += sim.deliver_sms("10007000", GSM_LONG, ref_bits=16, order=[1, 0])  # GSM-7, 16-bit, reversed
    delivered += sim.deliver_sms("+989121234567", "Short one")  # one part, numeric sender
    parts = len(delivered)
    assert parts == 4 + 2 + 1 and len(sim.stored()) == parts
    rc = _gammurc(tmp_path, sim)
    listing = _gammu(rc, "getallsms")
    assert f"{parts} SMS parts in {parts} SMS sequences" in listing
    assert 'Remote number        : "bank melli"' in listing
    assert 'SMSC number          : "+9891100500"' in listing
    linked = _gammu(rc, "geteachsms")
    # geteachsms links the parts: the full texts must appear in one piece.
    assert PERSIAN in linked
    assert GSM_LONG in linked
    assert "Short one" in linked
    assert "ID (16 bit)" in linked and "ID (8 bit)" in linked


@pytest.mark.slow
def test_gammu_smsd_receives_and_empties_the_storage(sim: Simulator, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "smsdrc"
    config.write_text(
        f"[gammu]\nport = {sim.link}\nconnection = at115200\n\n"
        f"[smsd]\nservice = files\ninboxpath = {inbox}/\noutboxpath = {tmp_path}/\n"
        f"sentsmspath = {tmp_path}/\nerrorsmspath = {tmp_path}/\ninboxformat = unicode\n"
        f"logfile = {tmp_path / 'smsd.log'}\ndebuglevel = 1\nreceivefrequency = 1\n"
        "checksecurity = 0\ncheckbattery = 0\ncheckSignal = 0\n"
    )
    sim.deliver_sms("bank melli", PERSIAN)
    sim.deliver_sms("Pasargad", "Deposit 500,000 IRR")
    expected = len(sim.stored())
    smsd = subprocess.Popen(["gammu-smsd", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: len(list(inbox.iterdir())) == expected, 60, "gammu-smsd to write every part")
        wait_until(lambda: sim.stored() == [], 30, "gammu-smsd to delete what it read")
    finally:
        smsd.terminate()
        smsd.wait(20)
    # smsd pads its UTF-16 files with NUL (and sometimes stale bytes after it): cut at the first NUL.
    texts = [p.read_bytes().decode("utf-16").split("\x00", 1)[0] for p in sorted(inbox.iterdir())]
    assert "Deposit 500,000 IRR" in texts
    # smsd writes one file per part, in part order by name.
    assert "".join(t for t in texts if t != "Deposit 500,000 IRR") == PERSIAN


def test_gammu_sends_through_the_simulator(sim: Simulator, tmp_path: Path) -> None:
    """Gammu's own AT+CMGS (echo on, its own PDUs) is accepted, and the simulator shows the decoded text."""
    rc = _gammurc(tmp_path, sim)
    long_persian = PERSIAN.replace("\n", " ")[:200]
    _gammu(rc, "sendsms", "TEXT", "+989121234567", "-text", "Alert: box-1 modem is back")
    _gammu(rc, "sendsms", "TEXT", "09121234567", "-unicode", "-autolen", "400", "-text", long_persian)
    sent = sim.sent_messages()
    assert [m["text"] for m in sent] == ["Alert: box-1 modem is back", long_persian], sent
    assert sent[0]["encoding"] == "gsm7" and sent[1]["encoding"] == "ucs2"
    assert sent[1]["parts"] >= 3 and sent[1]["complete"]
    assert sent[1]["recipient"] == "09121234567"
