"""The AT command link: python-gsmmodem's ``SerialComms`` with its fragile parts replaced.

What is replaced, and why (python-gsmmodem 0.13.0):

* ``connect``: the library hard-codes ``rtscts=True, dsrdtr=True``, so a Pi UART
  without RTS/CTS wires never gets an answer; here flow control is the
  caller's choice and the port is opened ``exclusive`` (no second instance, no
  ModemManager probing it under our feet).
* ``_readLoop``: the library decodes strict UTF-8 and its reader thread dies on
  the first 0xFF byte while ``alive`` stays True. Here any byte is survived
  (undecodable bytes and NULs are dropped from the line) and a dead port ends
  the link visibly (``alive`` False, the fatal callback called).
* ``_handleLineRead``/``write``: the library appends every line to the pending
  command's answer, so a ``+CMTI`` arriving mid-answer is lost. Here lines
  that look unsolicited go to the URC callback even while a command waits, the
  echo is recognised (a rebooted modem turns echo back on), and after a
  timeout the link resynchronises (``AT`` until a clean ``OK`` and a quiet
  line) so that a late answer is never taken for the next command's.
* Two-line URCs (``+CMT:``/``+CDS:``/``+CBM:`` and their PDU line) reach the URC
  callback as one string, header and PDU joined by a newline; the PDU line
  never joins a pending command's answer.
* A PIN never appears in a log line or an error message (``AT+CPIN="****"``).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable

import serial
from gsmmodem.serial_comms import SerialComms

from modem.errors import CommandFailed, ModemTimeout, PortError

log = logging.getLogger(__name__)

# A final result code ends a command's answer (27.007 §5.7, 27.005 §3.2.5, Huawei's variant).
_FINAL = re.compile(r"^(OK|ERROR|\+CM[ES] ERROR:.*|COMMAND NOT SUPPORT|TOO MANY PARAMETERS)$")
# "+XXXX:" or "^XXXX:" at the start of a line.
_PREFIXED = re.compile(r"^([+^*][A-Z0-9]+)\s*:", re.IGNORECASE)
# Prefixes of unsolicited result codes (27.005, 27.007 and the vendors' noise). A command with no
# prefix of its own (AT, ATE0) owns every other prefixed line: that is a late answer, not a URC.
_URC_PREFIXES = {
    "+CMTI",
    "+CDSI",
    "+CMT",
    "+CDS",
    "+CBM",
    "+CREG",
    "+CGREG",
    "+CEREG",
    "+CPIN",
    "+CFUN",
    "+CSQN",
    "+CLIP",
    "+CRING",
    "+CUSD",
    "+CIEV",
    "+CTZV",
    "+CTZE",
    "+QIND",
    "+QUSIM",
    "+ZSMMEMFULL",
    "+ZDONR",
    "+ZPASR",
    "+ZUSIMR",
    "+WIND",
    "^RSSI",
    "^HCSQ",
    "^MODE",
    "^SRVST",
    "^SIMST",
    "^BOOT",
    "^SMMEMFULL",
    "^ORIG",
    "^CONF",
    "^CONN",
    "^CEND",
    "^DSFLOWRPT",
    "^NWTIME",
    "*PSUTTZ",
    "+PSUTTZ",
}
# Unsolicited lines without a prefix (boot messages, calls, power warnings).
_BARE_URCS = (
    "RDY",
    "SMS READY",
    "CALL READY",
    "SMS DONE",
    "PB DONE",
    "RING",
    "NO CARRIER",
    "UNDER-VOLTAGE",
    "OVER-VOLTAGE",
    "NORMAL POWER DOWN",
    "POWERED DOWN",
)
# Line characters kept: printable text; bytes that did not decode and NULs are noise (power-up garbage).
_NOISE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
# URCs whose next line is their PDU (27.005 §3.4.1: +CMT, +CDS and +CBM in PDU mode).
_TWO_LINE_URCS = ("+CMT:", "+CDS:", "+CBM:")
_HEX_LINE = re.compile(r"^[0-9A-Fa-f]+$")
_SECRET = re.compile(r"(\+CPIN=|\^CPIN=|\+CPWD=|\+CLCK=)([^\r]*)", re.IGNORECASE)


def redact(command: str) -> str:
    """The command as it may be logged: what follows ``+CPIN=`` (a PIN, a PUK) replaced by ``****``."""
    return _SECRET.sub(lambda m: m.group(1) + '"****"', command)


def command_prefix(command: str) -> str | None:
    """``AT+CPMS="SM"`` -> ``+CPMS``: the prefix the command's own information lines carry."""
    match = re.match(r"^AT([+^][A-Z0-9]+)", command, re.IGNORECASE)
    return match.group(1).upper() if match else None


