"""One GSM modem: initialise it, list and delete stored SMS, sample its health.

PDU mode, ``<mt>=1`` (the modem stores every SMS and announces it with
``+CMTI``; ``+CMT`` direct delivery would lose a message the moment a line is
missed). A ``+CMTI`` only wakes the caller up: :meth:`ModemGateway.list_stored`
(``AT+CMGL=4`` on every storage) is the source of truth, and
:meth:`ModemGateway.delete` removes one slot (``AT+CMGD=<index>``, never a
delete-all) after re-reading it. All I/O runs on the caller's thread; the only
other thread is the link's reader, which only calls ``on_wakeup``.

Why one module of ~500 lines: it is one class, the whole AT conversation with one
device (the init sequence with its per-profile fallbacks, the storage sweep, delete,
health). Its steps share the link and the learned storages; split, each half would
reach into the other's state.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from modem.at import AtLink
from modem.errors import CommandFailed, ModemTimeout, PduError, PinRequired, PortError, SimError, SlotChanged
from modem.health import HealthSample
from modem.pdu import DeliverPdu, decode_deliver
from modem.ports import resolve

log = logging.getLogger(__name__)

PROFILES = ("auto", "sim800", "huawei", "ec25", "generic")

# SIM busy (CME 14, CMS 314) and "initialisation in progress" (CME 515) pass after a while.
_BUSY = {("CME", 14), ("CME", 515), ("CMS", 314), ("CMS", 302)}
# Lines after which the modem has lost its settings (a reboot): boot messages of SIMCom, Quectel, Huawei.
# "+CPIN:" covers a SIM that asks for its PIN again (a SIM swap, a SIM reset).
_BOOT_LINES = ("RDY", "SMS READY", "SMS DONE", "+QIND: SMS DONE", "+CFUN: 1", "+CPIN:", "^SIMST")
# Answers meaning the SIM needs the unlock/initialisation sequence again: SIM not inserted, PIN, failure.
SIM_ERRORS = {("CME", 10), ("CME", 11), ("CME", 13), ("CMS", 310), ("CMS", 311), ("CMS", 313)}
_CMTI = re.compile(r'^\+CMTI:\s*"?([A-Z_]+)"?\s*,\s*(\d+)', re.IGNORECASE)
_CMGL = re.compile(r"^\+CMGL:\s*(\d+)\s*,\s*(\d*)\s*,")
_CMGR = re.compile(r"^\+CMGR:\s*(\d*)\s*,")
_HEX = re.compile(r"^[0-9A-Fa-f]+$")
# Where new SMS may be stored; MT is SM+ME combined and SR holds status reports.
_SWEPT_MEMORIES = ("SM", "ME")
_REGISTRATION = {0: "not registered", 1: "home", 2: "searching", 3: "denied", 4: "unknown", 5: "roaming"}


@dataclass(frozen=True)
class StoredPart:
    """One received SMS-DELIVER in the modem's storage."""

    memory: str  # "SM", "ME"
    index: int
    status: int  # 0 unread, 1 read (27.005 <stat>)
    pdu_hex: str  # upper case
    pdu: DeliverPdu | None  # None when the PDU could not be decoded
    error: str | None = None  # why it could not be decoded


@dataclass(frozen=True)
class Identity:
    manufacturer: str = ""
    model: str = ""
    revision: str = ""
    imei: str = ""
    profile: str = "generic"


@dataclass
class _Storage:
    readable: tuple[str, ...] = ()
    swept: tuple[str, ...] = ("SM",)
    incoming: str = "SM"
    selected: str | None = None
    notified: set[str] = field(default_factory=set)


def detect_profile(manufacturer: str) -> str:
    name = manufacturer.lower()
    if "huawei" in name:
        return "huawei"
    if "simcom" in name:
        return "sim800"
    if "quectel" in name:
        return "ec25"
    return "generic"


def _quoted(line: str) -> list[str]:
    return re.findall(r'"([^"]*)"', line)


