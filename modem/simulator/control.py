"""Drive a running simulator from another process: JSON lines over a Unix or TCP socket.

An ADDRESS is ``unix:/path/to/sock`` or ``tcp:HOST:PORT`` (``tcp:127.0.0.1:0``
picks a free port; :attr:`ControlServer.address` tells which). Each request is
one line ``{"op": "deliver_sms", "args": {...}}``; each answer one line
``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "..."}``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import socketserver
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

# What the server drives: a modem.simulator.core.Simulator, whose methods named in OPERATIONS it calls by
# name. Not imported: the simulator starts this server, and the two would import each other.
Simulator = Any

log = logging.getLogger(__name__)

# The operations a client may call; the argument names are those of Simulator's methods.
OPERATIONS = (
    "deliver_sms",
    "deliver_pdu",
    "hang",
    "garbage",
    "urc",
    "unplug",
    "replug",
    "reboot",
    "brownout",
    "fill_storage",
    "require_pin",
    "lose_network",
    "restore_network",
    "slow",
    "urc_in_answer",
    "stored",
    "pending_at_smsc",
    "status",
    "set_quirk",
    "fail_command",
    "deliver_status_report",
    "deliver_flash",
    "set_network_time",
    "commands_received",
    "sent_messages",
    "set_ussd_reply",
    "ussd_requests",
)


class ControlError(RuntimeError):
    """The control socket could not be reached, or the simulator refused the request."""


def parse_address(address: str) -> tuple[int, Any]:
    kind, _, rest = address.partition(":")
    if kind == "unix" and rest:
        return socket.AF_UNIX, rest
    if kind == "tcp":
        host, _, port = rest.rpartition(":")
        if host and port.isdigit():
            return socket.AF_INET, (host, int(port))
    raise ControlError(f"bad control address {address!r}: use unix:/path/sock or tcp:127.0.0.1:PORT")


def _decode_args(op: str, args: dict[str, Any]) -> dict[str, Any]:
    if op == "deliver_sms" and args.get("scts"):
        args["scts"] = datetime.fromisoformat(args["scts"])
    if op == "set_network_time" and args.get("when"):
        args["when"] = datetime.fromisoformat(args["when"])
    if op == "garbage":
        args = {"data": bytes.fromhex(args["data_hex"])}
    return args


class _Handler(socketserver.StreamRequestHandler):
    server: _UnixServer | _TcpServer

    def handle(self) -> None:
        for raw in self.rfile:
            try:
                request = json.loads(raw)
                op = request["op"]
                if op not in OPERATIONS:
                    raise ControlError(f"unknown operation {op!r}")
                args = _decode_args(op, dict(request.get("args") or {}))
                result = getattr(self.server.simulator, op)(**args)
                reply = {"ok": True, "result": result}
            except (ValueError, KeyError, TypeError, RuntimeError) as exc:
                reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
            self.wfile.write(json.dumps(reply, default=str).encode() + b"\n")
            self.wfile.flush()


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    simulator: Simulator


class _TcpServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    simulator: Simulator


class ControlServer:
    def __init__(self, simulator: Simulator, address: str) -> None:
        family, where = parse_address(address)
        self._path: str | None = None
        if family == socket.AF_UNIX:
            Path(where).parent.mkdir(parents=True, exist_ok=True)
            if os.path.exists(where):
                os.unlink(where)  # a stale socket from a killed run
            self._server: socketserver.BaseServer = _UnixServer(where, _Handler)
            self._path = where
            self.address = f"unix:{where}"
        else:
            self._server = _TcpServer(where, _Handler)
            # What server_address holds once bound; typeshed types that attribute as the address asked for.
            host, port = self._server.socket.getsockname()[:2]
            self.address = f"tcp:{host}:{port}"
        self._server.simulator = simulator
        self._thread = threading.Thread(target=self._server.serve_forever, name="modemsim-control", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._path and os.path.exists(self._path):
            os.unlink(self._path)


class SimulatorClient:
    """The simulator's control methods, called over its control socket (one connection, reused)."""

    def __init__(self, address: str, *, timeout: float = 10.0) -> None:
        self.address = address
        self._family, self._where = parse_address(address)
        self._timeout = timeout
        self._sock: socket.socket | None = None
        self._file: Any = None
        self._lock = threading.Lock()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> SimulatorClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, op: str, **args: Any) -> Any:
        with self._lock:
            try:
                if self._sock is None:
                    self._sock = socket.socket(self._family, socket.SOCK_STREAM)
                    self._sock.settimeout(self._timeout)
                    self._sock.connect(self._where)
                    self._file = self._sock.makefile("rwb")
                self._file.write(json.dumps({"op": op, "args": args}).encode() + b"\n")
                self._file.flush()
                line = self._file.readline()
            except OSError as exc:
                self.close()
                raise ControlError(f"simulator control {self.address}: {exc}") from exc
        if not line:
            self.close()
            raise ControlError(f"simulator control {self.address}: connection closed")
        reply = json.loads(line)
        if not reply.get("ok"):
            raise ControlError(reply.get("error", "refused"))
        return reply.get("result")

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
        return self.call(
            "deliver_sms",
            sender=sender,
            text=text,
            smsc=smsc,
            scts=scts.isoformat() if scts else None,
            encoding=encoding,
            ref_bits=ref_bits,
            order=list(order) if order is not None else None,
            drop=list(drop),
            repeat=list(repeat),
            message_class=message_class,
        )

    def deliver_pdu(self, pdu_hex: str) -> None:
        self.call("deliver_pdu", pdu_hex=pdu_hex)

    def hang(self, seconds: float) -> None:
        self.call("hang", seconds=seconds)

    def garbage(self, data: bytes) -> None:
        self.call("garbage", data_hex=bytes(data).hex())

    def urc(self, line: str) -> None:
        self.call("urc", line=line)

    def unplug(self, replug_after: float | None = 0.5, new_name: str | None = None) -> None:
        self.call("unplug", replug_after=replug_after, new_name=new_name)

    def replug(self, new_name: str | None = None) -> None:
        self.call("replug", new_name=new_name)

    def reboot(self) -> None:
        self.call("reboot")

    def brownout(self) -> None:
        self.call("brownout")

    def fill_storage(self, sender: str = "FILLER") -> list[str]:
        return self.call("fill_storage", sender=sender)

    def require_pin(self, pin: str) -> None:
        self.call("require_pin", pin=pin)

    def lose_network(self, seconds: float | None = None) -> None:
        self.call("lose_network", seconds=seconds)

    def restore_network(self) -> None:
        self.call("restore_network")

    def slow(self, seconds_per_command: float) -> None:
        self.call("slow", seconds_per_command=seconds_per_command)

    def urc_in_answer(self, urc: str | None = None) -> None:
        self.call("urc_in_answer", urc=urc)

    def stored(self) -> list[tuple[int, str]]:
        return [tuple(item) for item in self.call("stored")]

    def pending_at_smsc(self) -> int:
        return self.call("pending_at_smsc")

    def status(self) -> dict[str, Any]:
        return self.call("status")

    def set_quirk(self, name: str, value: Any) -> None:
        self.call("set_quirk", name=name, value=value)

    def fail_command(self, prefix: str, code: int = 321, kind: str = "CMS", times: int = 1) -> None:
        self.call("fail_command", prefix=prefix, code=code, kind=kind, times=times)

    def deliver_status_report(self, recipient: str = "+989121234567", message_ref: int = 1) -> str:
        return self.call("deliver_status_report", recipient=recipient, message_ref=message_ref)

    def deliver_flash(self, sender: str, text: str) -> list[str]:
        return self.call("deliver_flash", sender=sender, text=text)

    def set_network_time(self, when: datetime | None = None, factory: bool = False) -> None:
        self.call("set_network_time", when=when.isoformat() if when else None, factory=factory)

    def commands_received(self, prefix: str = "") -> list[str]:
        return self.call("commands_received", prefix=prefix)

    def sent_messages(self) -> list[dict[str, Any]]:
        return self.call("sent_messages")

    def set_ussd_reply(self, code: str, text: str, encoding: str = "gsm7") -> None:
        self.call("set_ussd_reply", code=code, text=text, encoding=encoding)

    def ussd_requests(self) -> list[str]:
        return self.call("ussd_requests")

    @property
    def link(self) -> Path:
        return Path(self.status()["link"])
