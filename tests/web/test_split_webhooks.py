"""Webhooks of a split payment: one per part paid, and one per change of the whole payment."""

from __future__ import annotations

import json

from appliance.usecases.checkout import CreateRequest
from appliance.usecases.service import NewDeposit
from appliance.usecases.webhooks import WebhookQueue
from tests.conftest import MELLAT_CARD, MELLI_CARD
from tests.web.conftest import Receiver


def test_each_part_and_the_whole_are_posted(make_service, sqlite_url, clock, receiver: Receiver):
    service = make_service(sqlite_url, payments={"max_transfer_rial": 100_000_000})
    service.add_card(MELLI_CARD, "x", account="0217730417009")
    service.add_card(MELLAT_CARD, "x", account="6204718359")
    queue = WebhookQueue(service).install()
    token, _ = service.add_token("shop", webhook_url=receiver.url)
    payment = service.create_payment(CreateRequest(price=250_000_000, fid=1), token).payment
    for part in service.payment_parts(payment):
        service.record_deposit(NewDeposit(amount=part.amount, source="manual", created_by="t"))
    assert queue.deliver_due() == 5
    bodies = [json.loads(h["body"]) for h in receiver.hits]
    assert [(b["event"], b.get("part"), b.get("paid_rial"), b["state"]) for b in bodies] == [
        ("payment.state_changed", None, None, "pending"),
        ("payment.part_paid", 1, bodies[1]["part_amount"], "pending"),
        ("payment.part_paid", 2, bodies[1]["part_amount"] + bodies[2]["part_amount"], "pending"),
        ("payment.part_paid", 3, payment.amount, "pending"),
        ("payment.state_changed", None, None, "paid"),
    ]