def _fields(line: str) -> list[str]:
    _, _, rest = line.partition(":")
    return [f.strip().strip('"') for f in rest.split(",")]


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
        self.on_wakeup = on_wakeup or (lambda: None)
        self.command_timeout = command_timeout
        self.list_timeout = list_timeout
        self.identity = Identity()
        self.device: str | None = None  # the port actually opened
        self._link: AtLink | None = None
        self._storage = _Storage()
        self._reboot_seen = threading.Event()
        self._lost = threading.Event()

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
        self._lost.clear()
        self._link = AtLink(
            self.device,
            self.baudrate,
            rtscts=self.rtscts,
            dsrdtr=self.dsrdtr,
            on_urc=self._on_urc,
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
        return self._link is not None and self._link.healthy and not self._lost.is_set()

    @property
    def needs_reinit(self) -> bool:
        """The modem rebooted (boot messages, or its echo came back): run :meth:`initialise` again."""
        return self._reboot_seen.is_set() or bool(self._link and self._link.echo_seen)

    def request_reinit(self) -> None:
        """Make :attr:`needs_reinit` true (the caller saw an answer that means the SIM was reset)."""
        self._reboot_seen.set()

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
        if profile == "huawei":
            self._cmd_quiet("AT^CURC=0")  # silence ^RSSI/^MODE/^BOOT noise
        self._unlock_sim()
        self._retry_busy("AT+CMGF=0")
        self._cmd_quiet("AT+COPS=3,0")
        self._setup_storage()
        self._setup_notifications(profile)
        self._reboot_seen.clear()
        self._open_link.echo_seen = False
        log.info(
            "%s: ready (%s %s, profile %s, storage %s)",
            self.device,
            ident.manufacturer,
            ident.model,
            profile,
            "/".join(self._storage.swept),
        )

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
        """Every received SMS in every storage new SMS can land in (``AT+CMGL=4``)."""
        parts: list[StoredPart] = []
        memories = list(self._storage.swept)
        memories += [m for m in sorted(self._storage.notified) if m not in memories and m in self._storage.readable]
        for memory in memories:
            self._select(memory)
            lines = self._retry_busy("AT+CMGL=4", timeout=self.list_timeout)
            parts.extend(self._parse_cmgl(memory, lines))
        return parts

    def delete(self, part: StoredPart) -> None:
        """Delete one slot, after re-reading it: a slot that now holds another PDU is left alone."""
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
        self._retry_busy(f"AT+CMGD={part.index}")

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
            registration = self._registration()
            sample["registration"] = registration
            sample["registered"] = registration in ("home", "roaming") if registration else None
            sample["operator"] = self._operator()
            sample["signal_csq"], sample["signal_dbm"] = self._signal()
            sample["storage_used"], sample["storage_total"] = self._storage_use()
        except (ModemTimeout, PortError) as exc:
            # It stopped answering half-way: what was sampled is kept, but it is not responsive.
            sample.update(responsive=False, error=str(exc))
        return HealthSample(**sample)

    # -- internals: URCs ----------------------------------------------------------------------------------
    def _on_urc(self, line: str) -> None:
        match = _CMTI.match(line)
        upper = line.upper()
        if match:
            memory = match.group(1).upper()
            # MT is SM+ME seen together (indexes of its own) and SR holds status reports: not swept.
            if memory not in self._storage.swept and memory not in ("MT", "SR", "BM"):
                self._storage.notified.add(memory)
            log.debug("%s: new SMS in %s/%s", self.device, memory, match.group(2))
            self.on_wakeup()
        elif any(upper.startswith(boot) for boot in _BOOT_LINES):
            log.warning("%s: the modem restarted (%r); re-initialising", self.device, line)
            self._reboot_seen.set()
            self.on_wakeup()
        elif upper.startswith(("^SMMEMFULL", "+ZSMMEMFULL")):
            log.warning("%s: storage full (%r)", self.device, line)
            self.on_wakeup()

    def _on_fatal(self, exc: Exception) -> None:
        self._lost.set()
        self.on_wakeup()

    # -- internals: commands ------------------------------------------------------------------------------
    def _cmd(self, command: str, timeout: float | None = None, recover: bool = True) -> list[str]:
        return self._open_link.command(command, timeout or self.command_timeout, recover=recover)

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
        try:
            lines = self._cmd("AT+CPIN?", timeout=max(self.command_timeout, 5.0))
        except CommandFailed as exc:
            return exc.result
        for line in lines:
            if line.upper().startswith("+CPIN:"):
                return line.split(":", 1)[1].strip()
        return "UNKNOWN"

    def _unlock_sim(self) -> None:
        deadline = time.monotonic() + 20
        pin_sent = False
        while True:
            state = self._sim_state()
            if state == "READY":
                return
            if state == "SIM PIN":
                if pin_sent:
                    pass  # the modem is still processing the PIN; poll
                elif not self.pin:
                    raise PinRequired(f"{self.device}: the SIM asks for a PIN and none is configured")
                else:
                    try:
                        self._cmd(f'AT+CPIN="{self.pin}"', timeout=max(self.command_timeout, 10.0))
                    except CommandFailed as exc:
                        # Never retry a refused PIN: three wrong ones lock the SIM (PUK).
                        raise PinRequired(f"{self.device}: the SIM refused the configured PIN ({exc.result})") from exc
                    pin_sent = True
            elif state in ("SIM PUK", "SIM PUK2", "PH-SIM PIN"):
                raise SimError(f"{self.device}: the SIM is locked ({state}); unlock it in a phone")
            elif (
                not any(f"ERROR: {code}" in state for code in (14, 515))
                and "BUSY" not in state.upper()
                and state != "UNKNOWN"
            ):
                raise SimError(f"{self.device}: SIM not usable ({state})")
            if time.monotonic() > deadline:
                raise SimError(f"{self.device}: SIM not ready after 20 s ({state})")
            time.sleep(0.3)  # SIM busy after the PIN or at boot; nothing to poll but the modem itself

    def _setup_storage(self) -> None:
        lines = self._retry_busy("AT+CPMS=?")
        text = " ".join(lines)
        groups = [_quoted(g) for g in re.findall(r"\(([^()]*)\)", text)]
        groups = [g for g in groups if g]
        readable = tuple(m.upper() for m in groups[0]) if groups else ("SM",)
        incoming_options = tuple(m.upper() for m in groups[2]) if len(groups) >= 3 else readable
        swept = tuple(m for m in _SWEPT_MEMORIES if m in readable) or readable[:1]
        incoming = next(
            (m for m in _SWEPT_MEMORIES if m in incoming_options), incoming_options[0] if incoming_options else "SM"
        )
        # mem1 (read/delete), mem2 (write), mem3 (where new SMS are stored).
        try:
            self._retry_busy(f'AT+CPMS="{incoming}","{incoming}","{incoming}"')
        except CommandFailed:
            self._retry_busy(f'AT+CPMS="{incoming}"')
        self._storage = _Storage(
            readable=readable,
            swept=swept,
            incoming=incoming,
            selected=incoming,
            notified=self._storage.notified & set(readable),
        )

    def _select(self, memory: str) -> None:
        if self._storage.selected != memory:
            self._retry_busy(f'AT+CPMS="{memory}"')
            self._storage.selected = memory

    def _setup_notifications(self, profile: str) -> None:
        # <mt>=1: store, then +CMTI. <ds>=0: the box sends nothing, so no status reports.
        # Huawei and Qualcomm advertise <mode>=2 but may refuse it (oFono); SIM800 refuses <ds>=2.
        candidates = ["1,1,0,0,0", "2,1,0,0,0"] if profile == "huawei" else ["2,1,0,0,0", "1,1,0,0,0", "2,1"]
        for value in candidates:
            try:
                self._retry_busy(f"AT+CNMI={value}")
                return
            except CommandFailed as exc:
                log.debug("%s: CNMI=%s refused: %s", self.device, value, exc)
        log.warning("%s: no +CMTI notifications; relying on the periodic sweep", self.device)

    def _parse_cmgl(self, memory: str, lines: list[str]) -> list[StoredPart]:
        parts = []
        for i, line in enumerate(lines):
            match = _CMGL.match(line)
            if not match:
                continue
            index = int(match.group(1))
            status = int(match.group(2)) if match.group(2) else 0
            following = lines[i + 1].strip() if i + 1 < len(lines) else ""
            if status in (2, 3):  # stored outgoing messages are not ours to take
                continue
            if not _HEX.match(following):
                parts.append(
                    StoredPart(memory, index, status, following.upper(), None, "no PDU line after the +CMGL header")
                )
                continue
            pdu_hex = following.upper()
            try:
                parts.append(StoredPart(memory, index, status, pdu_hex, decode_deliver(pdu_hex)))
            except PduError as exc:
                log.warning("%s: %s/%d holds an undecodable PDU: %s", self.device, memory, index, exc)
                parts.append(StoredPart(memory, index, status, pdu_hex, None, str(exc)))
        return parts

    @staticmethod
    def _pdu_after(lines: list[str], header: re.Pattern) -> str | None:
        for i, line in enumerate(lines):
            if header.match(line) and i + 1 < len(lines):
                return lines[i + 1].strip()
        return None

    def _registration(self) -> str | None:
        best = None
        for command in ("AT+CREG?", "AT+CEREG?"):
            lines = self._cmd_quiet(command) or []
            for line in lines:
                values = _fields(line)
                if len(values) >= 2 and values[1].isdigit():
                    state = _REGISTRATION.get(int(values[1]), "unknown")
                    if state in ("home", "roaming"):
                        return state
                    best = best or state
        return best

    def _operator(self) -> str | None:
        for line in self._cmd_quiet("AT+COPS?") or []:
            names = _quoted(line)
            if names:
                return names[0]
        return None

    def _signal(self) -> tuple[int | None, int | None]:
        for line in self._cmd_quiet("AT+CSQ") or []:
            values = _fields(line)
            if values and values[0].isdigit():
                rssi = int(values[0])
                if 0 <= rssi <= 31:
                    return rssi, -113 + 2 * rssi  # 27.007 §8.5
                return None, None
        return None, None

    def _storage_use(self) -> tuple[int | None, int | None]:
        for line in self._cmd_quiet("AT+CPMS?") or []:
            values = _fields(line)
            triples = [values[i : i + 3] for i in range(0, len(values) - 2, 3)]
            for name, used, total in triples:
                if name.upper() == self._storage.incoming and used.isdigit() and total.isdigit():
                    return int(used), int(total)
            if triples and triples[0][1].isdigit() and triples[0][2].isdigit():
                return int(triples[0][1]), int(triples[0][2])
        return None, None


__all__ = ["PROFILES", "SIM_ERRORS", "HealthSample", "Identity", "ModemGateway", "StoredPart", "detect_profile"]
