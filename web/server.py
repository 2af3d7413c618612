"""The production HTTP server for the app: waitress, set up for a box that strangers can reach.

Waitress reads every request in full on its one I/O thread, which watches all
sockets, and hands only complete requests to the worker threads; what must be
bounded is how many connections there are and how long an unfinished request
may keep one (see the notes below and docs/decisions.md, "The HTTP server").
"""

from __future__ import annotations

import errno
import json
import logging
import socket
import sys
import time
from collections.abc import Mapping
from typing import Any

from appliance.domain.errors import ListenError
from appliance.settings import Settings

log = logging.getLogger(__name__)


# --- the HTTP server (waitress) ----------------------------------------------------------------------
#
# Waitress reads every request in full on its one I/O thread, which watches all sockets, and hands
# only complete requests to the worker threads. A client that sends half a request and stalls so
# holds a connection, never a worker: what must be bounded is how many connections there are and
# how long an unfinished request may keep one. Waitress's defaults got both wrong for a box on the
# Internet: at 100 connections it stops accepting (so 100 stalled sockets stopped every payment
# check) and it drops a connection only after 120 s without a byte (so a trickle keeps it forever).
# Here (docs/decisions.md, "The HTTP server"):
# - server.connection_limit connections; past it the one idle or unfinished the longest is closed
#   to admit the new one (connections whose request is being served are never chosen);
# - a connection idle, or still sending one request, for server.client_timeout_seconds is closed;
# - poll() rather than select(), which cannot watch a descriptor above 1023;
# - waitress's own refusals (a body over server.max_body_bytes, malformed HTTP) are answered with
#   the JSON and code the app would give, and the rest of a refused body is read and dropped for a
#   moment before closing, so that the client reads the answer instead of a connection reset.

#: Connections past ``connection_limit`` that waitress still accepts while the evicted ones close.
EVICTION_HEADROOM = 16
#: Open files the process needs besides its connections (database, modems, logs, the server's own).
RESERVED_FILES = 64
#: After a refusal, how long and how much of the rest of the request is read and dropped.
LINGER_SECONDS = 2.0
LINGER_BYTES = 16 * 1024 * 1024
EVICTION_LOG_SECONDS = 60.0


#: How long a thread may hold the interpreter's lock before another thread that wants it gets it (Python's
#: default is 5 ms). Every SQLite call lets go of the lock; a request thread coming back from one waited
#: for the running thread's whole interval, so under 32 connections each request paid several 5 ms waits:
#: about 90 checks a second instead of about 1,400 on a 2-core machine (tests/bench/bench_api.py; one
#: connection alone ran at 2,000). With 0.1 ms the handoffs are short, at the cost of more frequent switches
#: only while threads contend.
SWITCH_INTERVAL_SECONDS = 0.0001


def tune_interpreter() -> None:
    """Set the interpreter for a threaded server of short requests (SWITCH_INTERVAL_SECONDS): once, at serve."""
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)


def waitress_options(settings: Settings) -> dict[str, Any]:
    """The waitress adjustments for these settings: what ``Box.serve`` runs, and the tests' server too."""
    server = settings.server
    return {
        "threads": server.threads,
        # Waitress buffers a whole body before it calls the app, so "the app always answers" would mean
        # buffering bodies of any size (to disk past 512 KiB). Instead waitress refuses any body over
        # max_body_bytes (its limit is exclusive, hence + 1) before it holds more than that, with the
        # same JSON code 16 as the app (refusal_answer); the app keeps its own check for other servers.
        "max_request_body_size": server.max_body_bytes + 1,
        "connection_limit": server.connection_limit + EVICTION_HEADROOM,
        "channel_timeout": server.client_timeout_seconds,
        "cleanup_interval": 1,  # a pass over the open connections each second costs little; timeouts hold to 1 s
        "backlog": 1024,  # connections the kernel queues while the I/O thread is busy (waitress's default)
        "asyncore_use_poll": True,
        "ident": "carttocart",
        "clear_untrusted_proxy_headers": True,
    }


