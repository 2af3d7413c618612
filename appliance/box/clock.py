"""The clock taken from the modem's network time while NTP is not synchronised.

A Raspberry Pi has no real-time clock: it can boot in the past, and the
payment expiry rules need a true clock (DESIGN.md, "The clock"). When NTP has
not synchronised, the modem's clock (``AT+CCLK?``, set by the network with NITZ)
is the next best source. Its format is 3GPP TS 27.007's
``"yy/MM/dd,hh:mm:ss±zz"`` with the zone in quarter-hours; a modem without
NITZ or after a power loss reports a factory date, which is refused.

The pure functions here take the times they compare; :func:`read_modem_clock`
and :func:`set_system_clock` are the only ones that touch hardware.

While the service runs it owns the modem's port: it reads the network's time
itself (:mod:`appliance.box.network_clock`) and writes what it saw to
``network-time.json`` in the data folder; :func:`read_modem_clock` takes a
fresh reading from there instead of opening the port, and
:func:`trusted_source` counts a fresh reading that agrees with the system
clock as a source (``network``).
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from appliance.box import serial_ask as at
from appliance.domain.errors import ClockError

log = logging.getLogger(__name__)

# systemd-timesyncd creates this file once NTP has synchronised the clock (systemd >= 239).
NTP_SYNC_FILE = Path("/run/systemd/timesync/synchronized")
# Written by `carttocart clock from-modem` after it set the clock (tmpfs: forgotten at reboot).
MODEM_SYNC_FILE = Path("/run/carttocart-clock/modem-time")
# systemd-timesyncd keeps this file's modification time at the last time it knew (on /data).
TIMESYNC_CLOCK_FILE = Path("/var/lib/systemd/timesync/clock")
# The running service's readings of the network's time (the image's data folder; see network_clock.py).
NETWORK_TIME_FILE = Path("/var/lib/carttocart/network-time.json")
EARLIEST_PLAUSIBLE = datetime(2024, 1, 1, tzinfo=UTC)
TOLERANCE = timedelta(seconds=60)
# A reading is fresh this long: the service samples every minute (health.sample_seconds).
FRESH = timedelta(minutes=5)
# The clock job uses a reading this fresh rather than open a port the service holds.
FRESH_FOR_SETTING = timedelta(minutes=2)
# Ask the network for its time (NITZ): SIMCom SIM800 uses CLTS, SIM7600/Quectel/Huawei CTZU.
NITZ_COMMANDS = {
    "sim800": ("AT+CLTS=1",),
    "ec25": ("AT+CTZU=1",),
    "huawei": ("AT+CTZU=1",),
    "zte": ("AT+CTZU=1",),
    "wavecom": (),
    "auto": ("AT+CTZU=1", "AT+CLTS=1"),
}
_network_file: Path | None = None  # the running service's own (use_network_file)

_CCLK = re.compile(r'\+CCLK:\s*"(\d{2})/(\d{2})/(\d{2}),(\d{2}):(\d{2}):(\d{2})(?:([+-])(\d{1,2}))?"')


def parse_cclk(response: str) -> datetime:
    """The UTC time in a ``+CCLK: "26/11/28,12:34:56+14"`` reply; :class:`ClockError` if none or implausible."""
    match = _CCLK.search(response)
    if not match:
        raise ClockError(f"no +CCLK time in the modem's reply {response.strip()!r}")
    yy, mo, dd, hh, mi, ss, sign, quarters = match.groups()
    offset = timedelta(minutes=15 * int(quarters or 0)) * (-1 if sign == "-" else 1)
    try:
        local = datetime(_century(int(yy)), int(mo), int(dd), int(hh), int(mi), int(ss), tzinfo=timezone(offset))
    except ValueError as exc:
        raise ClockError(f"the modem's clock is not a valid date: {match.group(0)}") from exc
    when = local.astimezone(UTC)
    if when < EARLIEST_PLAUSIBLE:
        raise ClockError(f"the modem's clock says {when:%Y-%m-%d}: not set by the network (no NITZ yet?)")
    return when


def _century(yy: int) -> int:
    # Two-digit years as POSIX reads them: 70-99 are 1970-1999 (a GPS-epoch "80/01/06" is a factory date).
    return 1900 + yy if yy >= 70 else 2000 + yy


def needs_setting(modem_time: datetime, system_time: datetime, ntp_synchronized: bool) -> bool:
    """True when the system clock should take the modem's time: NTP is not in charge and they disagree."""
    return not ntp_synchronized and abs(modem_time - system_time) > TOLERANCE


