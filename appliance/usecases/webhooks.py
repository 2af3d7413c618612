"""Webhooks: every payment state change, posted to the token's URL, signed, from a persistent queue.

A listener on ``PaymentService.payment_listeners`` writes the delivery row in
the very transaction of the state change (so a change and its notice commit
together); the scheduler's job posts due deliveries and retries with backoff.
Every attempt is logged; the operator can redeliver.

Signature (DESIGN.md "Telling the shop"): header ``X-CartToCart-Signature:
v1=<hex>`` where hex is HMAC-SHA256(key=the token's webhook secret,
message=``<X-CartToCart-Timestamp>.<raw body>``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from appliance.domain.errors import InvalidInput, NotFound
from appliance.domain.reasons import encode, reason
from appliance.store import database as store
from appliance.store.models import ApiToken, Payment, WebhookAttempt, WebhookDelivery, WebhookSecret
from appliance.usecases.service import PaymentService

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-CartToCart-Signature"
TIMESTAMP_HEADER = "X-CartToCart-Timestamp"
DELIVERY_HEADER = "X-CartToCart-Delivery"
EVENT = "payment.state_changed"
PART_EVENT = "payment.part_paid"  # one part of a split payment (docs/split-payments.md)
# Waits after the 1st, 2nd, ... failed attempt; after the last one the delivery is marked failed.
BACKOFF_SECONDS = (10, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600)
# A claimed delivery is not picked again for this long (another thread or box is posting it).
CLAIM_SECONDS = 60


class DeliveryState:
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True)
class PostResult:
    http_status: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.http_status is not None and 200 <= self.http_status < 300


Poster = Callable[[str, bytes, dict[str, str], float], PostResult]


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (the README has the same in PHP and Python)."""
    try:
        expected = signature(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, header)


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
    # Imported here: http.client and the email parser cost a command that never sends a webhook ~10 ms.
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return PostResult(response.status, None)
    except urllib.error.HTTPError as exc:
        return PostResult(exc.code, f"HTTP {exc.code}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return PostResult(None, f"{exc.__class__.__name__}: {exc}")


class WebhookQueue:
    def __init__(self, service: PaymentService, poster: Poster = http_post, timeout: float = 10.0) -> None:
        self.service = service
        self.clock = service.clock
        self.poster = poster
        self.timeout = timeout

    def install(self) -> WebhookQueue:
        self.service.payment_listeners.append(self.enqueue)
        self.service.part_listeners.append(self.enqueue_part)
        return self

    # ----- secrets ------------------------------------------------------
    def secret_for(self, token: ApiToken) -> str:
        """The token's signing key, made on first use (shown to the operator in the dashboard and the CLI)."""
        row = WebhookSecret.get_or_none(WebhookSecret.token == token.id)
        if row is None:
            with store.write():
                WebhookSecret.insert(
                    token=token.id, secret="whsec_" + secrets.token_urlsafe(32), created_at=self.clock()
                ).on_conflict_ignore().execute()
            row = WebhookSecret.get(WebhookSecret.token == token.id)
        return row.secret

    # ----- the queue ----------------------------------------------------
    def enqueue(self, payment_id: int, from_state: str | None, to_state: str, now: dt.datetime) -> None:
        """The payment listener: runs inside the state change's transaction.

        Inside the write lock of every state change (a create's too), so one
        hand-written read instead of two ORM queries: the ORM's SQL building
        cost most of a create's time under the lock.
        """
        row = store.execute(
            "SELECT p.fid, p.amount, p.price, t.id, t.webhook_url FROM payment p "
            "JOIN api_token t ON t.id = p.token_id "
            "WHERE p.id = ? AND t.webhook_url IS NOT NULL AND t.webhook_url <> '' AND t.revoked_at IS NULL",
            payment_id,
        ).fetchone()
        if row is None:
            return
        fid, amount, price, token_id, webhook_url = row
        body = {
            "event": EVENT,
            "id": secrets.token_hex(8),
            "pay_id": payment_id,
            "fid": fid,
            "amount": amount,
            "price": price,
            "from": from_state,
            "state": to_state,
            "at": int(now.timestamp()),
        }
        self._queue(token_id, payment_id, webhook_url, body, now)

    def enqueue_part(self, payment_id: int, seq: int, now: dt.datetime) -> None:
        """The part listener: one part of a split payment was paid (``payment.part_paid``), in its transaction."""
        payment = Payment.get_by_id(payment_id)
        if payment.token_id is None:
            return
        token = ApiToken.get_by_id(payment.token_id)
        if not token.webhook_url or token.revoked_at is not None:
            return
        parts = self.service.payment_parts(payment)
        paid = [p for p in parts if p.paid_at is not None]
        body = {
            "event": PART_EVENT,
            "id": secrets.token_hex(8),
            "pay_id": payment.id,
            "fid": payment.fid,
            "amount": payment.amount,
            "price": payment.price,
            "state": payment.state,
            "part": seq,
            "part_amount": next(p.amount for p in parts if p.seq == seq),
            "parts": len(parts),
            "parts_paid": len(paid),
            "paid_rial": sum(p.amount for p in paid),
            "at": int(now.timestamp()),
        }
        self._queue(token.id, payment.id, token.webhook_url, body, now)

    def _queue(
        self, token_id: int, payment_id: int, webhook_url: str, body: dict[str, object], now: dt.datetime
    ) -> None:
        WebhookDelivery.create(
            token=token_id,
            payment=payment_id,
            url=webhook_url,
            body=json.dumps(body, ensure_ascii=False, separators=(",", ":")),
            state=DeliveryState.PENDING,
            next_attempt_at=now,
            created_at=now,
        )

    def due(self, now: dt.datetime, limit: int = 20) -> list[WebhookDelivery]:
        return list(
            WebhookDelivery.select()
            .where((WebhookDelivery.state == DeliveryState.PENDING) & (WebhookDelivery.next_attempt_at <= now))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(limit)
        )

    def deliver_due(self) -> int:
        """The scheduler's job: post every due delivery once. Returns how many were delivered."""
        delivered = 0
        for delivery in self.due(self.clock()):
            if self._claim(delivery):
                delivered += self._attempt(delivery)
        return delivered

    def _claim(self, delivery: WebhookDelivery) -> bool:
        """Move its next attempt out of reach of other workers; exactly one claimer wins."""
        with store.write():
            claimed = (
                WebhookDelivery.update(next_attempt_at=self.clock() + dt.timedelta(seconds=CLAIM_SECONDS))
                .where(
                    (WebhookDelivery.id == delivery.id)
                    & (WebhookDelivery.next_attempt_at == delivery.next_attempt_at)
                    & (WebhookDelivery.state == DeliveryState.PENDING)
                )
                .execute()
            )
        return claimed == 1

    def _attempt(self, delivery: WebhookDelivery) -> bool:
        token = ApiToken.get_by_id(delivery.token_id)
        body = delivery.body.encode("utf-8")
        stamp = int(self.clock().timestamp())
        headers = {
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: signature(self.secret_for(token), stamp, body),
            DELIVERY_HEADER: str(delivery.id),
            "X-CartToCart-Event": EVENT,
            "User-Agent": "CartToCart-Webhook/1",
        }
        started = time.monotonic()
        result = self.poster(delivery.url, body, headers, self.timeout)
        duration = int((time.monotonic() - started) * 1000)
        now = self.clock()
        attempts = delivery.attempts + 1
        with store.write():
            WebhookAttempt.create(
                delivery=delivery.id, at=now, http_status=result.http_status, error=result.error, duration_ms=duration
            )
            changes: dict[str, object] = {"attempts": attempts, "last_error": result.error}
            if result.ok:
                changes.update(state=DeliveryState.DELIVERED, delivered_at=now)
            elif attempts > len(BACKOFF_SECONDS):
                changes.update(state=DeliveryState.FAILED)
            else:
                changes.update(next_attempt_at=now + dt.timedelta(seconds=BACKOFF_SECONDS[attempts - 1]))
            WebhookDelivery.update(**changes).where(WebhookDelivery.id == delivery.id).execute()
        level = logging.INFO if result.ok else logging.WARNING
        log.log(
            level,
            "webhook %s to %s: attempt %d -> %s",
            delivery.id,
            delivery.url,
            attempts,
            result.http_status or result.error,
        )
        return result.ok

    def redeliver(self, delivery_id: int, actor: str) -> WebhookDelivery:
        """The operator asks for another try now (a delivered one is sent again, same body)."""
        now = self.clock()
        with store.write():
            delivery = WebhookDelivery.get_or_none(WebhookDelivery.id == delivery_id)
            if delivery is None:
                raise NotFound(f"no webhook delivery {delivery_id}")
            if delivery.state == DeliveryState.PENDING and delivery.next_attempt_at <= now:
                raise InvalidInput(f"webhook delivery {delivery_id} is already due")
            delivery.state = DeliveryState.PENDING
            delivery.next_attempt_at = now
            delivery.save()
            self.service.record_event(
                "webhook", delivery.id, "redeliver", actor, encode(reason("redeliver_to", url=delivery.url)), now=now
            )
        return delivery

    def list_deliveries(self, limit: int = 100) -> list[WebhookDelivery]:
        return list(WebhookDelivery.select().order_by(WebhookDelivery.id.desc()).limit(limit))

    def attempts(self, delivery_id: int) -> list[WebhookAttempt]:
        return list(WebhookAttempt.select().where(WebhookAttempt.delivery == delivery_id).order_by(WebhookAttempt.id))
