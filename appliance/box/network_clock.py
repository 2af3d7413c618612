"""The network's time as the running service sees it: read from the modem at every health sample.

At boot, ``carttocart clock from-modem`` (``carttocart-clock.service``) sets the
clock from the modem while NTP is down; but the network sends its time (NITZ)
only after registration, often after that service gave up, and a box can run
for weeks without NTP. So the service reads ``AT+CCLK?`` with every health
sample (the receiver owns the port; nobody else may open it) and gives each
reading to :meth:`NetworkClock.observe`, which applies the same rules as
:mod:`appliance.box.clock` and one more:

* a factory date, or no time at all, is refused (:func:`clock.parse_cclk`);
* a time before what the box knows has passed is refused (:func:`clock.check_not_before`);
* never backwards: a reading behind the previous accepted one (plus the time
  elapsed since, by the monotonic clock) is refused;
* an accepted reading is written atomically to ``network-time.json`` in the
  data folder. When it agrees with the system clock (within a minute) it
  vouches for the clock (:func:`clock.trusted_source` says ``network``);
  when it does not, the privileged clock job (``carttocart-clock.timer``
  running ``clock from-modem``) takes it from that file and sets the clock,
  since the service itself may not (the image's unit has no CAP_SYS_TIME).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from appliance.box import clock
from appliance.domain.errors import ClockError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Observation:
    modem: str
    accepted: bool
    reason: str  # why refused, or how it compares with the system clock
    modem_time: datetime | None = None  # UTC
    offset_seconds: float | None = None  # modem time minus system time
    agrees: bool = False


class NetworkClock:
    """Readings of the modems' clocks, checked and written down for the clock job and the clock gate."""

    def __init__(
        self,
        path: Path,
        *,
        floor: Callable[[], datetime | None] = clock.known_floor,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = path
        self.floor = floor
        self.now = now
        self.monotonic = monotonic
        self._last: tuple[datetime, float] | None = None
        self._agreed: bool | None = None

    def observe(self, modem: str, cclk: str | None) -> Observation:
        """Check one ``+CCLK`` answer; write it down when it passes (see the module docstring)."""
        if not cclk:
            return Observation(modem, False, "the modem gave no time")
        try:
            when = clock.parse_cclk(cclk)
            clock.check_not_before(when, self.floor())
            self._check_forward(when)
        except ClockError as exc:
            log.info("%s: network time not used: %s", modem, exc)
            return Observation(modem, False, str(exc))
        system = self.now()
        offset = (when - system).total_seconds()
        agrees = abs(offset) <= clock.TOLERANCE.total_seconds()
        self._last = (when, self.monotonic())
        self._write(modem, when, system, agrees)
        if agrees != self._agreed:
            if agrees:
                log.info("%s: the network's time agrees with the system clock", modem)
            else:
                log.warning(
                    "%s: the system clock is %+.0f s off the network's time; the clock job will set it", modem, -offset
                )
            self._agreed = agrees
        return Observation(modem, True, "agrees" if agrees else "differs", when, offset, agrees)

    def _check_forward(self, when: datetime) -> None:
        if self._last is None:
            return
        last, at = self._last
        expected = last + timedelta(seconds=self.monotonic() - at)
        if when < expected - clock.TOLERANCE:
            raise ClockError(
                f"the modem's clock went back by {(expected - when).total_seconds():.0f} s since the last reading"
            )

    def _write(self, modem: str, when: datetime, system: datetime, agrees: bool) -> None:
        record = {
            "modem": modem,
            "modem_time": when.isoformat(),
            "observed_at": system.isoformat(),
            "agrees": agrees,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump(record, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("cannot write %s: %s", self.path, exc)
