"""A waiting page is woken by the settlement: in this process on SQLite, by NOTIFY across boxes on PostgreSQL."""

from __future__ import annotations

import threading
import time

from appliance.store import database as store
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.payment_watch import PaymentWatch
from appliance.usecases.service import NewDeposit
from tests.polling import wait_until


def test_a_waiter_wakes_when_its_payment_is_paid(two_cards, db_url):
    payment = two_cards.create_payment(CreateRequest(price=120_000, fid=1)).payment
    watch = PaymentWatch(two_cards, limit=1)
    woken: list[int] = []
    original = watch.changed
    watch.changed = lambda pid: (woken.append(pid), original(pid))[1]  # type: ignore[method-assign]
    watch.start_listening(db_url)  # PostgreSQL: the box's LISTEN connection; SQLite: nothing to do
    if not db_url.startswith("sqlite"):
        assert watch.listening.wait(10)  # LISTEN precedes any NOTIFY we send
    result: dict[str, object] = {}

    def page() -> None:
        store.ensure_connection()

        def settled() -> bool:
            return two_cards.find_payment(payment.id).state == "paid"

        started = time.monotonic()
        result["waited"] = watch.wait(payment.id, settled, timeout=20)
        result["took"] = time.monotonic() - started
        result["settled"] = settled()

    waiter = threading.Thread(target=page)
    waiter.start()
    wait_until(lambda: watch._waiting == 1, 5, what="the page to wait")
    assert not watch.wait(payment.id, lambda: False, timeout=5)  # its one slot is taken: answer at once
    two_cards.record_deposit(NewDeposit(amount=payment.amount, source="sms", created_by="t", account="6204718359"))
    waiter.join(25)
    watch.stop()
    assert result["waited"] is True and result["settled"] is True
    assert result["took"] < 2.5  # woken by the change itself, not by the 3 s read or the deadline
    assert payment.id in woken  # announced (in process, or by NOTIFY from the database on PostgreSQL)