def create_http_server(app: Any, settings: Settings, host: str, port: int) -> Any:
    """A waitress server for ``app`` on host:port with :func:`waitress_options` and the box's connection rules."""
    import waitress

    options = waitress_options(settings)
    # Waitress warns "Task queue depth is N" for every request that waits for a worker: under load
    # a log line per request (a tenth of a check's time, and the SD card's journal). Errors only.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    options["connection_limit"] = fit_open_files(options["connection_limit"])
    try:
        server = waitress.create_server(app, host=host, port=port, **options)
    except (OSError, ValueError) as exc:  # (a ValueError: waitress could not resolve the host)
        raise ListenError(listen_problem(host, port, exc)) from exc
    channel = _channel_class()
    listeners = [server] if hasattr(server, "channel_class") else list(server.map.values())
    for listener in listeners:  # a host with several addresses has a listener for each
        if hasattr(listener, "channel_class"):
            listener.channel_class = channel
    return server


def listen_problem(host: str, port: int, error: OSError | ValueError) -> str:
    """What to tell the operator when the server cannot take host:port, and what to do about it."""
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    elsewhere = "choose another address with --listen HOST:PORT or server.listen in the settings"
    if isinstance(error, (ValueError, socket.gaierror)):  # (a resolver's code is not an errno)
        why = f"{host} is not a host name this machine can resolve: {elsewhere}"
    elif error.errno == errno.EADDRINUSE:
        why = f"another program is listening there (a CartToCart already running?): stop it, or {elsewhere}"
    elif error.errno == errno.EADDRNOTAVAIL:
        why = f"{host} is not an address of this machine: {elsewhere}"
    elif error.errno == errno.EACCES:
        why = f"a port below 1024 needs root or CAP_NET_BIND_SERVICE: {elsewhere}"
    else:
        why = str(error)
    return f"cannot listen on {address}: {why}"


def fit_open_files(connections: int) -> int:
    """Raise the soft limit on open files so that ``connections`` fit (up to the hard limit), else serve fewer.

    Waitress would otherwise fail ``accept()`` over and over at the limit (systemd gives services 1024).
    """
    import resource

    wanted = connections + RESERVED_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return connections
    raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
    except (ValueError, OSError) as exc:
        log.warning("cannot raise the open-files limit from %s: %s", soft, exc)
        raised = soft
    if raised >= wanted:
        return connections
    fitted = max(raised - RESERVED_FILES, 2 * EVICTION_HEADROOM)
    log.warning("the open-files limit is %s: serving %s connections instead of %s", raised, fitted, connections)
    return fitted


