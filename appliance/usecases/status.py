"""What the web app needs of the store itself: a connection per worker thread, and the box's queues.

Health reads these; nothing here changes data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import peewee

from appliance.domain.payments import State
from appliance.store import database as store
from appliance.store.models import Deposit, Payment, WebhookDelivery
from appliance.usecases.core import DepositState


def per_thread_connection(callback: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a request handler: each worker thread keeps its database connection; a broken one is dropped.

    Opening a connection per request (and its pragmas) cost more than the
    request itself; after a database error the connection is closed so the
    next request on this thread starts clean (a restarted PostgreSQL, say).
    """

    @functools.wraps(callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        db = store.ensure_connection()
        try:
            return callback(*args, **kwargs)
        except (peewee.OperationalError, peewee.InterfaceError):
            db.close()
            raise

    return wrapper


def database_status() -> str:
    """``ok``, or ``error: ...`` with what the database said."""
    try:
        store.database.obj.execute_sql("SELECT 1")
    except Exception as exc:  # noqa: BLE001 -- health must describe any failure, not raise it
        return f"error: {exc}"
    return "ok"


def waiting_work() -> dict[str, Any]:
    """What waits for someone: deposits for the operator, webhook deliveries for the shop."""
    return {
        "review_queue": Deposit.select().where(Deposit.state.in_(list(DepositState.REVIEW))).count(),
        # Split payments whose time ended with some parts paid: also the operator's (docs/split-payments.md).
        "partially_paid": Payment.select().where(Payment.state == State.PARTIALLY_PAID.value).count(),
        "webhooks": {
            state: WebhookDelivery.select().where(WebhookDelivery.state == state).count()
            for state in ("pending", "failed")
        },
    }
