"""The merchant API v1: the seed contract (``docs/api.md``), plus additive endpoints.

Every answer is JSON ``{"status": bool, "code": int, "msg": ..., ...}`` with
the contract's HTTP status; ``GET /api/carts`` answers a bare array, as the
seed does. Bodies are form fields or JSON; unknown fields are ignored.
"""

from __future__ import annotations

import functools
import json
import logging
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import bottle

from appliance.domain.cards import mask_card
from appliance.domain.codes import Code
from appliance.domain.errors import ApiError
from appliance.usecases.records import ApiToken, Card, Payment
from appliance.usecases.service import PaymentService
from web.api import fields as api_input

log = logging.getLogger(__name__)

TOKEN_HEADER = "token"
# One encoder for every answer: json.dumps with options builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_response(body: Any, status: int = 200) -> str:
    response = bottle.response
    if status != 200 or response.status_code != 200:  # (a request's response starts at 200)
        response.status = status
    response.content_type = "application/json; charset=utf-8"
    response.set_header("Cache-Control", "no-store")
    return _encode(body)


def code_body(code: Code, detail: str = "", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": code.http_status == 200 and code is not Code.NOT_PAID_YET,
        "code": code.value,
        "msg": code.message_en,
        "msg_fa": code.message_fa,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    return body


def error_response(code: Code, detail: str = "") -> str:
    return json_response(code_body(code, detail), code.http_status)


def read_fields(max_bytes: int) -> Mapping[str, Any]:
    """The request's fields: query string, then the form or JSON body (the body wins)."""
    request = bottle.request
    length = request.content_length
    if length > max_bytes:
        raise ApiError(Code.BODY_TOO_LARGE, f"at most {max_bytes} bytes")
    fields = _query_fields()
    if request.method in ("GET", "HEAD"):
        return fields
    ctype = (request.content_type or "").split(";")[0].strip().lower()
    if ctype == "application/json" or (ctype == "" and length > 0):
        raw = _body_bytes(max_bytes)
        if raw.strip():
            fields.update(_json_object(raw))
    elif ctype == "application/x-www-form-urlencoded":
        fields.update(_urlencoded(_body_bytes(max_bytes).decode("latin-1"), "the form"))
    elif ctype == "multipart/form-data":
        if length < 0:
            raise ApiError(Code.BODY_MALFORMED, "a multipart body needs a Content-Length")
        try:
            fields.update(request.forms.decode())
        except (ValueError, LookupError, bottle.HTTPError) as exc:  # what Bottle raises on a broken form
            raise ApiError(Code.BODY_MALFORMED, str(exc)) from None
    return fields


def _body_bytes(max_bytes: int) -> bytes:
    """The body, at most ``max_bytes`` (a chunked body has no Content-Length to refuse it by beforehand)."""
    raw: bytes = bottle.request.body.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ApiError(Code.BODY_TOO_LARGE, f"at most {max_bytes} bytes")
    return raw


def _query_fields() -> dict[str, Any]:
    """The query string's fields; a query that is not UTF-8 cannot be read (code 17), like such a form."""
    return _urlencoded(bottle.request.environ.get("QUERY_STRING", ""), "the query string")


def _urlencoded(text: str, what: str) -> dict[str, Any]:
    """Fields of a query string or a form body (its bytes as Latin-1, as WSGI hands a query on).

    What ``dict(bottle.request.query.decode())`` gives (the last of a repeated name wins), read
    straight from the text: Bottle builds two multi-dicts on the way, a sixth of a ``check``'s time.
    """
    fields: dict[str, Any] = {}
    try:
        for pair in text.split("&"):
            if pair:
                name, _, value = pair.partition("=")
                fields[_unquoted(name)] = _unquoted(value)
    except UnicodeError:
        raise ApiError(Code.BODY_MALFORMED, f"{what} is not UTF-8") from None
    return fields


def _unquoted(text: str) -> str:
    """One name or value of a query or form: ``+`` and ``%XX`` undone on the raw bytes (given as Latin-1),
    then read as UTF-8."""
    if "%" not in text and "+" not in text and text.isascii():
        return text
    return urllib.parse.unquote_to_bytes(text.replace("+", " ").encode("latin-1")).decode("utf-8")


def _json_object(raw: bytes) -> dict[str, Any]:
    """A JSON body, which must be an object. Code 17 for anything Python cannot read: not UTF-8, not JSON,
    nested deeper than the interpreter recurses (RecursionError), an integer of more than 4300 digits."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise ApiError(Code.BODY_MALFORMED, f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(Code.BODY_MALFORMED, "the JSON body must be an object")
    return data


def request_token() -> str | None:
    """The ``token`` header, or ``None`` when it is absent or not UTF-8: an unreadable token is no token."""
    try:
        return bottle.request.get_header(TOKEN_HEADER)
    except UnicodeDecodeError:
        return None


def card_json(card: Card) -> dict[str, Any]:
    """A destination card as the seed lists it; the customer needs the full number to pay."""
    return {"number": card.number, "name": card.holder, "bank": card.bank}


class MerchantApi:
    """Routes of the merchant API, bound to one service."""

    def __init__(self, service: PaymentService, max_body_bytes: int) -> None:
        self.service = service
        self.max_body_bytes = max_body_bytes

    def install(self, app: bottle.Bottle) -> None:
        app.route("/api/create", "POST", self.authenticated(self.create))
        app.route("/api/setCard", "POST", self.authenticated(self.set_card))
        app.route("/api/check", ["GET", "POST"], self.authenticated(self.check))
        app.route("/api/carts", "GET", self.authenticated(self.carts))

    def authenticated(self, handler: Callable[[ApiToken], str], scope: str = "payments") -> Callable[..., str]:
        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> str:
            token = self.service.authenticate(request_token())
            if token is None:
                return error_response(Code.FORBIDDEN)
            if not self.service.has_scope(token, scope):
                return error_response(Code.SCOPE_DENIED)
            try:
                return handler(token, *args, **kwargs)
            except ApiError as exc:
                log.info(
                    "%s %s -> code %s (%s)",
                    bottle.request.method,
                    bottle.request.path,
                    exc.code.value,
                    exc.detail or exc.code.message_en,
                )
                return error_response(exc.code, exc.detail)

        return wrapper

    def create(self, token: ApiToken) -> str:
        fields = read_fields(self.max_body_bytes)
        request = api_input.parse_create(fields, self.service.settings.payments)
        seen_as = None
        if request.callback:  # a link comes only with a callback to return to
            parts = bottle.request.urlparts  # the Host the shop reached us at: the link's base without public_url
            seen_as = f"{parts.scheme}://{parts.netloc}"
        created = self.service.create_payment(request, token, seen_as=seen_as)
        payment = created.payment
        # Only a price above payments.max_transfer_rial adds "paid_rial" and "parts": others see the seed's answer.
        split = self.parts_extra(payment) if self.service.splits(payment.price) else {}
        return json_response(
            {
                "status": True,
                "code": 200,
                "expire": int(payment.expires_at.timestamp()),
                "pay_id": payment.id,
                "amount": payment.amount,
                "price": payment.price,
                "fid": payment.fid,
                "link": created.link,
                "cart": [card_json(c) for c in created.cards],
                **split,
            }
        )

    def set_card(self, token: ApiToken) -> str:
        fields = read_fields(self.max_body_bytes)
        pay_id = api_input.parse_pay_id(fields.get("pay_id"))
        card = api_input.parse_card(fields.get("card"))
        self.service.set_payer_card(pay_id, card)
        return json_response(
            {"status": True, "code": 200, "msg": "Card number registered.", "msg_fa": "شماره کارت ثبت شد."}
        )

    def check(self, token: ApiToken) -> str:
        fields = read_fields(self.max_body_bytes)
        pay_id = api_input.parse_pay_id(fields.get("pay_id"))
        result = self.service.check(pay_id)
        extra = self.check_extra(result.payment, result.split)
        return json_response(code_body(result.code, **extra), result.code.http_status)

    def check_extra(self, payment: Payment, split: bool = True) -> dict[str, Any]:
        """Fields beyond the seed's, so integrations can verify what was paid (DESIGN.md)."""
        extra: dict[str, Any] = {
            "pay_id": payment.id,
            "fid": payment.fid,
            "amount": payment.amount,
            "price": payment.price,
            "state": payment.state,
            "expire": int(payment.expires_at.timestamp()),
        }
        if payment.paid_at:
            extra["paid_at"] = int(payment.paid_at.timestamp())
            deposit = self.service.latest_deposit(payment)
            if deposit is not None and deposit.payer_card:
                extra["payer_card"] = mask_card(deposit.payer_card)
        if split:  # (False: known to have no parts, nothing to read)
            extra.update(self.parts_extra(payment))
        return extra

    def parts_extra(self, payment: Payment) -> dict[str, Any]:
        """A split payment's parts and what of it is paid; nothing for a payment of one transfer."""
        parts = self.service.payment_parts(payment)
        if not parts:
            return {}
        cards = {c.id: c for c in self.service.payment_cards(payment)}
        return {
            "paid_rial": sum(p.amount for p in parts if p.paid_at is not None),
            "parts": [
                {"amount": p.amount, "card": card_json(cards[p.card_id]), "paid": p.paid_at is not None} for p in parts
            ],
        }

    def carts(self, token: ApiToken) -> str:
        return json_response([card_json(c) for c in self.service.list_cards(active_only=True)])