def known_floor(files: tuple[Path, ...] | None = None) -> datetime | None:
    """The latest time this box is sure has passed: when NTP last told it, or when this software was installed."""
    candidates = files if files is not None else (TIMESYNC_CLOCK_FILE, Path(__file__))  # installed with the box
    stamps = [p.stat().st_mtime for p in candidates if p.exists()]
    return datetime.fromtimestamp(max(stamps), UTC) if stamps else None


def check_not_before(modem_time: datetime, floor: datetime | None) -> None:
    """:class:`ClockError` when the modem's time is before what the box already knows has passed.

    A modem whose clock was reset, or a network sending a wrong NITZ, must not
    send the box back in time: expiry and quarantine rules count on it.
    """
    if floor is not None and modem_time < floor - TOLERANCE:
        raise ClockError(
            f"the modem's clock says {modem_time.isoformat(timespec='seconds')}, before "
            f"{floor.isoformat(timespec='seconds')} which has already passed: not used"
        )


def ntp_synchronized(sync_file: Path = NTP_SYNC_FILE) -> bool:
    return sync_file.exists()


def use_network_file(path: Path | None) -> None:
    """Where this process's service writes its network time readings (read by :func:`trusted_source`)."""
    global _network_file
    _network_file = path


def network_reading(path: Path | None = None, now: datetime | None = None) -> tuple[datetime, bool, timedelta] | None:
    """The latest reading of the network's time: (the network's time now, agreed with the clock, age).

    None when there is none, it cannot be read, or it is not fresh (older than :data:`FRESH`, or from
    the future: the system clock was set back, or the box rebooted with a clock in the past).
    """
    path = path or _network_file or NETWORK_TIME_FILE
    now = now or datetime.now(UTC)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        modem_time = datetime.fromisoformat(record["modem_time"])
        observed_at = datetime.fromisoformat(record["observed_at"])
        agrees = bool(record.get("agrees"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    age = now - observed_at
    if age < timedelta(0) or age > FRESH:
        return None
    return modem_time + age, agrees, age


def trusted_source(
    sync_file: Path = NTP_SYNC_FILE, modem_file: Path = MODEM_SYNC_FILE, network_file: Path | None = None
) -> str | None:
    """Why the clock can be trusted: ``"ntp"``, ``"modem"`` (set at boot), ``"network"`` (a fresh reading by
    the running service agrees with it), or None when nothing vouches for it."""
    if sync_file.exists():
        return "ntp"
    if modem_file.exists():
        return "modem"
    reading = network_reading(network_file)
    if reading is not None and reading[1]:
        return "network"
    return None


def read_modem_clock(
    port: str, baudrate: int, profile: str, timeout: float = 5.0, network_file: Path | None = None
) -> datetime:
    """The network's time: a fresh reading by the running service (which owns the port), else turn on NITZ
    and read ``AT+CCLK?`` on ``port``; :class:`ClockError` when the modem cannot tell."""
    reading = network_reading(network_file)
    if reading is not None and reading[2] <= FRESH_FOR_SETTING:
        log.info("using the service's reading of the network time (%.0f s old)", reading[2].total_seconds())
        return reading[0]
    import serial  # pyserial; imported here so the pure functions need no serial stack

    try:
        # Exclusive: a port the running service holds (it locks it) is refused, never shared mid-conversation.
        with serial.Serial(port, baudrate=baudrate, timeout=0.2, exclusive=True) as link:
            for command in NITZ_COMMANDS.get(profile, NITZ_COMMANDS["auto"]):
                _at(link, command, timeout)  # an ERROR here only means the modem lacks that command
            return parse_cclk(_at(link, "AT+CCLK?", timeout))
    except serial.SerialException as exc:
        raise ClockError(f"cannot talk to the modem on {port}: {exc}") from exc


def _at(link, command: str, timeout: float) -> str:
    text, complete = at.ask(link, command, timeout)
    if not complete:
        raise ClockError(f"the modem did not answer {command} within {timeout:.0f} s")
    return text


def set_system_clock(when: datetime, marker: Path = MODEM_SYNC_FILE) -> None:
    """Set CLOCK_REALTIME (needs CAP_SYS_TIME) and leave a marker that the modem vouched for it."""
    try:
        time.clock_settime(time.CLOCK_REALTIME, when.timestamp())
    except PermissionError as exc:
        raise ClockError("not allowed to set the clock (needs CAP_SYS_TIME)") from exc
    mark_trusted_by_modem(when, marker)
    log.warning("system clock set from the modem's network time: %s", when.isoformat())


def mark_trusted_by_modem(when: datetime, marker: Path = MODEM_SYNC_FILE) -> None:
    """Record that the modem's network time vouches for the clock (read by :func:`trusted_source`)."""
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(when.isoformat() + "\n", encoding="utf-8")
