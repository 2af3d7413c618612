"""The fake modem on a pseudo-terminal: transport, timing, URCs, the SMSC queue and the faults.

A client (the product's gateway, Gammu, minicom) opens :attr:`Simulator.link`,
a stable symlink to the pty slave, exactly as it would open
``/dev/serial/by-id/...``. The simulator keeps its own slave fd open so that
clients can come and go, reads commands off the master, answers through
:class:`~modem.simulator.engine.ModemEngine`, and writes URCs from any thread.

Messages travel as on a real network: :meth:`Simulator.deliver_sms` hands PDUs
to the "SMSC" queue, which delivers whenever the modem can receive (powered,
not hung, registered, SIM unlocked, booted, room in the storage for new SMS)
and otherwise keeps them until it can.

Why one module of ~700 lines: the transport, the URC writer, the SMSC queue and the
faults act on one pty and one clock under one lock; each fault (hang, unplug,
brownout, reboot) changes what the transport and the queue do next.
"""

from __future__ import annotations

import collections
import dataclasses
import errno
import fcntl
import heapq
import itertools
import logging
import os
import pty
import random
import select
import termios
import threading
import time
import tty
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from modem.pdu_encode import encode_deliver
from modem.simulator.delivery import receive
from modem.simulator.engine import Answer, ModemEngine
from modem.simulator.profiles import PROFILES
from modem.simulator.quirk_faults import QUIRKS, QuirkFaults

log = logging.getLogger(__name__)

IRAN_TIME = timezone(timedelta(hours=3, minutes=30))
_WRITE_TIMEOUT = 0.2  # a full port for this long: the unread input is lost, as a UART's would be


class SimulatorError(RuntimeError):
    """The simulator cannot do what was asked (bad profile, bad argument, not started)."""


