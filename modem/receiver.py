"""The receive loop for one modem: sweep storage, hand each part to the sink, then delete it.

One worker thread per modem does all of that modem's I/O, so nothing
interleaves on the serial line. It sweeps (``AT+CMGL=4``) at every
(re)connect, on every ``+CMTI`` wake-up, and every ``sweep_seconds``; each
part goes to ``sink`` (which commits it durably) and only then is its slot
deleted. A sink that raises leaves the part on the SIM for the next sweep;
the sweep's rules are in :mod:`modem.sweep`. A modem that stops raising
``+CMTI`` is therefore caught within ``sweep_seconds``; one that registers
again after a loss gets its ``AT+CNMI`` again (some firmwares forget it).

A SIM that needs a person (no PIN, a refused PIN, one attempt left, a PUK)
stops reception with ``state`` ``sim_locked``, says why in ``last_error`` and
``sim``, and reports a health sample saying so (the dashboard shows it).

Recovery escalates: a lost port or a silent modem -> close and reconnect with
backoff (the port is resolved again each time, so a re-plugged modem under a
new name is found); a reboot -> re-initialise and sweep; repeated failures
with the port present -> ask the modem to reset; no working connection for
``give_up_seconds`` -> ``on_give_up(reason)`` (the service exits and its
manager restarts it).

Sending (``AT+CMGS``) and USSD go through the same thread: :meth:`Receiver.run_on_modem`
queues a job that the worker runs with its gateway between sweeps, so the port has
one opener and no command interleaves with another; the caller waits for the result.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from modem.errors import CommandFailed, ModemError, ModemTimeout, PinRequired, PortError, SimBlocked, SimError
from modem.gateway import SIM_ERRORS, HealthSample, ModemGateway, StoredPart
from modem.sim_pin import PinGuard
from modem.sweep import Sink, Sweeper

log = logging.getLogger(__name__)

T = TypeVar("T")


class ModemBusy(ModemError):
    """The receiver could not run a job on its modem in time (not connected, or the job took too long)."""


class Receiver:
    def __init__(
        self,
        gateway_factory: Callable[[], ModemGateway],
        sink: Sink,
        *,
        sweep_seconds: float = 30,
        name: str = "modem",
        on_health: Callable[[HealthSample], None] | None = None,
        on_give_up: Callable[[str], None] | None = None,
        health_seconds: float = 60,
        give_up_seconds: float = 600,
        reset_after: int = 3,
        max_retry_seconds: float = 15.0,
        already_stored: Callable[[StoredPart], bool] | None = None,
    ) -> None:
        """``sink`` commits a part (returning False when it had it already); ``already_stored`` tells whether
        the store holds a part, so that after a restart what was handed on before is deleted, not handed again."""
        self.gateway_factory = gateway_factory
        self.sink = sink
        self.sweep_seconds = sweep_seconds
        self.name = name
        self.on_health = on_health
        self.on_give_up = on_give_up
        self.health_seconds = health_seconds
        self.give_up_seconds = give_up_seconds
        self.reset_after = reset_after
        self.max_retry_seconds = max_retry_seconds

        self._wake = threading.Event()
        self._sweep_asked = threading.Event()
        self._jobs: collections.deque[tuple[Callable[[ModemGateway], Any], Future]] = collections.deque()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._gateway: ModemGateway | None = None
        self._sweeper = Sweeper(name, sink, self._count_part, already_stored)
        self._pin_guard: PinGuard | None = None
        self._ever_connected = False
        self._lock = threading.Lock()
        self._status: dict[str, Any] = {
            "name": name,
            "state": "stopped",
            "device": None,
            "connected_since": None,
            "down_since": None,
            "last_sweep_at": None,
            "last_sms_at": None,
            "parts_delivered": 0,
            "duplicates_skipped": 0,
            "already_stored": 0,
            "status_reports": 0,
            "flash_sms": 0,
            "notifications_reset": 0,
            "storage_full": [],
            "storage_problems": [],
            "misrouted_storage": None,
            "sim": None,
            "sink_failures": 0,
            "last_sink_failure_at": None,
            "deletes_failed": 0,
            "undecodable": 0,
            "reconnects": 0,
            "resets": 0,
            "sweeps": 0,
            "gave_up": False,
            "last_error": None,
            "health": None,
            "identity": None,
        }

    # -- public -------------------------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("receiver already started")
        self._stop.clear()
        self._set(state="connecting", down_since=_now())
        self._thread = threading.Thread(target=self._run, name=f"receiver {self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self.status["state"] != "sim_locked":
            self._set(state="stopped")
        while self._jobs:  # nobody will run them now: their callers hear so at once
            _, future = self._jobs.popleft()
            if future.set_running_or_notify_cancel():
                future.set_exception(ModemBusy(f"{self.name}: the receiver stopped"))

    def sweep_now(self) -> None:
        """Ask for a sweep as soon as possible (asynchronous)."""
        self._sweep_asked.set()
        self._wake.set()

    def run_on_modem(self, job: Callable[[ModemGateway], T], timeout: float = 90.0) -> T:
        """Run ``job(gateway)`` on the receiver's thread (the port's only user) and return what it returns.

        Raises what the job raised, or ModemBusy when the modem is not connected or the job does not finish
        within ``timeout`` (a job that has not started by then is dropped).
        """
        future: Future = Future()
        self._jobs.append((job, future))
        self._wake.set()
        try:
            return future.result(timeout)
        except FutureTimeout:
            if future.cancel():
                raise ModemBusy(f"{self.name}: the modem is not available ({self.status['state']})") from None
            raise ModemBusy(f"{self.name}: the modem did not finish in {timeout:.0f} s") from None

    @property
    def status(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._status)

    # -- the worker ---------------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # a bug or a bad configuration: say so, and let the service restart
            log.exception("%s: the receiver stopped", self.name)
            self._set(state="crashed", last_error=repr(exc))
            if self.on_give_up is not None:
                self.on_give_up(f"{self.name}: receiver crashed: {exc!r}")

    def _loop(self) -> None:
        failures = 0
        retry = 0.2
        next_sweep = next_health = 0.0
        while not self._stop.is_set():
            gateway = self._gateway
            if gateway is None or not gateway.alive:
                if gateway is not None:
                    self._drop(gateway, "port lost")
                gateway = self._connect(failures)
                if gateway is None:
                    if self._stop.is_set():
                        break
                    failures += 1
                    self._check_give_up()
                    self._stop.wait(retry)
                    retry = min(retry * 2, self.max_retry_seconds)
                    continue
                failures, retry = 0, 0.2
                next_sweep = next_health = 0.0
            try:
                if gateway.needs_reinit:
                    log.warning("%s: re-initialising the modem after a restart", self.name)
                    gateway.initialise()
                    next_sweep = 0.0
                if gateway.needs_notification_reset:
                    gateway.reset_notifications()
                    self._count("notifications_reset")
                    next_sweep = 0.0  # what came while +CMTI was silent
                self._serve_jobs(gateway)
                now = time.monotonic()
                if now >= next_sweep:
                    self._sweep(gateway)
                    next_sweep = time.monotonic() + self.sweep_seconds
                if now >= next_health:
                    self._sample(gateway)
                    next_health = time.monotonic() + self.health_seconds
                wait = max(0.0, min(next_sweep, next_health) - time.monotonic())
                if self._wake.wait(wait):
                    self._wake.clear()
                    if self._sweep_asked.is_set() or not self._jobs:
                        self._sweep_asked.clear()
                        next_sweep = 0.0  # a +CMTI, a reboot line or sweep_now(): sweep now
            except (ModemTimeout, PortError) as exc:
                self._drop(gateway, str(exc))
            except (PinRequired, SimBlocked) as exc:  # the SIM asked again after a restart, and needs a person
                log.error("%s: %s; reception stopped", self.name, exc)
                self._sim_locked(gateway, exc)
            except SimError as exc:
                self._drop(gateway, str(exc))
            except CommandFailed as exc:
                # The modem answers but refused (SIM busy after the retries, a storage error): try again soon.
                log.warning("%s: %s", self.name, exc)
                self._set(last_error=str(exc))
                if ("CMS" if exc.is_cms else "CME", exc.code) in SIM_ERRORS:
                    gateway.request_reinit()  # the SIM was reset or wants its PIN again
                next_sweep = time.monotonic() + min(5.0, self.sweep_seconds)
                self._stop.wait(min(1.0, self.sweep_seconds))  # not a tight loop on a modem that keeps refusing
        if self._gateway is not None:
            self._gateway.close()
            self._gateway = None

    def _connect(self, failures: int) -> ModemGateway | None:
        gateway = None
        try:
            gateway = self.gateway_factory()
            gateway.on_wakeup = self.sweep_now
            # One guard for all of this receiver's gateways: what the SIM said outlives a reconnect.
            if self._pin_guard is None:
                self._pin_guard = gateway.pin_guard
            elif gateway.pin_guard.state.path is None:
                gateway.pin_guard = self._pin_guard
            gateway.connect()
        except (PinRequired, SimBlocked) as exc:
            # A missing or refused PIN, a last attempt, a PUK: a person must act. The refusal is in the box's
            # state file, so a restart does not enter that PIN again either; stop here and say so.
            log.error("%s: %s; reception stopped until the PIN is configured and the service restarted", self.name, exc)
            self._sim_locked(gateway, exc)
            return None
        except ModemError as exc:
            log.warning("%s: cannot connect: %s", self.name, exc)
            self._set(state="down", last_error=str(exc))
            if isinstance(exc, ModemTimeout) and failures + 1 >= self.reset_after and gateway is not None:
                # The port is there but the modem is silent: ask it to restart (a hung modem may still obey).
                log.warning("%s: modem silent %d times; asking it to reset", self.name, failures + 1)
                with self._lock:
                    self._status["resets"] += 1
                try:
                    gateway.send_reset()
                except ModemError as reset_exc:
                    log.info("%s: reset failed: %s", self.name, reset_exc)
            return None
        self._gateway = gateway
        with self._lock:
            if self._ever_connected:
                self._status["reconnects"] += 1
            self._ever_connected = True
            self._status.update(
                state="connected",
                device=gateway.device,
                connected_since=_now(),
                down_since=None,
                gave_up=False,
                identity=asdict(gateway.identity),
            )
        log.info("%s: connected on %s", self.name, gateway.device)
        return gateway

    def _serve_jobs(self, gateway: ModemGateway) -> None:
        """Run the queued jobs (sends, USSD); a link failure ends the job and then drops the connection."""
        while self._jobs and not self._stop.is_set():
            job, future = self._jobs.popleft()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job(gateway))
            except (ModemTimeout, PortError) as exc:
                future.set_exception(exc)
                raise
            except Exception as exc:  # the job's own failure belongs to its caller
                future.set_exception(exc)

    def _drop(self, gateway: ModemGateway, reason: str) -> None:
        log.warning("%s: connection dropped: %s", self.name, reason)
        gateway.close()
        self._gateway = None
        self._set(state="down", last_error=reason, down_since=_now(), connected_since=None)

    def _check_give_up(self) -> None:
        with self._lock:
            down_since = self._status["down_since"]
            if down_since is None or self._status["gave_up"]:
                return
            down_for = (_now() - down_since).total_seconds()
            if down_for < self.give_up_seconds:
                return
            self._status["gave_up"] = True
            reason = f"{self.name}: no working modem for {down_for:.0f} s ({self._status['last_error']})"
        log.error("%s", reason)
        if self.on_give_up is not None:
            self.on_give_up(reason)

    def _sweep(self, gateway: ModemGateway) -> None:
        result = self._sweeper.sweep(gateway, self._stop.is_set)
        with self._lock:
            self._status["status_reports"] += gateway.take_status_reports()  # shown ones; stored ones are counted
        for part, exc in result.sink_failures:
            self._sink_failed(part, exc)
        if result.stopped:
            return
        full = sorted(gateway.take_full())
        now = _now()
        self._set(
            last_sweep_at=now,
            storage_problems=list(gateway.sweep_problems),
            misrouted_storage=gateway.misrouted_storage,
            storage_full=full,
        )
        if full:
            # New SMS wait at the SMS centre (and may expire there) until a slot is freed: deleting what was
            # handed on frees it; say so until then.
            self._set(last_error=f"SMS storage full ({', '.join(full)}): new SMS wait at the SMS centre")
        with self._lock:
            self._status["sweeps"] += 1
        if result.deleted:
            self.sweep_now()  # sweep again until storage is empty (messages held at the SMSC come in now)

    def _sample(self, gateway: ModemGateway) -> None:
        status = self.status
        problems = status["storage_problems"] + [f"{m} reported full" for m in status["storage_full"]]
        sample = replace(
            gateway.sample_health(),
            last_sms_at=status["last_sms_at"],
            storage_problem="; ".join(problems) or None,
        )
        self._report(sample)
        if not sample.responsive:
            raise ModemTimeout(sample.error or "the modem stopped answering")

    def _report(self, sample: HealthSample) -> None:
        self._set(health=asdict(sample))
        if self.on_health is not None:
            try:
                self.on_health(sample)
            except Exception:  # the caller's callback must not stop reception
                log.exception("%s: on_health failed", self.name)

    def _sim_locked(self, gateway: ModemGateway | None, exc: ModemError) -> None:
        """Reception stops on the SIM: status, ``last_error`` and a health sample say why, plainly."""
        record = gateway.pin_guard.record() if gateway is not None else {}
        sim = {
            "state": record.get("state") or type(exc).__name__,
            "sim_state": record.get("sim_state"),
            "attempts_left": record.get("attempts_left"),
            "puk_left": record.get("puk_left"),
            "refused_at": record.get("refused_at"),
            "message": str(exc),
        }
        self._set(state="sim_locked", last_error=str(exc), sim=sim)
        self._stop.set()
        self._report(
            HealthSample(at=_now(), responsive=True, sim_state=sim["sim_state"] or "SIM PIN", sim_problem=str(exc))
        )

    # -- bookkeeping --------------------------------------------------------------------------------------
    def _sink_failed(self, part: StoredPart, exc: Exception) -> None:
        """Count a part the sink could not take, and say why in ``last_error`` (it is tried again next sweep)."""
        with self._lock:
            self._status["sink_failures"] += 1
            self._status["last_sink_failure_at"] = _now()
            why = str(exc) or type(exc).__name__
            self._status["last_error"] = f"the sink failed on {part.memory}/{part.index}: {why}"

    def _count(self, name: str) -> None:
        with self._lock:
            self._status[name] += 1

    def _count_part(self, name: str) -> None:
        """The sweeper's counter, called as each part is decided (before its slot is deleted)."""
        with self._lock:
            self._status[name] += 1
            if name == "parts_delivered":
                self._status["last_sms_at"] = _now()

    def _set(self, **values: Any) -> None:
        with self._lock:
            self._status.update(values)


def _now() -> datetime:
    return datetime.now(UTC)
