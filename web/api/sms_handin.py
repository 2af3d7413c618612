"""``POST /api/sms``: an Android SMS forwarder or a second box hands in a bank SMS (token scope ``sms``).

The message goes through the same path as one read off a modem
(:meth:`SmsIngest.ingest_message`): the same sender allow-list, SMSC and
balance checks, and the same idempotency (the same SMS handed in twice, or
by a forwarder and a modem, is one deposit).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from appliance.domain.codes import Code
from appliance.domain.errors import ApiError
from appliance.usecases.records import ApiToken
from appliance.usecases.sms_intake import SmsIngest
from web.api.merchant import MerchantApi, json_response, read_fields

MAX_TEXT = 2000


def _text(fields: dict[str, Any] | Any, name: str, limit: int) -> str:
    value = fields.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(Code.SMS_INVALID, f"{name} must be a string")
    if len(value) > limit:
        raise ApiError(Code.SMS_INVALID, f"{name} is longer than {limit} characters")
    return value


def parse_time(value: Any, name: str) -> dt.datetime | None:
    """An aware ISO 8601 time, or Unix seconds (a forwarder's milliseconds are accepted too)."""
    if value in (None, ""):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) or (isinstance(value, str) and value.isdigit()):
        seconds = float(value)
        if seconds > 10**11:
            seconds /= 1000
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ApiError(Code.SMS_INVALID, f"{name} is not an ISO 8601 time") from None
        if parsed.tzinfo is None:
            raise ApiError(Code.SMS_INVALID, f"{name} needs a UTC offset (a bank SMS time without one is ambiguous)")
        return parsed.astimezone(dt.UTC)
    raise ApiError(Code.SMS_INVALID, f"{name} must be a time")


def message_key(sender: str, text: str, scts: dt.datetime | None) -> str:
    """The same SMS gives the same key, whoever hands it in."""
    ident = f"{sender}\n{scts.isoformat() if scts else ''}\n{text}"
    return "api:" + hashlib.sha256(ident.encode("utf-8")).hexdigest()


class SmsApi:
    def __init__(self, api: MerchantApi, ingest: SmsIngest) -> None:
        self.api = api
        self.ingest = ingest

    def install(self, app: Any) -> None:
        app.route("/api/sms", "POST", self.api.authenticated(self.hand_in, scope="sms"))

    def hand_in(self, token: ApiToken) -> str:
        fields = read_fields(self.api.max_body_bytes)
        sender = _text(fields, "sender", 40).strip()
        text = _text(fields, "text", MAX_TEXT)
        if not sender or not text.strip():
            raise ApiError(Code.SMS_INVALID)
        smsc = _text(fields, "smsc", 24).strip() or None
        scts = parse_time(fields.get("sent_at"), "sent_at")
        received_at = parse_time(fields.get("received_at"), "received_at") or self.ingest.clock()
        key = message_key(sender, text, scts)
        duplicate = self.ingest.has_message(key)
        message = self.ingest.ingest_message(
            sender=sender,
            text=text,
            smsc=smsc,
            scts=scts,
            received_at=received_at,
            source="api",
            origin=f"api:{token.name}",
            dedupe_key=key,
        )
        if message is None:
            raise ApiError(Code.INTERNAL, "the message could not be stored")
        body: dict[str, Any] = {
            "status": True,
            "code": 200,
            "sms_id": message.id,
            "kind": message.kind,
            "trusted": message.trusted,
            "duplicate": duplicate,
            "deposit": None,
        }
        if message.deposit_id:
            deposit = self.ingest.service.get_deposit(message.deposit_id)
            body["deposit"] = {
                "id": deposit.id,
                "state": deposit.state,
                "amount": deposit.amount,
                "pay_id": deposit.payment_id,
            }
        return json_response(body)