class _Scheduler:
    """Runs callbacks at monotonic deadlines on one thread (hang ends, re-plug, boot, noise)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._cond = threading.Condition()
        self._seq = itertools.count()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="modemsim-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(5)

    def call_later(self, delay: float, fn: Callable[[], None]) -> None:
        with self._cond:
            heapq.heappush(self._heap, (time.monotonic() + max(0.0, delay), next(self._seq), fn))
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cond.wait(timeout)
                if self._stopped:
                    return
                _, _, fn = heapq.heappop(self._heap)
            try:
                fn()
            except Exception:  # a faulty timer must not kill the simulator; it is logged with its trace
                log.exception("modem simulator: scheduled action failed")


class Simulator(QuirkFaults):
    """A fake GSM modem on a pty, behind a stable symlink. See the module docstring."""

    def __init__(
        self,
        link: str | Path,
        profile: str = "sim800",
        *,
        control: str | None = None,
        capacity: int | None = None,
        boot_seconds: float = 0.2,
        noise_seconds: float = 5.0,
        ack_seconds: float = 15.0,
        smsc: str = "+9891100500",
        quirks: dict[str, Any] | None = None,
    ) -> None:
        if profile not in PROFILES:
            raise SimulatorError(f"unknown profile {profile!r}; known: {', '.join(sorted(PROFILES))}")
        unknown = set(quirks or {}) - QUIRKS
        if unknown:
            raise SimulatorError(f"unknown quirk(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(QUIRKS))}")
        self.profile = dataclasses.replace(PROFILES[profile], **(quirks or {}))
        self._link = Path(link)
        self._control_address = control
        self._control_server: Any = None
        self.boot_seconds = boot_seconds
        self.noise_seconds = noise_seconds
        self.ack_seconds = ack_seconds
        self.default_smsc = smsc
        self.engine = ModemEngine(self.profile, capacity=capacity, smsc=smsc)
        self._lock = threading.RLock()  # the modem's state
        self._write_lock = threading.Lock()  # one writer on the master at a time
        self._scheduler = _Scheduler()
        self._master: int | None = None
        self._slave: int | None = None
        self._reader: threading.Thread | None = None
        self._wake_r, self._wake_w = -1, -1
        self._unplug_requested = threading.Event()
        self._unplug_done = threading.Event()
        self._running = False
        self._smsc_queue: collections.deque[str] = collections.deque()
        self._hung_until = 0.0
        self._hang_epoch = 0
        self._slow = 0.0
        self._inject: list[str] = []  # literal URCs to put inside the next answer
        self._hold_urcs = False  # next URCs go inside the next answer
        self._memfull_reported = False
        self._network_epoch = 0
        self._replug_name: str | None = None
        self._ref = random.Random().randrange(0, 65536)
        self.commands: list[str] = []  # every command line received, for tests and debugging
        self._failures: list[list[Any]] = []  # fail_command: [prefix, kind, code, times left]
        self.generation = 0  # +1 at every plug-in

    # ---- lifecycle -----------------------------------------------------------------------
    @property
    def link(self) -> Path:
        return self._link

    @property
    def control_address(self) -> str | None:
        return self._control_server.address if self._control_server else self._control_address

    def start(self) -> None:
        if self._running:
            return
        self._running = True
        self._wake_r, self._wake_w = os.pipe()
        self._scheduler.start()
        self._plug()
        self._schedule_noise()
        if self._control_address:
            from modem.simulator.control import ControlServer

            self._control_server = ControlServer(self, self._control_address)
            self._control_server.start()
        log.info("modem simulator %s on %s", self.profile.name, self._link)

    def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        if self._control_server:
            self._control_server.stop()
            self._control_server = None
        self._unplug_now()
        self._scheduler.stop()
        os.close(self._wake_r)
        os.close(self._wake_w)

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- the pty -------------------------------------------------------------------------
    def _plug(self) -> None:
        master, slave = pty.openpty()
        # Raw at once: otherwise the line discipline echoes our own output back to us and maps CR to LF.
        tty.setraw(slave)
        flags = fcntl.fcntl(master, fcntl.F_GETFL)
        fcntl.fcntl(master, fcntl.F_SETFL, flags | os.O_NONBLOCK)
        with self._lock:
            self._master, self._slave = master, slave
            self.generation += 1
            self._hung_until = 0.0
            self._unplug_requested.clear()
            self._unplug_done.clear()
            self._point_link(os.ttyname(slave))
            self._reader = threading.Thread(target=self._read_loop, args=(master,), name="modemsim-reader", daemon=True)
            self._reader.start()
        self._boot()

    def _point_link(self, target: str) -> None:
        self._link.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._link.with_name(f".{self._link.name}.{os.getpid()}.tmp")
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        os.symlink(target, tmp)
        os.replace(tmp, self._link)  # atomic: a client never sees the link missing while re-pointed

    def _unplug_now(self) -> None:
        with self._lock:
            master = self._master
            if master is None:
                return
            if self._link.is_symlink():
                self._link.unlink()
            self._unplug_requested.set()
        os.write(self._wake_w, b"x")
        if self._reader is not threading.current_thread():
            self._unplug_done.wait(5)
        with self._lock, self._write_lock:  # no writer may hold the fd number while it is closed
            for fd in (self._master, self._slave):
                if fd is not None:
                    os.close(fd)
            self._master = self._slave = None
        # drain the wake pipe
        while select.select([self._wake_r], [], [], 0)[0]:
            os.read(self._wake_r, 64)

    def _read_loop(self, master: int) -> None:
        buffer = bytearray()
        while True:
            try:
                ready, _, _ = select.select([master, self._wake_r], [], [])
            except (OSError, ValueError):
                break
            if self._unplug_requested.is_set():
                break
            if master not in ready:
                continue
            try:
                data = os.read(master, 4096)
            except BlockingIOError:
                continue
            except OSError as exc:
                if exc.errno == errno.EIO:  # no slave open (cannot happen while we hold ours), keep going
                    continue
                break
            for byte in data:
                if self.engine.awaiting_pdu is not None:  # after "> ": the PDU, up to Ctrl-Z (ESC cancels)
                    if byte == 0x1A:
                        pdu, buffer = buffer.decode("latin-1"), bytearray()
                        self._on_pdu(pdu)
                    elif byte == 0x1B:
                        buffer.clear()
                        with self._lock:
                            self.engine.awaiting_pdu = None
                        self._send(b"\r\nOK\r\n")
                    elif byte not in (0x0D, 0x0A):
                        buffer.append(byte)
                    continue
                if byte == 0x0D:
                    line = buffer.decode("latin-1")
                    buffer.clear()
                    self._on_line(line)
                elif byte in (0x1B, 0x1A):  # ESC aborts, Ctrl-Z ends an (unsupported) SMS body
                    buffer.clear()
                elif byte == 0x0A and not buffer:
                    continue
                else:
                    buffer.append(byte)
        self._unplug_done.set()

    def _send(self, data: bytes) -> None:
        """Write to the client. When the port's input queue stays full (nobody has it open, or the client
        stopped reading), what waits there is discarded, as an overflowing UART would: never block."""
        with self._write_lock:
            master, slave = self._master, self._slave
            if master is None or slave is None or not data:
                return
            deadline = time.monotonic() + _WRITE_TIMEOUT
            view = memoryview(data)
            while view:
                try:
                    view = view[os.write(master, view) :]
                except BlockingIOError:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        log.debug("modem simulator: nobody reads the port; its unread input is discarded")
                        termios.tcflush(slave, termios.TCIFLUSH)
                        deadline = time.monotonic() + _WRITE_TIMEOUT
                        continue
                    select.select([], [master], [], min(remaining, 0.05))
                except OSError:
                    return

    # ---- commands ------------------------------------------------------------------------
    def _on_line(self, line: str) -> None:
        with self._lock:
            if self._hung():
                log.debug("modem simulator: hung, ignoring %r", line)
                return
            self.commands.append(line)
            echo = self.engine.settings.echo
            injected_error = self._injected_failure(line)
            try:
                answer = Answer(final=injected_error) if injected_error else self.engine.handle(line)
            except Exception:  # a simulator bug must not silence the modem for the rest of a test run
                log.exception("modem simulator: %r raised; answering ERROR", line)
                answer = Answer(final="ERROR")
            delay = self._slow
            injected, self._inject = self._inject, []
        if echo:
            self._send(line.encode("latin-1") + b"\r")
        if delay:
            # Answering slowly is the fault itself; the lock is free meanwhile, so URCs can overtake.
            time.sleep(delay)
            if self.profile.ignores_while_busy:
                self._discard_input()
        if answer.prompt:
            self._send(b"\r\n> ")
        elif answer.final is not None or answer.info:
            self._send(self._frame(answer, injected))
        elif injected:
            self._send(self._frame_urcs(injected))
        if answer.later_urcs:
            urcs = list(answer.later_urcs)
            self._scheduler.call_later(0.1, lambda: self._emit_urcs(urcs))
        if answer.reboot:
            self._scheduler.call_later(0.05, self.reboot)
        if answer.unlocked:
            self._emit_urcs(["+CPIN: READY"])
            self._scheduler.call_later(self.boot_seconds, self._sms_ready)
        if answer.acked:
            self._scheduler.call_later(0.01, self._flush_smsc)
        if answer.space_freed:
            # The modem sends SMMA; the SMSC retries the messages it kept.
            with self._lock:
                self._memfull_reported = False
            self._scheduler.call_later(0.05, self._flush_smsc)

    def _on_pdu(self, pdu_hex: str) -> None:
        """The PDU after ``AT+CMGS``'s prompt: echoed (when echo is on), decoded and kept, answered."""
        with self._lock:
            echo = self.engine.settings.echo
            answer = self.engine.submit(pdu_hex)
            self.commands.append(f"<PDU {pdu_hex[:16]}...>")
        if echo:
            self._send(pdu_hex.encode("latin-1") + b"\x1a")
        self._send(self._frame(answer, []))

    def _discard_input(self) -> None:
        """Drop what the host wrote while we were busy (Huawei ignores commands sent meanwhile)."""
        master = self._master
        while master is not None:
            try:
                if not os.read(master, 4096):
                    return
            except OSError:
                return

    def _frame(self, answer: Answer, injected: Sequence[str]) -> bytes:
        out = ""
        if answer.info:
            out += "\r\n" + "".join(line + answer.line_end for line in answer.info)
        for urc in injected:  # between the information lines and the final result
            out += "\r\n" + urc + "\r\n"
        if answer.final is not None:
            out += "\r\n" + answer.final + "\r\n"
        return out.encode("latin-1", errors="replace")

    @staticmethod
    def _frame_urcs(lines: Sequence[str]) -> bytes:
        return "".join("\r\n" + line + "\r\n" for line in lines).encode("latin-1", errors="replace")

    def _emit_urcs(self, lines: Sequence[str]) -> None:
        """Write URCs in one burst, or keep them for the next answer (urc_in_answer)."""
        if not lines:
            return
        with self._lock:
            if self._hung():
                return
            if self._hold_urcs:
                self._inject.extend(lines)
                self._hold_urcs = False
                return
        self._send(self._frame_urcs(lines))

    def _hung(self) -> bool:
        return time.monotonic() < self._hung_until

    # ---- boot and readiness --------------------------------------------------------------
    def _boot(self) -> None:
        with self._lock:
            self.engine.reset_settings()
            self.engine.sms_ready = False
            self.engine.card.power_up()  # a SIM with its PIN enabled asks for it at every power-up
            self._memfull_reported = False
            urcs = [u for u in self.profile.boot_urcs[:-1] if self.engine.wind_allows(u)]
            if not self.engine.sim_ready:
                urcs = [u for u in urcs if not u.startswith("+CPIN")] + [f"+CPIN: {self.engine.card.state}"]
        self._emit_urcs(urcs)
        if self.engine.sim_ready:
            self._scheduler.call_later(self.boot_seconds, self._sms_ready)

    def _sms_ready(self) -> None:
        with self._lock:
            if self._master is None or not self.engine.sim_ready:
                return
            self.engine.sms_ready = True
            ready = [u for u in self.profile.boot_urcs[-1:] if self.engine.wind_allows(u)]
        self._emit_urcs(ready)
        self._flush_smsc()

    def _schedule_noise(self) -> None:
        if not self.profile.noise_urcs or self.noise_seconds <= 0:
            return
        cycle = itertools.cycle(self.profile.noise_urcs)

        def tick() -> None:
            if not self._running:
                return
            with self._lock:
                on = self.engine.settings.noise and self._master is not None
                inside = self.profile.noise_in_answers and len(self._inject) < 3
                if on and inside:
                    self._inject.append(next(cycle))  # goes between the next answer's lines and its OK
                    on = False
            if on:
                self._emit_urcs([next(cycle)])
            self._scheduler.call_later(self.noise_seconds, tick)

        self._scheduler.call_later(self.noise_seconds, tick)

    # ---- the network side ----------------------------------------------------------------
    def _can_receive(self) -> bool:
        e = self.engine
        return (
            self._master is not None
            and not self._hung()
            and e.on_network
            and e.sms_ready
            and e.awaiting_ack is None
            and e.free_index(e.target_memory) is not None
        )

    def _flush_smsc(self) -> None:
        """Deliver what the SMSC holds, as far as the modem can take it; URCs go out in one burst."""
        urcs: list[str] = []
        with self._lock:
            while self._smsc_queue and self._can_receive():
                urcs.extend(self._receive(self._smsc_queue.popleft()))
            e = self.engine
            if (
                self._smsc_queue
                and self._master is not None
                and e.sim_ready
                and e.sms_ready
                and e.free_index(e.target_memory) is None
                and not self._memfull_reported
            ):
                self._memfull_reported = True
                if self.profile.memfull_urc:
                    urcs.append(self.profile.memfull_urc.format(mem=e.target_memory))
        self._emit_urcs(urcs)

    def _receive(self, pdu: str) -> list[str]:
        delivery = receive(self.engine, pdu)  # what CNMI and the profile's quirks make of it
        if delivery.needs_ack:
            self._await_ack(pdu)
        return delivery.urcs

    def _await_ack(self, pdu: str) -> None:
        """With CSMS=1 the host must send AT+CNMA in time; otherwise the modem answers RP-ERROR (the SMSC
        keeps the message and retries) and falls back to <mt>=0 and <ds>=0: no more SMS URCs (27.005 §3.4.1)."""
        self.engine.awaiting_ack = pdu

        def expire() -> None:
            with self._lock:
                if self.engine.awaiting_ack != pdu:
                    return
                self.engine.awaiting_ack = None
                mode, _, bm, _, bfr = self.engine.settings.cnmi
                self.engine.settings.cnmi = (mode, 0, bm, 0, bfr)
                self._smsc_queue.appendleft(pdu)
            self._flush_smsc()

        self._scheduler.call_later(self.ack_seconds, expire)

    # ---- the control API (the same over the control socket) ------------------------------
    def deliver_sms(
        self,
        sender: str,
        text: str,
        *,
        smsc: str | None = None,
        scts: datetime | None = None,
        encoding: str = "auto",
        ref_bits: int = 8,
        order: Sequence[int] | None = None,
        drop: Sequence[int] = (),
        repeat: Sequence[int] = (),
        message_class: int | None = None,
    ) -> list[str]:
        """Send one SMS from ``sender``; split into parts as a network would. Returns the PDUs delivered.

        ``order`` is the order of the parts (0-based); ``drop`` parts never arrive; ``repeat`` parts
        arrive a second time after the others (a network retry); ``message_class`` 0 makes a flash SMS.
        """
        ref = self._next_ref(ref_bits)
        pdus = encode_deliver(
            sender,
            text,
            smsc=smsc or self.default_smsc,
            scts=scts or datetime.now(IRAN_TIME).replace(microsecond=0),
            encoding=encoding,
            ref=ref,
            ref_bits=ref_bits,
            message_class=message_class,
        )
        sequence = list(order) if order is not None else list(range(len(pdus)))
        if sorted(sequence) != list(range(len(pdus))):
            raise SimulatorError(f"order must be a permutation of 0..{len(pdus) - 1}, got {sequence}")
        delivered = [pdus[i] for i in sequence if i not in set(drop)]
        delivered += [pdus[i] for i in repeat if 0 <= i < len(pdus)]
        self._queue(delivered)
        return delivered

    def _next_ref(self, bits: int) -> int:
        with self._lock:
            self._ref = (self._ref + 1) % (256 if bits == 8 else 65536)
            return self._ref

    def deliver_pdu(self, pdu_hex: str) -> None:
        """Deliver a raw SMS-DELIVER PDU (SMSC field included), byte for byte, valid or not."""
        pdu = pdu_hex.strip().upper()
        try:
            bytes.fromhex(pdu)
        except ValueError as exc:
            raise SimulatorError(f"not hex: {pdu_hex!r}") from exc
        self._queue([pdu])

    def _queue(self, pdus: Sequence[str]) -> None:
        with self._lock:
            self._smsc_queue.extend(pdus)
        self._flush_smsc()

    def hang(self, seconds: float) -> None:
        """Stop answering (no echo, no answer, no URC) for ``seconds``; input meanwhile is lost."""
        with self._lock:
            self._hung_until = time.monotonic() + seconds
            self._hang_epoch += 1
            epoch = self._hang_epoch

        def wake() -> None:
            if self._hang_epoch == epoch:
                self._flush_smsc()

        self._scheduler.call_later(seconds + 0.01, wake)

    def garbage(self, data: bytes) -> None:
        """Write raw bytes to the client (line noise, a power-up burst of 0xFF and NUL)."""
        self._send(bytes(data))

    def brownout(self) -> None:
        """A power dip (a weak supply under a 2 A burst): the warning, power-up noise, then a reboot."""
        self._emit_urcs(["UNDER-VOLTAGE WARNNING"])  # sic: the SIMCom manual's spelling
        self._send(b"\x00\xff\xff\x00")
        self.reboot()

    def urc(self, line: str) -> None:
        """Emit one unsolicited line now (noise such as ``^RSSI:12`` or ``+CREG: 1``)."""
        self._emit_urcs([line])

    def unplug(self, replug_after: float | None = 0.5, new_name: str | None = None) -> None:
        """Pull the USB plug: the port and the symlink vanish; with ``replug_after`` it comes back.

        ``new_name`` makes it come back under another name (a file name in the same directory, or a
        path): :attr:`link` then points there, as when ttyUSB2 re-enumerates as ttyUSB3.
        """
        self._unplug_now()
        with self._lock:
            self._replug_name = new_name
        if replug_after is not None:
            self._scheduler.call_later(replug_after, self.replug)

    def replug(self, new_name: str | None = None) -> None:
        """Plug back in (if unplugged), under ``new_name`` or the one given to :meth:`unplug`; it boots."""
        with self._lock:
            if not self._running or self._master is not None:
                return
            new_name, self._replug_name = new_name or self._replug_name, None
            if new_name:
                self._link = Path(new_name) if "/" in new_name else self._link.with_name(new_name)
        self._plug()

    def reboot(self) -> None:
        """The modem restarts without leaving the bus: boot URCs, settings back to the defaults."""
        with self._lock:
            self._hung_until = 0.0
        self._boot()

    def fill_storage(self, sender: str = "FILLER") -> list[str]:
        """Fill the storage for new SMS with stored messages (no URC, as if they came while nobody
        listened). Further SMS wait at the SMSC until a delete frees room. Returns the filler PDUs."""
        pdus: list[str] = []
        with self._lock:
            memory = self.engine.target_memory
            while self.engine.free_index(memory) is not None:
                pdu = encode_deliver(
                    sender, f"filler {len(pdus) + 1}", scts=datetime.now(IRAN_TIME).replace(microsecond=0)
                )[0]
                self.engine.store(pdu, memory)
                pdus.append(pdu)
            self._memfull_reported = False
        self._flush_smsc()
        return pdus

    def require_pin(self, pin: str) -> None:
        """The SIM asks for ``pin`` (as after a SIM swap): SMS commands fail until AT+CPIN="pin"."""
        with self._lock:
            self.engine.card.require(pin)
            self.engine.sms_ready = False
        self._emit_urcs(["+CPIN: SIM PIN"])

    def lose_network(self, seconds: float | None = None) -> None:
        """Lose registration (no signal, no operator, SMS wait at the SMSC); back after ``seconds``."""
        with self._lock:
            self.engine.registered = False
            self._network_epoch += 1
            epoch = self._network_epoch
            n = self.engine.settings.creg_n
            urcs = (["+CREG: 2"] if n else []) + [u for u in ("+WIND: 8",) if self._wind_urc(u)]
        self._emit_urcs(urcs)
        if seconds is not None:

            def restore_unless_lost_again() -> None:
                if self._network_epoch == epoch:
                    self.restore_network()

            self._scheduler.call_later(seconds, restore_unless_lost_again)

    def restore_network(self) -> None:
        with self._lock:
            self.engine.registered = True
            self._network_epoch += 1
            n = self.engine.settings.creg_n
            if self.profile.forgets_cnmi_on_reregistration:
                # The firmware quirk: stored, but no more +CMTI until the host sets AT+CNMI again.
                mode, _, bm, ds, bfr = self.engine.settings.cnmi
                self.engine.settings.cnmi = (mode, 0, bm, ds, bfr)
            urcs = (["+CREG: 1"] if n else []) + [u for u in ("+WIND: 7",) if self._wind_urc(u)]
        self._emit_urcs(urcs)
        self._flush_smsc()

    def _wind_urc(self, urc: str) -> bool:
        """A Wavecom network URC is sent when its +WIND bit is set (call with the lock held)."""
        bits = {"+WIND: 7": 64, "+WIND: 8": 128}
        return self.profile.wind and bool(self.engine.wind_level & bits[urc])

    def slow(self, seconds_per_command: float) -> None:
        """Answer every command ``seconds_per_command`` late (0 for normal speed)."""
        with self._lock:
            self._slow = max(0.0, seconds_per_command)

    def urc_in_answer(self, urc: str | None = None) -> None:
        """Put ``urc`` between the information lines and the final result of the next answer.

        Without ``urc``, the next URCs the modem produces (e.g. the ``+CMTI`` of the next SMS) are
        held and put there instead.
        """
        with self._lock:
            if urc is None:
                self._hold_urcs = True
            else:
                self._inject.append(urc)

    def sent_messages(self) -> list[dict[str, Any]]:
        """What the host sent with ``AT+CMGS``, one entry per message (multipart joined in part order):
        ``recipient``, ``text``, ``parts``, ``encoding``, ``complete`` (every part arrived)."""
        with self._lock:
            parts = [dict(p) for p in self.engine.sent]
        messages: list[dict[str, Any]] = []
        groups: dict[tuple[str, int, int], dict[str, Any]] = {}
        for part in parts:
            concat = part["concat"]
            if concat is None:
                messages.append(
                    {
                        "recipient": part["recipient"],
                        "text": part["text"],
                        "parts": 1,
                        "encoding": part["encoding"],
                        "complete": True,
                        "_pieces": {},
                    }
                )
                continue
            ref, total, seq = concat
            key = (part["recipient"], ref, total)
            group = groups.get(key)
            if group is None or seq in group["_pieces"]:  # a new message with a reused reference
                group = {"recipient": part["recipient"], "parts": total, "encoding": part["encoding"], "_pieces": {}}
                groups[key] = group
                messages.append(group)
            group["_pieces"][seq] = part["text"]
        for message in messages:
            pieces = message.pop("_pieces")
            if pieces:
                message["text"] = "".join(pieces[i] for i in sorted(pieces))
                message["complete"] = len(pieces) == message["parts"]
        return messages

    def set_ussd_reply(self, code: str, text: str, encoding: str = "gsm7") -> None:
        """What the network answers to USSD ``code`` (``*`` for every code), in GSM-7 (dcs 15) or UCS2 (dcs 72)."""
        if encoding not in ("gsm7", "ucs2"):
            raise SimulatorError(f"USSD encoding {encoding!r}: gsm7 or ucs2")
        with self._lock:
            if code == "*":
                self.engine.ussd_default = (text, encoding)
            else:
                self.engine.ussd_replies[code] = (text, encoding)

    def ussd_requests(self) -> list[str]:
        """The USSD codes the host asked, oldest first."""
        with self._lock:
            return list(self.engine.ussd_requests)

    def stored(self) -> list[tuple[int, str]]:
        """(index, PDU) of every message still in the modem's storage (all memories)."""
        with self._lock:
            return self.engine.stored()

    def pending_at_smsc(self) -> int:
        with self._lock:
            return len(self._smsc_queue)

    def status(self) -> dict[str, Any]:
        with self._lock:
            e = self.engine
            return {
                "profile": self.profile.name,
                "link": str(self._link),
                "plugged": self._master is not None,
                "hung": self._hung(),
                "registered": e.registered,
                "sim_ready": e.sim_ready,
                "sim_state": e.card.state,
                "pin_left": e.card.pin_left,
                "puk_left": e.card.puk_left,
                "wind_level": e.wind_level,
                "cd_autorun": e.cd_autorun,
                "sms_ready": e.sms_ready,
                "stored": len(e.stored()),
                "pending_at_smsc": len(self._smsc_queue),
                "cnmi": list(e.settings.cnmi),
                "cpms": list(e.settings.cpms),
                "generation": self.generation,
            }
