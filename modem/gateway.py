"""One GSM modem: initialise it, list and delete stored SMS, sample its health.

PDU mode, ``<mt>=1`` (the modem stores every SMS and announces it with
``+CMTI``; ``+CMT`` direct delivery would lose a message the moment a line is
missed). A ``+CMTI`` only wakes the caller up: :meth:`ModemGateway.list_stored`
(``AT+CMGL=4`` on every storage new SMS can land in) is the source of truth,
and :meth:`ModemGateway.delete` removes one slot (``AT+CMGD=<index>``, never a
delete-all) after re-reading it. :meth:`ModemGateway.send_sms` (``AT+CMGS``) and
:meth:`ModemGateway.ussd` (``AT+CUSD``) send. All I/O runs on the caller's thread; the only
other thread is the link's reader, which only feeds :class:`~modem.urcs.UrcWatch`.

What differs per family is data in :mod:`modem.families`; the PIN rules are in
:mod:`modem.sim_pin`, the storage bookkeeping in :mod:`modem.storage`.

Why one module of ~490 lines: it is one class, the whole AT conversation with one
device (the init sequence with its per-family fallbacks, the storage sweep, delete,
health). Its steps share the link and the learned storages; split, each half would
reach into the other's state.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from modem import sampling
from modem.at import AtLink
from modem.errors import CommandFailed, ModemTimeout, PortError, SlotChanged, UssdFailed
from modem.families import PROFILES, detect_profile, family
from modem.health import HealthSample
from modem.pdu_submit import encode_submit
from modem.ports import resolve
from modem.sim_pin import PinGuard, SimUnlocker
from modem.storage import (
    DELIVER,
    Storage,
    StoredPart,
    direct_part,
    parse_cmgl,
    parse_cpms_query,
    parse_cpms_test,
    parse_selected_use,
)
from modem.urcs import UrcWatch
from modem.ussd import UssdReply, encode_code, parse_cusd

log = logging.getLogger(__name__)

# SIM busy (CME 14, CMS 314) and "initialisation in progress" (CME 515) pass after a while.
_BUSY = {("CME", 14), ("CME", 515), ("CMS", 314), ("CMS", 302)}
# Answers meaning the SIM needs the unlock/initialisation sequence again: SIM not inserted, PIN, PUK, failure.
SIM_ERRORS = {
    ("CME", 10),
    ("CME", 11),
    ("CME", 12),
    ("CME", 13),
    ("CMS", 310),
    ("CMS", 311),
    ("CMS", 313),
    ("CMS", 316),
}
# A listing of one storage that fails with these does not stop the sweep of the others.
_STORAGE_ERRORS = {321: "invalid memory index", 322: "memory full", 320: "memory failure", 500: "unknown error"}
_CMGR = re.compile(r"^\+CMGR:\s*(\d*)\s*,")


@dataclass(frozen=True)
class Identity:
    manufacturer: str = ""
    model: str = ""
    revision: str = ""
    imei: str = ""
    profile: str = "generic"


class ModemGateway:
    """A connection to one modem. Not thread-safe: drive it from one thread."""

    def __init__(
        self,
        port: str,
        *,
        baudrate: int = 115200,
        rtscts: bool = False,
        dsrdtr: bool = False,
        pin: str | None = None,
        profile: str = "auto",
        on_wakeup: Callable[[], None] | None = None,
        usb_id: str | None = None,
        command_timeout: float = 5.0,
        list_timeout: float = 30.0,
        pin_guard: PinGuard | None = None,
        prefer_memory: str = "SM",
    ) -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown modem profile {profile!r} (one of {', '.join(PROFILES)})")
        self.port = port
        self.usb_id = usb_id
        self.baudrate = baudrate
        self.rtscts = rtscts
        self.dsrdtr = dsrdtr
        self.pin = pin or None
        self.profile = profile
        self.command_timeout = command_timeout
        self.list_timeout = list_timeout
        # Without a guard (a library user, a test) what the SIM said lasts as long as this gateway.
        self.pin_guard = pin_guard or PinGuard(None, port)
        self.prefer_memory = prefer_memory
        self.identity = Identity()
        self.device: str | None = None  # the port actually opened
        self.sweep_problems: list[str] = []  # storages the last sweep could not list, and why
        self._link: AtLink | None = None
        self._storage = Storage()
        self._cnmi: str | None = None
        self._urcs = UrcWatch(lambda: self.device, on_wakeup or (lambda: None))
        self._lost = False

    @property
    def on_wakeup(self) -> Callable[[], None]:
        return self._urcs.on_wakeup

    @on_wakeup.setter
    def on_wakeup(self, callback: Callable[[], None]) -> None:
        self._urcs.on_wakeup = callback

    # -- connection ---------------------------------------------------------------------------------------
    def connect(self) -> None:
        """Open the port and initialise the modem; raises PortError, ModemTimeout, SimError, CommandFailed."""
        self._open()
        try:
            self.initialise()
        except BaseException:
            self.close()
            raise

    def _open(self) -> None:
        """Resolve the port name again (it may have moved) and open it, exclusively."""
        self.device = resolve(self.port, self.usb_id)
        self._lost = False
        self._link = AtLink(
            self.device,
            self.baudrate,
            rtscts=self.rtscts,
            dsrdtr=self.dsrdtr,
            on_urc=self._urcs.handle,
            on_fatal=self._on_fatal,
        )
        self._link.connect()

    def close(self) -> None:
        if self._link is not None:
            self._link.close()

    @property
    def _open_link(self) -> AtLink:
        """The link :meth:`_open` made; PortError before it was."""
        if self._link is None:
            raise PortError("not connected")
        return self._link

    @property
    def alive(self) -> bool:
        """The port is open and read; False after an unplug or a dead reader (reconnect then)."""
        return self._link is not None and self._link.healthy and not self._lost

    @property
    def needs_reinit(self) -> bool:
        """The modem rebooted (boot messages, or its echo came back): run :meth:`initialise` again."""
        return self._urcs.reboot.is_set() or bool(self._link and self._link.echo_seen)

    @property
    def needs_notification_reset(self) -> bool:
        """The modem registered again after a loss: :meth:`reset_notifications` (some forget CNMI then)."""
        return self._urcs.notify_reset.is_set()

    def request_reinit(self) -> None:
        """Make :attr:`needs_reinit` true (the caller saw an answer that means the SIM was reset)."""
        self._urcs.reboot.set()

    def initialise(self) -> None:
        """Put the modem in the state the receiver needs. Safe to run again after a reboot.

        :attr:`needs_reinit` stays true until this has run to the end, so a failed attempt is repeated.
        """
        self._wake()
        self._cmd("ATE0")
        self._open_link.echo_seen = False
        self._cmd_quiet("AT+CMEE=1")
        ident = self._identify()
        profile = self.profile if self.profile != "auto" else ident.profile
        self.identity = Identity(ident.manufacturer, ident.model, ident.revision, ident.imei, profile)
        fam = family(profile)
        self._urcs.family = fam
        for command in fam.init:  # silence noise, wanted URCs, the family's own settings
            self._cmd_quiet(command)
        self._unlock_sim()
        self._retry_busy("AT+CMGF=0")
        self._cmd_quiet("AT+COPS=3,0")
        self._cmd_quiet("AT+CREG=1")  # +CREG URCs: a re-registration is seen as it happens
        self._cmd_quiet("AT+CLTS=1" if profile == "sim800" else "AT+CTZU=1")  # the network's time into +CCLK
        self._setup_storage()
        self._setup_notifications()
        self._urcs.reboot.clear()
        self._urcs.notify_reset.clear()
        self._urcs.forget_registration()
        self._open_link.echo_seen = False
        log.info(
            "%s: ready (%s %s, profile %s, storage %s)",
            self.device,
            ident.manufacturer,
            ident.model,
            profile,
            "/".join(self._storage.swept),
        )

    def reset_notifications(self) -> None:
        """Send ``AT+CNMI`` again (after a re-registration some firmwares raise no more ``+CMTI``)."""
        self._urcs.notify_reset.clear()
        if self._cnmi is None:
            self._setup_notifications()
            return
        self._retry_busy(f"AT+CNMI={self._cnmi}")
        log.info("%s: AT+CNMI=%s sent again", self.device, self._cnmi)

    def send_reset(self) -> None:
        """Ask the modem to restart (``AT+CFUN=1,1``) without waiting for an answer, then close the port.

        For a modem that no longer answers: some still obey a reset. Raises PortError if the port is gone.
        """
        if self._link is None or not self._link.healthy:
            self._open()
        try:
            self._open_link.write_blind(b"AT+CFUN=1,1\r")
        finally:
            self.close()

    # -- receiving ----------------------------------------------------------------------------------------
    def list_stored(self) -> list[StoredPart]:
        """Every received SMS in every storage new SMS can land in (``AT+CMGL=4``).

        A storage whose listing fails (``+CMS ERROR: 321/322``...) is skipped and named in
        :attr:`sweep_problems`; the others are still listed. If none can be listed, the first error is raised.
        """
        parts: list[StoredPart] = []
        problems: list[str] = []
        first_error: CommandFailed | None = None
        self._storage.notified |= self._urcs.notified_memories() & set(self._storage.readable)
        memories = self._storage.memories_to_sweep()
        for memory in memories:
            try:
                self._select(memory)
                lines = self._retry_busy("AT+CMGL=4", timeout=self.list_timeout)
            except CommandFailed as exc:
                if not exc.is_cms or exc.code not in _STORAGE_ERRORS:
                    raise
                problems.append(f"{memory}: {exc.result} ({_STORAGE_ERRORS[exc.code]})")
                first_error = first_error or exc
                if exc.code == 322:
                    self._urcs.full.add(memory)
                log.warning("%s: listing %s failed (%s); the other storages are swept", self.device, memory, exc)
                self._storage.selected = None  # not known where mem1 stands after an error
                continue
            parts.extend(parse_cmgl(memory, lines, self.device))
        self.sweep_problems = problems
        if first_error is not None and len(problems) == len(memories):
            raise first_error
        self._note_misrouting(parts)
        return parts

    def take_direct(self) -> list[StoredPart]:
        """Messages the modem showed with ``+CMT`` and never stored (a class-0 flash SMS on some firmwares)."""
        return [direct_part(pdu, self.device) for pdu in self._urcs.take_direct()]

    def put_back_direct(self, parts: list[StoredPart]) -> None:
        """Direct messages that could not be handed on: kept for the next sweep (in memory only)."""
        self._urcs.put_back_direct([p.pdu_hex for p in parts])

    def take_full(self) -> set[str]:
        """Storages the modem reported full since the last call (URCs and ``+CMS ERROR: 322``)."""
        return self._urcs.take_full()

    def take_status_reports(self) -> int:
        """Status reports the modem showed (``+CDS``/``+CDSI``) since the last call; stored ones are listed."""
        return self._urcs.take_status_reports()

    @property
    def misrouted_storage(self) -> str | None:
        """Where new SMS were found instead of the storage asked for (a Huawei firmware quirk), if anywhere."""
        return self._storage.misrouted

    def delete(self, part: StoredPart) -> None:
        """Delete one slot, after re-reading it: a slot that now holds another PDU is left alone."""
        if part.index < 0:  # shown with +CMT: never stored
            return
        self._select(part.memory)
        try:
            lines = self._retry_busy(f"AT+CMGR={part.index}")
        except CommandFailed as exc:
            if exc.is_cms and exc.code == 321:  # invalid index: already empty
                log.info("%s: %s/%d already empty", self.device, part.memory, part.index)
                return
            raise
        current = self._pdu_after(lines, _CMGR)
        if current is None:  # EC25: a bare OK for an empty slot
            log.info("%s: %s/%d already empty", self.device, part.memory, part.index)
            return
        if current.upper() != part.pdu_hex.upper():
            raise SlotChanged(f"{part.memory}/{part.index} now holds another message")
        try:
            self._retry_busy(f"AT+CMGD={part.index}")
        except CommandFailed as exc:
            if exc.is_cms and exc.code == 321:  # gone between the read and the delete
                log.info("%s: %s/%d emptied meanwhile", self.device, part.memory, part.index)
                return
            raise

    # -- sending ------------------------------------------------------------------------------------------
    def send_sms(self, recipient: str, text: str, *, ref: int = 0, timeout: float = 60.0) -> list[int]:
        """Send one message (``AT+CMGS`` in PDU mode, multipart when long); the message references, one per part.

        EncodeError for a bad number or text; CommandFailed when the modem or network refuses a part (the
        parts before it are sent: an SMS cannot be recalled).
        """
        refs: list[int] = []
        for part in encode_submit(recipient, text, ref=ref):
            lines = self._open_link.command_with_data(f"AT+CMGS={part.length}", part.pdu_hex, timeout)
            refs.append(_message_ref(lines))
        log.info("%s: sent an SMS in %d part(s)", self.device, len(refs))
        return refs

    def ussd(self, code: str, timeout: float = 30.0) -> UssdReply:
        """Ask the network ``code`` (``AT+CUSD=1,"<code>",15``) and return its answer; UssdFailed without one."""
        code = encode_code(code)
        self._urcs.take_ussd()  # an old answer is not this one's
        try:
            lines = self._cmd(f'AT+CUSD=1,"{code}",15', timeout=max(self.command_timeout, 10.0))
        except CommandFailed as exc:
            raise UssdFailed(f"the modem refused USSD {code}: {exc.result}") from exc
        answer = [line for line in lines if line.upper().startswith("+CUSD:")]  # some answer before the OK
        if not answer:
            deadline = time.monotonic() + timeout
            while not answer and time.monotonic() < deadline:
                if self._urcs.ussd_arrived.wait(min(0.5, max(0.0, deadline - time.monotonic()))):
                    answer = self._urcs.take_ussd()
                if not self._open_link.healthy:
                    raise PortError(f"{self.device} went away during USSD {code}")
        if not answer:
            self._cmd_quiet("AT+CUSD=2")  # end the session the network may still hold open
            raise UssdFailed(f"no USSD answer to {code} in {timeout:.0f} s")
        reply = parse_cusd(answer[-1])
        if reply.status == 1:
            self._cmd_quiet("AT+CUSD=2")  # a menu: not navigated, the session is closed
        return reply

    # -- health -------------------------------------------------------------------------------------------
    def sample_health(self) -> HealthSample:
        now = datetime.now(UTC)
        try:
            self._cmd("AT")
        except (ModemTimeout, PortError, CommandFailed) as exc:
            return HealthSample(at=now, responsive=False, error=str(exc))
        sample: dict = {"at": now, "responsive": True}
        try:
            sample["sim_state"] = self._sim_state()
            registration = sampling.registration(self._cmd_quiet)
            sample["registration"] = registration
            sample["registered"] = registration in ("home", "roaming") if registration else None
            self._urcs.registration(sample["registered"])  # a return seen here resets CNMI as a URC would
            sample["operator"] = sampling.operator(self._cmd_quiet)
            sample["signal_csq"], sample["signal_dbm"] = sampling.signal(self._cmd_quiet)
            sample["storage_used"], sample["storage_total"] = self._storage_use()
            sample["network_clock"] = sampling.network_clock(self._cmd_quiet)
        except (ModemTimeout, PortError) as exc:
            # It stopped answering half-way: what was sampled is kept, but it is not responsive.
            sample.update(responsive=False, error=str(exc))
        return HealthSample(**sample)

    # -- internals ----------------------------------------------------------------------------------------
    def _on_fatal(self, exc: Exception) -> None:
        self._lost = True
        self._urcs.on_wakeup()

    def _cmd(
        self, command: str, timeout: float | None = None, recover: bool = True, final_info: str | None = None
    ) -> list[str]:
        return self._open_link.command(command, timeout or self.command_timeout, recover=recover, final_info=final_info)

    def _cmd_quiet(self, command: str) -> list[str] | None:
        """A setting some modems lack: an error answer is logged, not raised."""
        try:
            return self._cmd(command)
        except CommandFailed as exc:
            log.debug("%s: %s", self.device, exc)
            return None

    def _retry_busy(self, command: str, timeout: float | None = None, attempts: int = 10) -> list[str]:
        for attempt in range(attempts):
            try:
                return self._cmd(command, timeout)
            except CommandFailed as exc:
                kind = "CMS" if exc.is_cms else "CME"
                busy = (kind, exc.code) in _BUSY or "BUSY" in exc.result.upper()  # CMEE=2: "SIM busy"
                if not busy or attempt == attempts - 1:
                    raise
                log.info("%s: %s busy, retrying", self.device, command)
                time.sleep(0.3)  # the SIM needs a moment after boot; nothing to poll for
        raise AssertionError("unreachable")

    def _wake(self, attempts: int = 5) -> None:
        """``AT`` until the modem answers (it may be booting, or still finishing a previous answer)."""
        last: Exception | None = None
        for _ in range(attempts):
            try:
                self._cmd("AT", timeout=min(self.command_timeout, 1.0), recover=False)
                self._open_link.wait_quiet(0.2, 1.0)  # let an earlier late answer drain before the next command
                return
            except ModemTimeout as exc:
                last = exc
        raise ModemTimeout(f"{self.device} does not answer AT") from last

    def _identify(self) -> Identity:
        def first(command: str) -> str:
            lines = self._cmd_quiet(command) or []
            values = [re.sub(r"^\+\w+:\s*", "", line).strip().strip('"') for line in lines]
            return values[0] if values else ""

        manufacturer = first("AT+CGMI")
        return Identity(
            manufacturer=manufacturer,
            model=first("AT+CGMM"),
            revision=first("AT+CGMR"),
            imei=first("AT+CGSN"),
            profile=detect_profile(manufacturer),
        )

    def _sim_state(self) -> str:
        # Wavecom answers "+CPIN: READY" with no OK: that line ends the answer.
        final_info = "+CPIN:" if family(self.identity.profile).cpin_no_ok else None
        try:
            lines = self._cmd("AT+CPIN?", timeout=max(self.command_timeout, 5.0), final_info=final_info)
        except CommandFailed as exc:
            return exc.result
        for line in lines:
            if line.upper().startswith("+CPIN:"):
                return line.split(":", 1)[1].strip()
        return "UNKNOWN"

    def _unlock_sim(self) -> None:
        def ask(command: str) -> list[str]:
            timeout = max(self.command_timeout, 10.0) if command.upper().startswith("AT+CPIN=") else None
            return self._cmd(command, timeout)

        SimUnlocker(
            str(self.device), ask, self._sim_state, family(self.identity.profile), self.pin, self.pin_guard
        ).run()

    def _setup_storage(self) -> None:
        readable, swept, incoming = parse_cpms_test(self._retry_busy("AT+CPMS=?"), self.prefer_memory)
        # mem1 (read/delete), mem2 (write), mem3 (where new SMS are stored).
        try:
            lines = self._retry_busy(f'AT+CPMS="{incoming}","{incoming}","{incoming}"')
        except CommandFailed:
            lines = self._retry_busy(f'AT+CPMS="{incoming}"')  # Wavecom: at most two; oFono sends one
        self._storage = Storage(
            readable=readable,
            swept=swept,
            incoming=incoming,
            selected=incoming,
            notified=self._urcs.notified_memories() & set(readable),
        )
        self._urcs.swept = swept
        if use := parse_selected_use(lines):
            self._storage.usage[incoming] = use

    def _select(self, memory: str) -> None:
        if self._storage.selected != memory:
            lines = self._retry_busy(f'AT+CPMS="{memory}"')
            self._storage.selected = memory
            if use := parse_selected_use(lines):
                self._storage.usage[memory] = use

    def _note_misrouting(self, parts: list[StoredPart]) -> None:
        elsewhere = sorted({p.memory for p in parts if p.kind == DELIVER and p.memory != self._storage.incoming})
        if elsewhere and self._storage.misrouted != elsewhere[0]:
            self._storage.misrouted = elsewhere[0]
            log.warning(
                "%s: new SMS found in %s although %s was asked for (a firmware quirk); both are swept",
                self.device,
                elsewhere[0],
                self._storage.incoming,
            )

    def _setup_notifications(self) -> None:
        # <mt>=1: store, then +CMTI. <ds>=0: the box sends nothing, so no status reports.
        for value in family(self.identity.profile).cnmi:
            try:
                self._retry_busy(f"AT+CNMI={value}")
                self._cnmi = value
                return
            except CommandFailed as exc:
                log.debug("%s: CNMI=%s refused: %s", self.device, value, exc)
        self._cnmi = None
        log.warning("%s: no +CMTI notifications; relying on the periodic sweep", self.device)

    @staticmethod
    def _pdu_after(lines: list[str], header: re.Pattern) -> str | None:
        for i, line in enumerate(lines):
            if header.match(line) and i + 1 < len(lines):
                return lines[i + 1].strip()
        return None

    def _storage_use(self) -> tuple[int | None, int | None]:
        """Use of the storage closest to full: new SMS may land in either (a firmware quirk)."""
        reported = parse_cpms_query(self._cmd_quiet("AT+CPMS?") or [])
        self._storage.usage.update(reported)
        for memory in self._storage.memories_to_sweep():
            if memory not in reported:  # not mem1..mem3 now: select it to read its use
                lines = self._cmd_quiet(f'AT+CPMS="{memory}"')
                self._storage.selected = memory if lines is not None else None
                if lines and (use := parse_selected_use(lines)):
                    self._storage.usage[memory] = use
        fullest = self._storage.fullest()
        return (fullest[1], fullest[2]) if fullest else (None, None)


def _message_ref(lines: list[str]) -> int:
    for line in lines:
        match = re.match(r"^\+CMGS:\s*(\d+)", line)
        if match:
            return int(match.group(1))
    return -1  # sent (OK) though the modem named no reference


__all__ = ["PROFILES", "SIM_ERRORS", "HealthSample", "Identity", "ModemGateway", "StoredPart", "detect_profile"]
