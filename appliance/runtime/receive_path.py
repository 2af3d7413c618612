"""The modems' receive path: a receiver per modem, its sink into the SMS intake, and whether the box can
record what it receives (the gate behind code 22; the health report's ``recording``).

What the modems' SIMs said (a refused PIN, the attempts left) is kept in
``modem-state.json`` in the box's data folder (:mod:`appliance.box.modem_state`):
the modem library cannot use the database, and a SIM's answer must outlive a
restart (three restarts entering a wrong PIN would lock the SIM). The network's
time read with every health sample goes to :class:`~appliance.box.network_clock.NetworkClock`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

import peewee

from appliance.box import clock, modem_state
from appliance.box.network_clock import NetworkClock
from appliance.settings import ModemSettings, Settings
from appliance.store import database as store
from appliance.store.models import ModemSample
from appliance.usecases.fleet import box_identity
from appliance.usecases.sms_intake import Concat, RawPart, SmsIngest

log = logging.getLogger(__name__)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclasses.dataclass
class _Streak:
    """One modem's consecutive failed attempts to store a part: since when, the latest, what it said."""

    since: dt.datetime
    at: dt.datetime
    error: str
    count: int = 0


class Recording:
    """Can the receive path store what it receives? The outcome of every sink call, per modem (thread-safe).

    The rule: recording is not ok while some modem's latest attempt to store a
    part failed and that failure is at most ``window`` old. One stored part (or
    a part found already stored) ends that modem's streak at once, so a single
    transient failure followed by a success recovers immediately. A failed part
    stays on the SIM and is tried again at every sweep, so a lasting failure
    renews itself well within the window; a streak with no new failure for the
    whole window (its part gone from the SIM, say) is forgotten rather than
    closing the gate forever. The gate (code 22) and ``/api/health`` read this.
    """

    def __init__(self, clock: Callable[[], dt.datetime], window: dt.timedelta) -> None:
        self.clock = clock
        self.window = window
        self._lock = threading.Lock()
        self._streaks: dict[str, _Streak] = {}
        self._ok_since = clock()
        self._last_stored_at: dt.datetime | None = None
        self._last_error: str | None = None
        self._last_error_at: dt.datetime | None = None

    def stored(self, modem: str) -> None:
        """``modem``'s sink committed a part: its failure streak, if any, is over."""
        now = self.clock()
        with self._lock:
            self._last_stored_at = now
            streak = self._streaks.pop(modem, None)
            if streak is not None and not self._streaks:
                self._ok_since = now
        if streak is not None:
            log.warning("%s: SMS are stored again after %d failed attempt(s)", modem, streak.count)

    def failed(self, modem: str, exc: BaseException) -> None:
        """``modem``'s sink could not store a part (it stays on the SIM)."""
        now = self.clock()
        text = str(exc) or type(exc).__name__
        with self._lock:
            self._expire(now)
            streak = self._streaks.get(modem)
            if streak is None:
                streak = self._streaks[modem] = _Streak(since=now, at=now, error=text)
            streak.count += 1
            streak.at, streak.error = now, text
            self._last_error, self._last_error_at = text, now
            first = streak.count == 1
        if first:
            log.error("%s: cannot store received SMS (%s); new payments are refused until one is stored", modem, text)

    def _expire(self, now: dt.datetime) -> None:
        """Forget streaks with no failure for the whole window (call with the lock held)."""
        for modem, streak in list(self._streaks.items()):
            if now - streak.at > self.window:
                del self._streaks[modem]
                log.warning("%s: no new failure to store SMS for %s; no longer counted", modem, self.window)
                if not self._streaks:
                    self._ok_since = streak.at + self.window

    def ok(self) -> bool:
        with self._lock:
            self._expire(self.clock())
            return not self._streaks

    def report(self) -> dict[str, Any]:
        """For the detailed health: ``ok``, ``since`` (when this state began), the current ``error``, and more."""
        with self._lock:
            self._expire(self.clock())
            streaks = list(self._streaks.values())
            latest = max(streaks, key=lambda s: s.at) if streaks else None
            return {
                "ok": latest is None,
                "since": _iso(min(s.since for s in streaks) if streaks else self._ok_since),
                "error": latest.error if latest else None,
                "failures": sum(s.count for s in streaks),
                "last_stored_at": _iso(self._last_stored_at),
                "last_error": self._last_error,
                "last_error_at": _iso(self._last_error_at),
            }


