"""Waiting for a payment to change: what lets the payment page learn "paid" without asking every 3 s.

A page's status request may wait (a long poll) until its payment changes or a
deadline passes. Every state change is announced by the transaction that
makes it: on PostgreSQL with ``NOTIFY``, which the database delivers at commit
to every box of the fleet (each box listens on a connection of its own); on
SQLite inside this process, just before the commit, so a waiter that is woken
re-reads for a moment until the commit shows. Waiters hold a worker thread of
the web server each, so there are at most ``limit`` of them; past that a
request answers at once and the page falls back to polling.
"""

from __future__ import annotations

import datetime as dt
import logging
import select
import threading
import time
from collections.abc import Callable

from appliance.settings import Settings
from appliance.store import database as store
from appliance.usecases.service import PaymentService

log = logging.getLogger(__name__)

CHANNEL = "carttocart_payment"
# After a wake-up whose change is not visible yet (SQLite: announced before its commit), re-read this often, this long.
_RECHECK_SECONDS = 0.02
_RECHECK_FOR = 2.0
_READ_ANYWAY_SECONDS = 3.0


def long_poll_limit(settings: Settings) -> int:
    """How many payment pages may wait at once: half the web server's worker threads (the rest serve the API)."""
    return settings.server.threads // 2


class PaymentWatch:
    def __init__(self, service: PaymentService, limit: int) -> None:
        self.limit = max(0, limit)
        self._changes: dict[int, int] = {}
        self._cond = threading.Condition()
        self._waiting = 0
        self._pg = not store.is_sqlite()
        self._listener: threading.Thread | None = None
        self._stop = threading.Event()
        self.listening = threading.Event()  # set once the fleet's announcements reach this box (PostgreSQL)
        service.payment_listeners.append(self._announce)
        # A part of a split payment paid is a change its page shows too (its tick).
        service.part_listeners.append(lambda payment_id, _seq, now: self._announce(payment_id, None, "", now))

    # ----- announcing ----------------------------------------------------------
    def _announce(self, payment_id: int, _from: str | None, _to: str, _now: dt.datetime) -> None:
        """Called inside the transaction of every payment state change."""
        if self._pg:
            store.execute("SELECT pg_notify(?, ?)", CHANNEL, str(payment_id))  # delivered at commit, fleet-wide
        else:
            self.changed(payment_id)

    def changed(self, payment_id: int) -> None:
        with self._cond:
            self._changes[payment_id] = self._changes.get(payment_id, 0) + 1
            self._cond.notify_all()

    # ----- waiting -------------------------------------------------------------
    def wait(self, payment_id: int, settled: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``settled()`` holds or ``timeout`` passes; False when no waiting slot was free.

        ``settled`` reads the payment (it must open its own view of the database each call).
        """
        with self._cond:
            if self._waiting >= self.limit:
                return False
            self._waiting += 1
            seen = self._changes.get(payment_id, 0)
        try:
            deadline = time.monotonic() + timeout
            while not settled():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                with self._cond:
                    if self._changes.get(payment_id, 0) == seen:
                        # Any payment's change wakes us (then we look at ours); and every few seconds we read
                        # anyway, for changes made by another process on SQLite (an operator's command).
                        self._cond.wait(timeout=min(remaining, _READ_ANYWAY_SECONDS))
                    woken = self._changes.get(payment_id, 0) != seen
                    seen = self._changes.get(payment_id, 0)
                if woken:
                    self._recheck(settled, min(_RECHECK_FOR, max(0.0, deadline - time.monotonic())))
            return True
        finally:
            with self._cond:
                self._waiting -= 1

    @staticmethod
    def _recheck(settled: Callable[[], bool], period: float) -> None:
        until = time.monotonic() + period
        while not settled() and time.monotonic() < until:
            time.sleep(_RECHECK_SECONDS)

    # ----- the fleet's announcements (PostgreSQL) ----------------------------
    def start_listening(self, database_url: str) -> None:
        """On PostgreSQL: a thread that LISTENs for every box's changes on a connection of its own."""
        if not self._pg or self._listener is not None:
            return
        self._listener = threading.Thread(target=self._listen, args=(database_url,), name="payment-watch", daemon=True)
        self._listener.start()

    def stop(self) -> None:
        self._stop.set()

    def _listen(self, database_url: str) -> None:
        import psycopg2

        while not self._stop.is_set():
            conn = None
            try:
                conn = psycopg2.connect(database_url)
                conn.autocommit = True
                with conn.cursor() as cur:
                    cur.execute(f"LISTEN {CHANNEL}")
                self.listening.set()
                while not self._stop.is_set():
                    if select.select([conn], [], [], 1.0)[0]:
                        conn.poll()
                        while conn.notifies:
                            note = conn.notifies.pop(0)
                            if note.payload.isdigit():
                                self.changed(int(note.payload))
            except Exception as exc:  # noqa: BLE001 -- a lost connection: pages poll meanwhile; try again
                log.warning("payment watch: listening failed (%s); retrying in 5 s", exc)
                self._stop.wait(5)
            finally:
                self.listening.clear()
                if conn is not None:
                    conn.close()
