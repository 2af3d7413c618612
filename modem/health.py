"""A modem's health: what was sampled, and whether the box can receive SMS with it.

:class:`HealthSample` is what :meth:`modem.gateway.ModemGateway.sample_health`
measures; :func:`assess` turns a sample into a verdict the dashboard and the
payment gate can use. Pure: pass ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Assessment", "HealthSample", "assess"]

# Below about -105 dBm (CSQ 4) SMS delivery becomes unreliable.
WEAK_SIGNAL_DBM = -105


@dataclass(frozen=True)
class HealthSample:
    at: datetime
    responsive: bool
    sim_state: str | None = None  # "READY", "SIM PIN", "SIM PUK", "+CME ERROR: 10", ...
    registered: bool | None = None
    registration: str | None = None  # "home", "roaming", "searching", "denied", "not registered", "unknown"
    operator: str | None = None
    signal_csq: int | None = None  # 0..31, None when unknown (99)
    signal_dbm: int | None = None
    storage_used: int | None = None  # of the storage new SMS go to
    storage_total: int | None = None
    last_sms_at: datetime | None = None  # filled in by the receiver
    error: str | None = None
    network_clock: str | None = None  # the modem's +CCLK answer, as it came (the network's time, NITZ)
    sim_problem: str | None = None  # why the SIM cannot be used, in plain words (a refused PIN, a PUK lock)
    storage_problem: str | None = None  # a storage the modem reported full or could not list


@dataclass(frozen=True)
class Assessment:
    can_receive: bool  # False: SMS will not arrive (no answer, no SIM, no network, full storage)
    problems: tuple[str, ...]  # why not, or what is weak; for people
    stale: bool  # the sample is older than ``max_age``: treat as unknown


def assess(sample: HealthSample | None, now: datetime, max_age: timedelta = timedelta(minutes=5)) -> Assessment:
    """Whether a modem with this sample can receive SMS now, and what is wrong with it."""
    if sample is None:
        return Assessment(False, ("no health sample yet",), True)
    stale = now - sample.at > max_age
    problems: list[str] = []
    blocking = False
    if stale:
        problems.append(f"last sample is {int((now - sample.at).total_seconds())} s old")
        blocking = True
    if not sample.responsive:
        problems.append(f"the modem does not answer ({sample.error or 'timeout'})")
        blocking = True
    elif sample.sim_state not in (None, "READY"):
        problems.append(f"SIM not ready: {sample.sim_state}")
        blocking = True
    if sample.sim_problem:
        problems.append(sample.sim_problem)
        blocking = True
    if sample.responsive and sample.registered is False:
        problems.append(f"not registered on the network ({sample.registration})")
        blocking = True
    if sample.storage_used is not None and sample.storage_total and sample.storage_used >= sample.storage_total:
        # New SMS wait at the SMSC (and may expire there) until a slot is freed.
        problems.append(f"SMS storage full ({sample.storage_used}/{sample.storage_total})")
        blocking = True
    if sample.storage_problem:
        problems.append(sample.storage_problem)
    if sample.signal_dbm is not None and sample.signal_dbm < WEAK_SIGNAL_DBM:
        problems.append(f"weak signal ({sample.signal_dbm} dBm)")
    if sample.responsive and sample.signal_csq is None and sample.sim_state == "READY":
        problems.append("no signal reading")
    return Assessment(can_receive=not blocking, problems=tuple(problems), stale=stale)