class ReceivePath:
    """The configured modems: a receiver each, parts into the store, health samples, the receive gates."""

    def __init__(
        self, settings: Settings, ingest: SmsIngest, clock: Callable[[], dt.datetime], on_give_up: Callable[[str], None]
    ) -> None:
        self.settings = settings
        self.ingest = ingest
        self.clock = clock
        self.on_give_up = on_give_up
        self.receivers: dict[str, Any] = {}
        self.box = box_identity(settings)  # parts say which box of a fleet received them
        self._last_able: dict[str, dt.datetime] = {}
        self._lock = threading.Lock()
        health = settings.health
        # A lasting failure is retried at every sweep; the window outlasts a few sweeps and the receive threshold.
        window = max(
            dt.timedelta(minutes=health.receive_down_after_minutes), dt.timedelta(seconds=3 * health.sweep_seconds)
        )
        self.recording = Recording(clock, window)
        self.state_file = modem_state.state_path(settings)
        self.network_clock = NetworkClock(modem_state.network_time_path(settings))

    def start(self) -> None:
        from modem.gateway import ModemGateway
        from modem.receiver import Receiver
        from modem.sim_pin import PinGuard
        from modem.state_file import StateFile

        now = self.clock()
        state = StateFile(self.state_file)
        if self.settings.modems:
            clock.use_network_file(self.network_clock.path)  # the clock gate reads this service's readings
        for cfg in self.settings.modems:
            # A grace period at start-up: a modem counts as able until it has had time to prove otherwise.
            self._last_able[cfg.name] = now

            def factory(cfg: ModemSettings = cfg) -> ModemGateway:
                return ModemGateway(
                    cfg.port,
                    baudrate=cfg.baudrate,
                    rtscts=cfg.rtscts,
                    dsrdtr=cfg.dsrdtr,
                    pin=cfg.pin or None,
                    profile=cfg.profile,
                    usb_id=cfg.usb_id or None,
                    pin_guard=PinGuard(state, cfg.name),
                )

            receiver = Receiver(
                factory,
                self._sink(cfg.name),
                sweep_seconds=self.settings.health.sweep_seconds,
                name=cfg.name,
                on_health=self._health(cfg.name),
                health_seconds=self.settings.health.sample_seconds,
                on_give_up=self.on_give_up,
                already_stored=self._already_stored,
            )
            self.receivers[cfg.name] = receiver
            receiver.start()
            log.info("receiving SMS from modem %s on %s", cfg.name, cfg.port)

    def stop(self) -> None:
        for receiver in self.receivers.values():
            receiver.stop()
        if self.settings.modems:
            clock.use_network_file(None)

    def _sink(self, modem: str) -> Callable[[Any], bool]:
        def sink(stored: Any) -> bool:
            try:
                new = self._store(modem, stored)
            except Exception as exc:
                self.recording.failed(modem, exc)
                raise  # the receiver keeps the part on the SIM and tries it again at its next sweep
            self.recording.stored(modem)
            try:
                self.ingest.process_ready()
            except Exception:  # the part is committed; the scheduled job will process it again
                log.exception("processing stored SMS failed; will retry")
            return new  # False: the store had it already (the receiver counts a duplicate)

        return sink

    def _already_stored(self, stored: Any) -> bool:
        """Whether the store holds this part already (after a restart the receiver's own memory is empty)."""
        store.ensure_connection()
        digest = RawPart(modem="", pdu_hex=stored.pdu_hex, received_at=self.clock()).pdu_hash
        return store.execute("SELECT 1 FROM sms_part WHERE pdu_hash = ?", digest).fetchone() is not None

    def _store(self, modem: str, stored: Any) -> bool:
        """Commit one part the modem stored; raises if it cannot (the part must then stay on the SIM)."""
        store.ensure_connection()
        pdu = stored.pdu
        concat = pdu.concat if pdu else None
        part = RawPart(
            box=self.box,
            modem=modem,
            pdu_hex=stored.pdu_hex,
            received_at=self.clock(),
            memory=stored.memory,
            index=stored.index,
            sender=pdu.sender if pdu else None,
            smsc=pdu.smsc if pdu else None,
            scts=pdu.scts if pdu else None,
            text=pdu.text if pdu else None,
            error=stored.error,
            concat=Concat(concat.ref, concat.total, concat.seq, concat.ref_bits) if concat else None,
        )
        return self.ingest.store_part(part)

    def _health(self, modem: str) -> Callable[[Any], None]:
        from modem.health import assess

        def on_health(sample: Any) -> None:
            verdict = assess(sample, self.clock())
            if verdict.can_receive:
                with self._lock:
                    self._last_able[modem] = self.clock()
            if sample.network_clock:
                self.network_clock.observe(modem, sample.network_clock)
            store.ensure_connection()
            try:
                with store.write():
                    ModemSample.create(
                        modem=modem,
                        at=sample.at,
                        responsive=sample.responsive,
                        registered=sample.registered,
                        sim_state=sample.sim_state,
                        operator=sample.operator,
                        signal_dbm=sample.signal_dbm,
                        storage_used=sample.storage_used,
                        storage_total=sample.storage_total,
                        detail={
                            "registration": sample.registration,
                            "csq": sample.signal_csq,
                            "error": sample.error,
                            "problems": list(verdict.problems),
                            "network_clock": sample.network_clock,
                            "last_sms_at": sample.last_sms_at.isoformat() if sample.last_sms_at else None,
                        },
                    )
            except peewee.PeeweeException:
                log.exception("could not store the health sample of %s", modem)

        return on_health

    def receiving_ok(self) -> bool:
        """With modems configured: has at least one been able to receive within the threshold?"""
        if not self.settings.modems:
            return True
        limit = dt.timedelta(minutes=self.settings.health.receive_down_after_minutes)
        now = self.clock()
        with self._lock:
            return any(now - at <= limit for at in self._last_able.values())

    def recording_ok(self) -> bool:
        """Can the parts the modems give be stored? (the rule: :class:`Recording`)"""
        return self.recording.ok()

    # ----- sending and USSD: jobs on a receiver's own thread (the port has one opener) -----------------
    def _usable(self, modem: str | None = None) -> Any:
        """The receiver to send through: the named one, else the first connected (ModemUnavailable if none)."""
        from modem.receiver import ModemBusy

        if modem is not None:
            receiver = self.receivers.get(modem)
            if receiver is None:
                raise ModemBusy(f"no modem named {modem!r}")
            return receiver
        for receiver in self.receivers.values():
            if receiver.status["state"] == "connected":
                return receiver
        raise ModemBusy("no modem is connected" if self.receivers else "no modem is configured")

    def send_sms(self, recipient: str, text: str) -> list[int]:
        """Send an SMS through a connected modem; raises the modem's error (the caller retries later)."""
        receiver = self._usable()
        return receiver.run_on_modem(lambda gateway: gateway.send_sms(recipient, text), timeout=120)

    def ussd(self, code: str, modem: str | None = None) -> str:
        """Ask the network a USSD code through a modem; the answer's text (UssdFailed without one)."""
        receiver = self._usable(modem)
        return str(receiver.run_on_modem(lambda gateway: gateway.ussd(code).text, timeout=60))

    def network_names(self) -> dict[str, str | None]:
        """Each modem's network as it reports it (AT+COPS), for choosing the operator's USSD code."""
        out: dict[str, str | None] = {}
        for name, receiver in self.receivers.items():
            health = receiver.status.get("health") or {}
            out[name] = health.get("operator")
        return out

    def status(self) -> list[dict[str, Any]]:
        out = []
        for receiver in self.receivers.values():
            status = receiver.status
            entry = {
                k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                for k, v in status.items()
                if k not in ("health", "identity")
            }
            health = status.get("health") or {}
            entry["registered"] = health.get("registered")  # what the doctor reads (it must not open the port)
            entry["profile"] = (status.get("identity") or {}).get("profile")
            out.append(entry)
        return out
