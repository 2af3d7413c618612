"""The clock from the modem's network time (AT+CCLK?, 3GPP TS 27.007), against a real pty modem."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest

from appliance.box import clock
from appliance.domain.errors import ClockError

UTC = UTC


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ('+CCLK: "26/11/28,12:34:56+14"\r\nOK', datetime(2026, 11, 28, 9, 4, 56, tzinfo=UTC)),  # Tehran, +3:30
        ('+CCLK: "26/11/28,00:10:00-08"', datetime(2026, 11, 28, 2, 10, tzinfo=UTC)),
        ('+CCLK: "26/01/01,00:00:00"', datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_cclk_is_read_as_utc_with_the_zone_in_quarter_hours(reply, expected):
    assert clock.parse_cclk(reply) == expected


@pytest.mark.parametrize(
    "reply", ['+CCLK: "04/01/01,00:00:08+00"', '+CCLK: "80/01/06,00:00:00"', "ERROR", '+CCLK: "26/13/45,99:00:00"']
)
def test_factory_dates_and_garbage_are_refused(reply):
    with pytest.raises(ClockError):
        clock.parse_cclk(reply)


def test_the_clock_is_set_only_without_ntp_and_when_off_by_more_than_a_minute():
    now = datetime(2026, 11, 28, 9, tzinfo=UTC)
    assert clock.needs_setting(now + timedelta(minutes=5), now, ntp_synchronized=False)
    assert not clock.needs_setting(now + timedelta(seconds=30), now, ntp_synchronized=False)
    assert not clock.needs_setting(now + timedelta(hours=5), now, ntp_synchronized=True)


def test_trust_comes_from_ntp_first_then_the_modem(tmp_path):
    ntp, modem = tmp_path / "synchronized", tmp_path / "modem-time"
    assert clock.trusted_source(ntp, modem) is None
    clock.mark_trusted_by_modem(datetime(2026, 11, 28, tzinfo=UTC), modem)
    assert clock.trusted_source(ntp, modem) == "modem"
    ntp.touch()
    assert clock.trusted_source(ntp, modem) == "ntp"


def test_the_modem_is_asked_for_network_time_then_its_clock(pty_modem):
    modem = pty_modem({"AT+CLTS=1": "OK", "AT+CCLK?": '+CCLK: "26/11/28,12:34:56+14"\r\n\r\nOK'})
    when = clock.read_modem_clock(modem.port, 115200, "sim800", timeout=3)
    assert when == datetime(2026, 11, 28, 9, 4, 56, tzinfo=UTC)
    assert modem.received == ["AT+CLTS=1", "AT+CCLK?"]


def test_a_modem_without_network_time_is_reported(pty_modem):
    modem = pty_modem({"AT+CTZU=1": "OK", "AT+CLTS=1": "ERROR", "AT+CCLK?": '+CCLK: "04/01/01,00:00:10+00"\r\nOK'})
    with pytest.raises(ClockError, match="not set by the network"):
        clock.read_modem_clock(modem.port, 115200, "auto", timeout=3)


def test_a_modem_time_before_what_the_box_already_knows_is_refused(tmp_path):
    stamp = tmp_path / "clock"
    stamp.touch()
    os.utime(stamp, (datetime(2026, 11, 28, 9, tzinfo=UTC).timestamp(),) * 2)
    floor = clock.known_floor((stamp, tmp_path / "missing"))
    assert floor == datetime(2026, 11, 28, 9, tzinfo=UTC)
    with pytest.raises(ClockError, match="already passed"):
        clock.check_not_before(datetime(2026, 1, 1, 8, 30, tzinfo=UTC), floor)
    clock.check_not_before(datetime(2026, 11, 28, 9, 0, 30, tzinfo=UTC), floor)  # within a minute: fine
    clock.check_not_before(datetime(2020, 1, 1, tzinfo=UTC), None)  # nothing known: nothing to refuse