def refusal_answer(error: Any, max_body_bytes: int) -> tuple[str, bytes]:
    """The status line and JSON body for a request waitress refuses itself: the code the app would answer."""
    from http import HTTPStatus

    from appliance.domain.codes import Code
    from web.api.merchant import code_body

    if error.code == 413:
        code, detail = Code.BODY_TOO_LARGE, f"at most {max_body_bytes} bytes"
    elif error.code == 431:
        code, detail = Code.BODY_TOO_LARGE, "the request's headers are too large"
    elif error.code in (400, 501):  # malformed HTTP framing, or a Transfer-Encoding other than chunked
        code, detail = Code.BODY_MALFORMED, str(error.body)
    else:
        code, detail = Code.INTERNAL, ""
    body = json.dumps(code_body(code, detail), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return f"{code.http_status} {HTTPStatus(code.http_status).phrase}", body


class _Evictions:
    """Connections closed to admit new ones: counted, and logged at most once a minute."""

    def __init__(self) -> None:
        self.count = 0
        self.logged_at = 0.0

    def note(self, limit: int) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.logged_at >= EVICTION_LOG_SECONDS:
            log.warning(
                "server.connection_limit (%s) reached: closed %s connection(s) idle or unfinished the longest",
                limit,
                self.count,
            )
            self.logged_at, self.count = now, 0


_evictions = _Evictions()


def evict_stalest(channels: Mapping[int, Any], newcomer: Any, limit: int) -> Any:
    """Past ``limit`` open connections: close the one idle or unfinished the longest, never one being served.

    Returns the connection marked for closing, or ``None``.
    """
    if len(channels) <= limit:
        return None
    idle = [
        c
        for c in channels.values()
        if c is not newcomer and not (c.requests or c.total_outbufs_len or c.will_close or c.linger_until)
    ]
    if not idle:
        return None
    victim = min(idle, key=lambda c: c.last_activity)
    victim.will_close = True  # the I/O thread closes it on its next pass
    _evictions.note(limit)
    return victim


_CHANNEL_CLASS: type | None = None


def _channel_class() -> type:
    """Waitress's connection class with the rules above; built on first use, so that importing
    this module does not import waitress."""
    global _CHANNEL_CLASS
    if _CHANNEL_CLASS is not None:
        return _CHANNEL_CLASS
    from waitress.channel import HTTPChannel
    from waitress.task import ErrorTask

    class JsonErrorTask(ErrorTask):
        """Waitress's own refusals as the API's JSON, with a documented code."""

        def execute(self) -> None:
            status, body = refusal_answer(self.request.error, self.channel.adj.max_request_body_size - 1)
            self.status = status
            self.response_headers.extend(
                [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")]
            )
            self.set_close_on_finish()
            self.content_length = len(body)
            self.channel.refused = True
            self.write(body)

    class Channel(HTTPChannel):
        error_task_class = JsonErrorTask
        refused = False  # an error answer was sent: linger before closing
        linger_until = 0.0  # > 0: answered and shut for writing; reading and dropping until then
        linger_left = LINGER_BYTES
        unfinished_since: float | None = None  # when the request being received began

        def __init__(self, server: Any, sock: Any, addr: Any, adj: Any, map: Any = None) -> None:
            super().__init__(server, sock, addr, adj, map=map)
            evict_stalest(server.active_channels, self, adj.connection_limit - EVICTION_HEADROOM)

        def received(self, data: bytes) -> bool:
            """As waitress, but an unfinished request's connection counts as idle since the request began."""
            before = self.request
            result = bool(super().received(data))
            if self.request is None:
                self.unfinished_since = None
            elif self.request is not before or self.unfinished_since is None:
                self.unfinished_since = time.time()
            if self.unfinished_since is not None:
                self.last_activity = self.unfinished_since
            return result

        def send_continue(self) -> None:
            """No "100 Continue" for a request refused already (a body too large): it is answered at once."""
            if self.request is None or self.request.error is None:
                super().send_continue()

        def handle_close(self) -> None:
            if self.refused and not self.linger_until and self.connected and self._start_lingering():
                return
            super().handle_close()

        def _start_lingering(self) -> bool:
            try:
                self.socket.shutdown(socket.SHUT_WR)  # the answer is flushed: the client reads it, then EOF
            except OSError:
                return False
            self.linger_until = time.monotonic() + LINGER_SECONDS
            self.will_close = self.close_when_flushed = False
            self.readable = self._linger_readable
            self.writable = self._linger_writable
            return True

        # readable()/writable() run for every connection on every turn of the I/O loop: the lingering
        # variants are set on the connection only when it starts lingering (_start_lingering), so a
        # normal connection runs waitress's own without a layer of Python around them.
        def _linger_readable(self) -> bool:
            return True

        def _linger_writable(self) -> bool:
            return time.monotonic() >= self.linger_until  # wake up only to close when the time is over

        def handle_write(self) -> None:
            if self.linger_until:
                self.handle_close()
            else:
                super().handle_write()

        def handle_read(self) -> None:
            if not self.linger_until:
                super().handle_read()
                return
            try:
                data = self.socket.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            self.linger_left -= len(data)
            if not data or self.linger_left <= 0 or time.monotonic() >= self.linger_until:
                self.handle_close()

    _CHANNEL_CLASS = Channel
    return Channel
