"""POST /api/sms: bank SMS handed in over HTTP take the modem's path (trust, idempotency), scope ``sms``."""

from __future__ import annotations

from appliance.store.models import Deposit, Payment, SmsMessage
from appliance.usecases.demo_bank import mellat_deposit_sms
from tests.conftest import serving


def test_a_forwarded_deposit_sms_pays_once(two_cards, clock):
    _, shop = two_cards.add_token("shop")
    _, phone = two_cards.add_token("android", scopes=["sms"])
    with serving(two_cards, shop) as http:
        _, created = http.post_form("/api/create", {"price": 120000, "fid": 1})
        sms = mellat_deposit_sms("6204718359", created["amount"], 50_000_000, clock())
        fields = {"sender": sms.sender, "text": sms.text, "sent_at": clock().isoformat()}
        status, body = http.post_json("/api/sms", fields, token=phone)
        assert status == 200, body
        assert (body["kind"], body["trusted"], body["duplicate"]) == ("deposit", True, False)
        assert body["deposit"]["state"] == "matched" and body["deposit"]["pay_id"] == created["pay_id"]
        assert Payment.get_by_id(created["pay_id"]).state == "paid"

        status, again = http.post_form("/api/sms", fields, token=phone)  # the forwarder retries
        assert (status, again["duplicate"], again["sms_id"]) == (200, True, body["sms_id"])
        assert Deposit.select().count() == 1 and SmsMessage.select().count() == 1
        assert SmsMessage.get().origin == "api:android" and SmsMessage.get().source == "api"


def test_an_untrusted_sender_is_stored_but_pays_nothing(two_cards, clock):
    _, phone = two_cards.add_token("android", scopes=["sms"])
    with serving(two_cards, phone) as http:
        sms = mellat_deposit_sms("6204718359", 120010, 50_000_000, clock())
        status, body = http.post_json("/api/sms", {"sender": "+989121234567", "text": sms.text})
        assert status == 200 and body["trusted"] is False and body["deposit"] is None
        assert Deposit.select().count() == 0


def test_scope_and_validation(two_cards, clock):
    _, shop = two_cards.add_token("shop")
    _, phone = two_cards.add_token("android", scopes=["sms"])
    with serving(two_cards, phone) as http:
        assert http.post_json("/api/sms", {"sender": "Bank Mellat", "text": "x"}, token=shop)[1]["code"] == 19
        assert http.post_json("/api/sms", {"sender": "Bank Mellat", "text": "x"}, token="nope")[1]["code"] == 403
        for fields in (
            {"sender": "Bank Mellat"},
            {"text": "x"},
            {"sender": "", "text": " "},
            {"sender": "Bank Mellat", "text": ["x"]},
            {"sender": "B", "text": "x", "sent_at": "yesterday"},
            {"sender": "B", "text": "x", "sent_at": "2026-11-28T08:00:00"},
        ):
            status, body = http.post_json("/api/sms", fields)
            assert (status, body["code"]) == (400, 20), fields
        assert SmsMessage.select().count() == 0
        status, body = http.get("/api/carts")  # an SMS forwarder's token cannot see payments or cards
        assert (status, body["code"]) == (403, 19)