def is_unsolicited(line: str, command: str | None) -> bool:
    """Whether a line belongs to no command: a URC, even if it arrives in the middle of an answer."""
    upper = line.upper()
    if any(upper.startswith(word) for word in _BARE_URCS):
        return True
    match = _PREFIXED.match(line)
    if not match:
        return False
    prefix = match.group(1).upper()
    own = command_prefix(command) if command else None
    if own is None:
        return command is None or prefix in _URC_PREFIXES
    return prefix != own


def clean_line(raw: bytes) -> str:
    return _NOISE.sub("", raw.decode("utf-8", errors="replace")).strip()


class _Pending:
    def __init__(self, command: str, final_info: str | None = None) -> None:
        self.command = command
        self.final_info = final_info.upper() if final_info else None
        self.lines: list[str] = []
        self.done = threading.Event()
        self.ended_by_info = False
        self.wants_prompt = False  # AT+CMGS: the modem answers "> " (no line end) and waits for the PDU
        self.prompted = threading.Event()


class AtLink(SerialComms):
    """One open serial port speaking AT commands, with a reader thread."""

    def __init__(
        self,
        port: str,
        baudrate: int = 115200,
        *,
        rtscts: bool = False,
        dsrdtr: bool = False,
        on_urc: Callable[[str], None] | None = None,
        on_fatal: Callable[[Exception], None] | None = None,
    ) -> None:
        super().__init__(port, baudrate, notifyCallbackFunc=None, fatalErrorCallbackFunc=on_fatal)
        self.rtscts = rtscts
        self.dsrdtr = dsrdtr
        self.on_urc = on_urc or (lambda line: None)
        self.echo_seen = False  # set when a command's echo comes back (echo was re-enabled: a reboot)
        self.last_rx = time.monotonic()
        self._pending: _Pending | None = None
        self._urc_head: str | None = None  # a +CMT:/+CDS: header waiting for its PDU line
        self._line_lock = threading.Lock()
        self.serial: serial.Serial | None = None
        self.rxThread: threading.Thread | None = None

    # -- port ---------------------------------------------------------------------------------------------
    def connect(self) -> None:
        try:
            self.serial = serial.Serial(
                port=self.port,
                baudrate=self.baudrate,
                timeout=0.2,
                write_timeout=5,
                rtscts=self.rtscts,
                dsrdtr=self.dsrdtr,
                exclusive=True,
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise PortError(f"cannot open {self.port}: {exc}") from exc
        self.alive = True
        self.rxThread = threading.Thread(target=self._readLoop, name=f"at-reader {self.port}", daemon=True)
        self.rxThread.start()

    def close(self) -> None:
        self.alive = False
        if self.rxThread is not None and self.rxThread is not threading.current_thread():
            self.rxThread.join(timeout=2)
        if self.serial is not None:
            try:
                self.serial.close()
            except (serial.SerialException, OSError) as exc:
                log.debug("closing %s: %s", self.port, exc)

    @property
    def _open_serial(self) -> serial.Serial:
        """The port :meth:`connect` opened; PortError before it was."""
        if self.serial is None:
            raise PortError(f"{self.port} is not open")
        return self.serial

    @property
    def healthy(self) -> bool:
        """The port is open and the reader thread is running."""
        return bool(self.alive and self.rxThread is not None and self.rxThread.is_alive())

    # -- reading ------------------------------------------------------------------------------------------
    def _readLoop(self) -> None:  # noqa: N802 (the library's name)
        buffer = bytearray()
        try:
            while self.alive:
                port = self._open_serial
                data = port.read(max(1, port.in_waiting))
                if not data:
                    continue
                self.last_rx = time.monotonic()
                buffer += data
                while (end := buffer.find(b"\r\n")) >= 0:
                    raw = bytes(buffer[:end])
                    del buffer[: end + 2]
                    # The echo is the command plus CR with no LF, so it shares a "line" with what follows it.
                    for piece in raw.split(b"\r"):
                        line = clean_line(piece)
                        if line:
                            self._on_line(line)
                if buffer.rstrip(b" ").endswith(b">") and self._prompt_seen(buffer):
                    buffer.clear()
                if len(buffer) > 65536:  # a stream of garbage with no line end
                    buffer.clear()
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            # TypeError/AttributeError: pyserial's read on a port closed under it.
            if self.alive:
                log.warning("%s: port lost: %s", self.port, exc)
                self.alive = False
                self.fatalErrorCallback(exc)

    def _prompt_seen(self, buffer: bytearray) -> bool:
        """The ``> `` prompt ends no line: it counts only for a command that waits for it (``AT+CMGS``)."""
        pending = self._pending
        if pending is None or not pending.wants_prompt or pending.prompted.is_set():
            return False
        if clean_line(bytes(buffer)).rstrip() not in (">", pending.command + ">", pending.command + " >"):
            return False
        pending.prompted.set()
        return True

    def _on_line(self, line: str) -> None:
        urcs: list[str] = []
        with self._line_lock:
            head, self._urc_head = self._urc_head, None
            if head is not None and _HEX_LINE.match(line):
                urcs.append(f"{head}\n{line}")  # the URC's PDU line: it belongs to no command
            else:
                if head is not None:
                    urcs.append(head)  # no PDU came: the header alone, then this line as usual
                urc = self._classify(line)
                if urc is not None:
                    urcs.append(urc)
        for urc in urcs:
            self._dispatch(urc)

    def _classify(self, line: str) -> str | None:
        """File ``line`` into the pending command's answer, or return it as a URC (None: nothing to dispatch)."""
        pending = self._pending
        if pending is not None and not pending.done.is_set():
            if line.upper() == pending.command.upper():
                self.echo_seen = True
                return None
            if _FINAL.match(line):
                pending.lines.append(line)
                pending.done.set()
                return None
            if pending.final_info and line.upper().startswith(pending.final_info):
                # A modem that ends this answer with its information line (Wavecom +CPIN: READY).
                pending.lines += [line, "OK"]
                pending.ended_by_info = True
                pending.done.set()
                return None
            if not is_unsolicited(line, pending.command):
                pending.lines.append(line)
                return None
        elif _FINAL.match(line) or line.upper().startswith("AT"):
            log.debug("%s: stray line %r (a late answer)", self.port, line)
            return None
        if line.upper().startswith(_TWO_LINE_URCS):
            self._urc_head = line  # wait for its PDU line
            return None
        return line

    def _dispatch(self, line: str) -> None:
        log.debug("%s: URC %r", self.port, line)
        try:
            self.on_urc(line)
        except Exception:  # the callback is the caller's code; the reader must survive it
            log.exception("%s: URC handler failed on %r", self.port, line)

    # -- commands -----------------------------------------------------------------------------------------
    def command(
        self, command: str, timeout: float = 5.0, *, recover: bool = True, final_info: str | None = None
    ) -> list[str]:
        """Send one command and return its information lines; raise on an error result or timeout.

        ``recover=False`` skips the wait for a late answer and the resynchronisation after a timeout
        (for probing a modem that may be booting, where the caller simply tries again). ``final_info``
        (a prefix such as ``+CPIN:``) is for a modem that answers with that line and no final result:
        the line ends the answer, and a final result that still follows is dropped.
        """
        with self._txLock:
            lines = self._exchange(command, timeout, recover, final_info)
        final = lines[-1]
        if final != "OK":
            raise CommandFailed(redact(command), final, lines[:-1])
        return lines[:-1]

    def _exchange(self, command: str, timeout: float, recover: bool = True, final_info: str | None = None) -> list[str]:
        if not self.healthy:
            raise PortError(f"{self.port} is not open")
        pending = _Pending(command, final_info)
        with self._line_lock:
            self._pending = pending
        try:
            self._open_serial.write(command.encode("ascii") + b"\r")
            answered = pending.done.wait(timeout)
            if not answered and self.healthy and recover:
                log.warning(
                    "%s: no answer to %r in %.1f s (partial: %r)", self.port, redact(command), timeout, pending.lines
                )
                # A slow modem answers late: keep collecting into this command so the late answer
                # cannot become the next command's; a hung one never does: probe it with AT.
                if pending.done.wait(min(2 * timeout, 5.0)):
                    self.wait_quiet(0.2, timeout)
                else:
                    self._pending = None
                    self.resync(timeout=timeout)
        except serial.SerialTimeoutException as exc:
            # Writes block when hardware flow control waits for a CTS that is not wired (a Pi UART).
            raise PortError(
                f"writing to {self.port} timed out" + (" (rtscts is on: are RTS/CTS wired?)" if self.rtscts else "")
            ) from exc
        except (serial.SerialException, OSError) as exc:
            self.alive = False
            raise PortError(f"writing to {self.port}: {exc}") from exc
        finally:
            with self._line_lock:
                self._pending = None
        if answered:
            if pending.ended_by_info:
                self.wait_quiet(0.3, 1.0)  # an OK that follows after all arrives with no command pending: dropped
            return pending.lines
        if not self.healthy:
            raise PortError(f"{self.port} went away during {redact(command)!r}")
        raise ModemTimeout(f"no answer to {redact(command)!r} in {timeout:.1f} s")

    def command_with_data(self, command: str, data: str, timeout: float = 30.0) -> list[str]:
        """``AT+CMGS=<n>``: send the command, wait for the ``> `` prompt, write ``data`` and Ctrl-Z, return the
        information lines. A modem that refuses before the prompt raises CommandFailed; no prompt: ModemTimeout
        (after ESC, which cancels the half-entered message)."""
        with self._txLock:
            if not self.healthy:
                raise PortError(f"{self.port} is not open")
            pending = _Pending(command)
            pending.wants_prompt = True
            with self._line_lock:
                self._pending = pending
            try:
                port = self._open_serial
                port.write(command.encode("ascii") + b"\r")
                prompt_wait = min(timeout, 10.0)
                deadline = time.monotonic() + prompt_wait
                while not pending.prompted.is_set() and not pending.done.is_set():
                    if time.monotonic() >= deadline:
                        break
                    pending.prompted.wait(0.05)
                if pending.done.is_set() and not pending.prompted.is_set():
                    lines = pending.lines  # refused at once (+CMS ERROR)
                elif not pending.prompted.is_set():
                    port.write(b"\x1b")
                    self._pending = None
                    self.resync(timeout=2.0)
                    raise ModemTimeout(f"no '> ' prompt after {command!r} in {prompt_wait:.1f} s")
                else:
                    port.write(data.encode("ascii") + b"\x1a")
                    if not pending.done.wait(timeout):
                        self._pending = None
                        self.resync(timeout=2.0)
                        raise ModemTimeout(f"no answer to {command!r} and its data in {timeout:.1f} s")
                    lines = pending.lines
            except serial.SerialTimeoutException as exc:
                raise PortError(f"writing to {self.port} timed out") from exc
            except (serial.SerialException, OSError) as exc:
                self.alive = False
                raise PortError(f"writing to {self.port}: {exc}") from exc
            finally:
                with self._line_lock:
                    self._pending = None
        final = lines[-1] if lines else "ERROR"
        if final != "OK":
            raise CommandFailed(command, final, lines[:-1])
        return lines[:-1]

    def resync(self, attempts: int = 3, timeout: float = 1.0) -> bool:
        """``AT`` until a clean ``OK``, then wait until the line is quiet (after a timeout)."""
        with self._txLock:
            for _ in range(attempts):
                if not self.healthy:
                    return False
                self.wait_quiet(0.2, timeout)
                pending = _Pending("AT")
                with self._line_lock:
                    self._pending = pending
                try:
                    self._open_serial.write(b"AT\r")
                    ok = pending.done.wait(timeout)
                except (serial.SerialException, OSError):
                    self.alive = False
                    return False
                finally:
                    with self._line_lock:
                        self._pending = None
                if ok and pending.lines == ["OK"]:
                    self.wait_quiet(0.3, timeout)
                    return True
            return False

    def wait_quiet(self, quiet: float, limit: float) -> None:
        """Return once nothing was received for ``quiet`` seconds (or after ``limit``)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            idle = time.monotonic() - self.last_rx
            if idle >= quiet:
                return
            time.sleep(min(quiet - idle, 0.05) + 0.001)

    def write_blind(self, data: bytes) -> None:
        """Write without waiting for an answer (a reset command to a modem that may not answer)."""
        try:
            self._open_serial.write(data)
        except (serial.SerialException, OSError, AttributeError) as exc:
            raise PortError(f"writing to {self.port}: {exc}") from exc
