"""Webhooks: a persistent queue, signed bodies, retries with backoff, every attempt logged, redelivery."""

from __future__ import annotations

import json

import pytest

from appliance.runtime import open_store
from appliance.store.models import Event, WebhookAttempt, WebhookDelivery
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.service import NewDeposit, PaymentService
from appliance.usecases.webhooks import (
    BACKOFF_SECONDS,
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookQueue,
    signature,
    verify_signature,
)
from tests.conftest import MELLAT_CARD
from tests.polling import wait_until
from tests.web.conftest import Receiver
from tests.web.demo_box import DemoBox, api


def _restart(service: PaymentService, clock) -> tuple[PaymentService, WebhookQueue]:
    """What a service restart does to the store: close it, open it again, build everything anew."""
    from appliance.store import database as store

    store.database.obj.close()
    open_store(service.settings)
    fresh = PaymentService(service.settings, clock=clock)
    return fresh, WebhookQueue(fresh).install()


def test_a_receiver_failing_twice_gets_exactly_one_good_delivery_across_a_restart(make_service, sqlite_url, clock):
    service = make_service(sqlite_url)
    service.add_card(MELLAT_CARD, "x", account="6204718359")
    queue = WebhookQueue(service).install()
    receiver = Receiver(answers=[500, 503, 200])
    try:
        token, _ = service.add_token("shop", webhook_url=f"{receiver.url}/hook")
        payment = service.create_payment(CreateRequest(price=120000, fid=1), token).payment
        assert queue.deliver_due() == 0 and len(receiver.hits) == 1  # 500
        assert queue.deliver_due() == 0 and len(receiver.hits) == 1  # not due before its backoff

        service, queue = _restart(service, clock)
        clock.advance(seconds=BACKOFF_SECONDS[0] + 1)
        assert queue.deliver_due() == 0 and len(receiver.hits) == 2  # 503
        clock.advance(seconds=BACKOFF_SECONDS[1] + 1)
        assert queue.deliver_due() == 1 and len(receiver.hits) == 3  # 200
        clock.advance(hours=48)
        assert queue.deliver_due() == 0 and len(receiver.hits) == 3  # delivered once, never again

        secret = queue.secret_for(token)
        bodies = {hit["body"] for hit in receiver.hits}
        assert len(bodies) == 1  # every retry sends the same bytes
        body = bodies.pop()
        for hit in receiver.hits:
            headers = hit["headers"]
            assert hit["method"] == "POST" and hit["path"] == "/hook"
            assert verify_signature(secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
            assert not verify_signature(secret, headers[TIMESTAMP_HEADER], body + b" ", headers[SIGNATURE_HEADER])
            assert not verify_signature("whsec_other", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
        sent = json.loads(body)
        assert (sent["event"], sent["pay_id"], sent["fid"], sent["state"], sent["from"]) == (
            "payment.state_changed",
            payment.id,
            1,
            "pending",
            None,
        )
        delivery = WebhookDelivery.get_by_id(int(receiver.hits[0]["headers"][DELIVERY_HEADER]))
        assert (delivery.state, delivery.attempts) == ("delivered", 3)
        assert [a.http_status for a in WebhookAttempt.select().order_by(WebhookAttempt.id)] == [500, 503, 200]
    finally:
        receiver.close()


def test_every_state_change_is_queued_in_its_transaction_and_the_operator_can_redeliver(
    make_service, sqlite_url, clock, receiver: Receiver
):
    service = make_service(sqlite_url)
    service.add_card(MELLAT_CARD, "x", account="6204718359")
    queue = WebhookQueue(service).install()
    token, _ = service.add_token("shop", webhook_url=receiver.url)
    quiet, _ = service.add_token("no-hook")
    p = service.create_payment(CreateRequest(price=120000, fid=1), token).payment
    service.create_payment(CreateRequest(price=130000, fid=2), quiet)  # no URL: nothing queued
    service.record_deposit(NewDeposit(amount=p.amount, source="sms", created_by="t", account="6204718359"))
    service.check(p.id)
    assert queue.deliver_due() == 3
    assert [(json.loads(h["body"])["from"], json.loads(h["body"])["state"]) for h in receiver.hits] == [
        (None, "pending"),
        ("pending", "paid"),
        ("paid", "verified"),
    ]

    last = queue.list_deliveries()[0]
    queue.redeliver(last.id, "operator:test")
    assert queue.deliver_due() == 1 and len(receiver.hits) == 4 and receiver.hits[3]["body"] == receiver.hits[2]["body"]
    assert Event.get((Event.entity == "webhook") & (Event.entity_id == last.id)).actor == "operator:test"


def test_a_delivery_that_never_succeeds_is_marked_failed(make_service, sqlite_url, clock):
    service = make_service(sqlite_url)
    service.add_card(MELLAT_CARD, "x")
    answers: list[tuple[str, bytes]] = []

    def refuse(url, body, headers, timeout):
        from appliance.usecases.webhooks import PostResult

        answers.append((url, body))
        return PostResult(None, "ConnectionRefusedError: [Errno 111]")

    queue = WebhookQueue(service, poster=refuse).install()
    token, _ = service.add_token("shop", webhook_url="http://127.0.0.1:9/none")
    service.create_payment(CreateRequest(price=120000, fid=1), token)
    for wait in (0, *BACKOFF_SECONDS):
        clock.advance(seconds=wait + 1)
        queue.deliver_due()
    delivery = WebhookDelivery.get()
    assert (delivery.state, delivery.attempts) == ("failed", len(BACKOFF_SECONDS) + 1)
    assert delivery.last_error.startswith("ConnectionRefusedError")
    assert len(answers) == len(BACKOFF_SECONDS) + 1


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(b"k", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert signature("k", 1700000000, b'{"a":1}') == "v1=" + expected
    assert not verify_signature("k", "not-a-number", b"", "v1=00")


@pytest.mark.slow
def test_the_running_box_delivers_from_its_scheduler(tmp_path, receiver: Receiver):
    """A real ``carttocart demo`` process: a token with a webhook, a payment paid by the simulated bank."""
    box = DemoBox(tmp_path / "demo")
    try:
        token = box.cli("token", "add", "hooked", "--webhook", f"{receiver.url}/hook").stdout.strip()
        secret = box.cli("admin", "webhook-secret", "hooked").stdout.strip()
        assert secret.startswith("whsec_")
        created = api(box.base, "/api/create", token, {"price": 150000, "fid": 31})
        box.cli("demo-pay", str(created["pay_id"]), "--dir", str(box.folder))
        wait_until(lambda: len(receiver.hits) >= 2, 30, what="two webhook deliveries")
        states = [json.loads(hit["body"])["state"] for hit in receiver.hits]
        assert states == ["pending", "paid"]
        for hit in receiver.hits:
            headers = hit["headers"]
            assert verify_signature(secret, headers[TIMESTAMP_HEADER], hit["body"], headers[SIGNATURE_HEADER])
    finally:
        log = box.close()
    assert box.proc.returncode == 0, log
