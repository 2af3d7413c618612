"""The network's time read by the running service: the clock rules, the reading written down, and its two users
(the clock gate, and the clock job that may set the clock)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from appliance.box import clock
from appliance.box.network_clock import NetworkClock
from appliance.domain.errors import ClockError

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
CCLK = '+CCLK: "26/11/28,12:30:00+14"'  # 09:00 UTC in Tehran


class Ticks:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def make(tmp_path, now=NOW, floor=None):
    ticks = Ticks()
    return NetworkClock(tmp_path / "network-time.json", floor=lambda: floor, now=lambda: now, monotonic=ticks), ticks


def test_a_reading_that_agrees_vouches_for_the_clock(tmp_path) -> None:
    net, _ = make(tmp_path)
    seen = net.observe("sim", CCLK)
    assert seen.accepted and seen.agrees and seen.modem_time == NOW
    assert clock.trusted_source(tmp_path / "ntp", tmp_path / "marker", net.path) is None  # written at NOW, not now
    record = json.loads(net.path.read_text())
    assert record["agrees"] and datetime.fromisoformat(record["modem_time"]) == NOW
    fresh = clock.network_reading(net.path, now=NOW + timedelta(minutes=1))
    assert fresh is not None and fresh[0] == NOW + timedelta(minutes=1) and fresh[1]


def test_a_reading_that_differs_is_written_but_vouches_for_nothing(tmp_path) -> None:
    net, _ = make(tmp_path, now=NOW - timedelta(minutes=7))  # the Pi booted with a clock 7 minutes late
    seen = net.observe("sim", CCLK)
    assert seen.accepted and not seen.agrees and seen.offset_seconds == 420
    reading = clock.network_reading(net.path, now=NOW - timedelta(minutes=6))
    assert reading is not None and reading[1] is False


@pytest.mark.parametrize(
    ("cclk", "reason"),
    [
        ('+CCLK: "04/01/01,00:00:08+00"', "not set by the network"),  # a factory date: no NITZ yet
        ("ERROR", "no +CCLK"),
        (None, "no time"),
    ],
)
def test_no_time_or_a_factory_date_is_refused(tmp_path, cclk, reason) -> None:
    net, _ = make(tmp_path)
    seen = net.observe("sim", cclk)
    assert not seen.accepted and reason in seen.reason and not net.path.exists()


def test_a_time_before_what_has_passed_is_refused(tmp_path) -> None:
    net, _ = make(tmp_path, floor=NOW + timedelta(days=30))
    seen = net.observe("sim", CCLK)
    assert not seen.accepted and "already passed" in seen.reason


def test_never_backwards_a_reading_behind_the_last_one_is_refused(tmp_path) -> None:
    net, ticks = make(tmp_path)
    assert net.observe("sim", CCLK).accepted
    ticks.value += 600  # ten minutes later (monotonic) the modem says 09:05: five minutes back
    seen = net.observe("sim", '+CCLK: "26/11/28,12:35:00+14"')
    assert not seen.accepted and "went back by 300 s" in seen.reason
    seen = net.observe("sim", '+CCLK: "26/11/28,12:40:20+14"')  # 09:10:20: within the tolerance
    assert seen.accepted


def test_a_stale_reading_or_one_from_the_future_is_not_used(tmp_path) -> None:
    net, _ = make(tmp_path)
    net.observe("sim", CCLK)
    assert clock.network_reading(net.path, now=NOW + clock.FRESH + timedelta(seconds=1)) is None
    assert clock.network_reading(net.path, now=NOW - timedelta(minutes=1)) is None  # the clock went back


def test_the_clock_job_takes_a_fresh_reading_instead_of_the_port_the_service_holds(tmp_path, pty_modem) -> None:
    path = tmp_path / "network-time.json"
    now = datetime.now(UTC).replace(microsecond=0)
    observed = now - timedelta(seconds=30)
    record = {"modem": "sim", "modem_time": (observed + timedelta(hours=2)).isoformat(), "observed_at": observed}
    path.write_text(json.dumps({**record, "observed_at": observed.isoformat(), "agrees": False}))
    when = clock.read_modem_clock("/dev/does-not-exist", 115200, "sim800", network_file=path)
    assert abs(when - (now + timedelta(hours=2))) < timedelta(seconds=5)
    # Too old to set a clock from: the port is opened (here it does not exist).
    old = now - timedelta(minutes=3)
    path.write_text(json.dumps({**record, "observed_at": old.isoformat(), "agrees": False}))
    with pytest.raises(ClockError, match="cannot talk to the modem"):
        clock.read_modem_clock("/dev/does-not-exist", 115200, "sim800", network_file=path)
    modem = pty_modem({"AT+CLTS=1": "OK", "AT+CCLK?": '+CCLK: "26/11/28,12:34:56+14"\r\n\r\nOK'})
    assert clock.read_modem_clock(modem.port, 115200, "sim800", timeout=3, network_file=path) == datetime(
        2026, 11, 28, 9, 4, 56, tzinfo=UTC
    )
