"""The OpenAPI 3.1 document of the API, served at ``GET /api/openapi.json``.

The endpoints are described here once, as data; a test compares this table
with the app's routes so neither can drift from the other.
"""

from __future__ import annotations

from typing import Any

import bottle

from appliance import __version__
from appliance.domain.codes import Code

_STR = {"type": "string"}
_INT_OR_STR = {"oneOf": [{"type": "integer"}, {"type": "string", "description": "digits, Persian digits allowed"}]}
_COMMON = (
    Code.FORBIDDEN,
    Code.SCOPE_DENIED,
    Code.NOT_FOUND,
    Code.METHOD_NOT_ALLOWED,
    Code.BODY_TOO_LARGE,
    Code.BODY_MALFORMED,
    Code.INTERNAL,
)

ENDPOINTS: dict[tuple[str, str], dict[str, Any]] = {
    ("/api/create", "post"): {
        "summary": "Create a payment with a unique amount",
        "fields": {
            "price": (True, _INT_OR_STR, "amount in Rial (at least 10,000)"),
            "fid": (True, _INT_OR_STR, "the shop's invoice number; unique"),
            "phone": (False, _STR, "the customer's mobile number"),
            "card": (False, _STR, "the payer's 16-digit card, only if your bank's SMS shows it"),
            "callback": (False, _STR, "http(s) URL the payment page returns the customer to"),
            "expire_minutes": (False, _INT_OR_STR, "minutes until expiry, within the box's limits"),
        },
        "codes": (
            Code.PRICE_NOT_NUMBER,
            Code.PRICE_TOO_LOW,
            Code.PRICE_TOO_HIGH,
            Code.FID_MISSING,
            Code.FID_INVALID,
            Code.FID_DUPLICATE,
            Code.CARD_INVALID,
            Code.PHONE_INVALID,
            Code.CALLBACK_INVALID,
            Code.EXPIRE_MINUTES_INVALID,
            Code.NO_FREE_AMOUNT,
            Code.NO_CARD_AVAILABLE,
            Code.RECEIVING_DOWN,
            Code.CLOCK_UNTRUSTED,
            Code.RECORDING_DOWN,
        ),
        "success": "200: {status, code: 200, expire, pay_id, amount, price, fid, link, cart: [{number, name, bank}]}; "
        "a price above payments.max_transfer_rial is split: amount is the total to transfer and the answer adds "
        "paid_rial and parts: [{amount, card: {number, name, bank}, paid}] (docs/split-payments.md)",
    },
    ("/api/setCard", "post"): {
        "summary": "Register the payer's card number for a pending payment",
        "fields": {
            "pay_id": (True, _INT_OR_STR, "the payment's id"),
            "card": (True, _STR, "the payer's 16-digit card number"),
        },
        "codes": (
            Code.PAY_ID_MISSING,
            Code.PAY_ID_UNKNOWN,
            Code.CARD_INVALID,
            Code.CARD_ALREADY_SET,
            Code.PAYMENT_FINAL,
        ),
        "success": "200: {status: true, code: 200, msg}",
    },
    ("/api/check", "get"): {
        "summary": "Check a payment: 7 pending, 6 expired, 201 first verification, 200 again, 199 card differs",
        "fields": {"pay_id": (True, _INT_OR_STR, "the payment's id")},
        "codes": (
            Code.PAY_ID_MISSING,
            Code.PAY_ID_UNKNOWN,
            Code.EXPIRED,
            Code.NOT_PAID_YET,
            Code.VERIFIED_FIRST,
            Code.VERIFIED_AGAIN,
            Code.PAYER_CARD_MISMATCH,
        ),
        "success": "200 with code 7, 201, 200 or 199: {status, code, msg, pay_id, fid, amount, price, state, "
        "expire, paid_at, payer_card}; a split payment adds paid_rial and parts: [{amount, card, paid}] and "
        "answers 7 until every part is paid (state partially_paid reads as 6)",
    },
    ("/api/check", "post"): {"same_as": ("/api/check", "get")},
    ("/api/carts", "get"): {
        "summary": "List the active destination cards (a bare JSON array)",
        "fields": {},
        "codes": (),
        "success": "200: [{number, name, bank}]",
    },
    ("/api/sms", "post"): {
        "summary": "Hand in a bank SMS (an SMS forwarder or a second box); token scope sms. Idempotent",
        "fields": {
            "sender": (True, _STR, "the SMS sender as the phone shows it, e.g. +98700... or a bank's name"),
            "text": (True, _STR, "the whole message text"),
            "smsc": (False, _STR, "the SMS centre's number, when the forwarder knows it (checked like a modem's)"),
            "sent_at": (False, _STR, "the network's time stamp: ISO 8601 with offset, or Unix seconds/ms"),
            "received_at": (False, _STR, "when the phone received it (default: now)"),
        },
        "codes": (Code.SMS_INVALID,),
        "token": "scope sms",
        "success": "200: {status: true, code: 200, sms_id, kind, trusted, duplicate, "
        "deposit: {id, state, amount, pay_id} | null}",
    },
    ("/api/health", "get"): {
        "summary": "Health: a short public form; the detailed form with a token",
        "fields": {},
        "codes": (),
        "token": "optional",
        "success": "200 ok/degraded, 503 down: {status, version, ...details with a token}",
    },
    ("/api/openapi.json", "get"): {
        "summary": "This document",
        "fields": {},
        "codes": (),
        "token": "none",
        "success": "200: the OpenAPI 3.1 document",
    },
}


def _code_schema(codes: tuple[Code, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "status": {"type": "boolean"},
            "code": {"type": "integer", "enum": sorted(c.value for c in codes)},
            "msg": _STR,
            "msg_fa": _STR,
            "detail": _STR,
        },
    }


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """An optional body field also takes JSON ``null``, which counts as not sent (docs/api.md)."""
    if "oneOf" in schema:
        return {**schema, "oneOf": [*schema["oneOf"], {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def _operation(path: str, method: str, spec: dict[str, Any]) -> dict[str, Any]:
    if "same_as" in spec:
        spec = ENDPOINTS[spec["same_as"]]
    token = spec.get("token", "required")
    # The server refuses an oversize or malformed request on any path, before any route (codes 16, 17).
    anonymous = (Code.NOT_FOUND, Code.METHOD_NOT_ALLOWED, Code.BODY_TOO_LARGE, Code.BODY_MALFORMED)
    codes = tuple(spec["codes"]) + (_COMMON if token != "none" else anonymous)
    parameters: list[dict[str, Any]] = []
    if token != "none":
        parameters.append(
            {
                "name": "token",
                "in": "header",
                "required": token == "required",
                "schema": _STR,
                "description": "the API token (`carttocart token add NAME`)",
            }
        )
    operation: dict[str, Any] = {"summary": spec["summary"], "parameters": parameters}
    fields = spec["fields"]
    if fields and method == "get":
        parameters.extend(
            {"name": name, "in": "query", "required": req, "schema": schema, "description": desc}
            for name, (req, schema, desc) in fields.items()
        )
    elif fields:
        schema = {
            "type": "object",
            "additionalProperties": True,
            "required": [n for n, (req, _, _) in fields.items() if req],
            "properties": {n: {**(s if req else _nullable(s)), "description": d} for n, (req, s, d) in fields.items()},
        }
        operation["requestBody"] = {
            "required": True,
            "content": {
                ct: {"schema": schema}
                for ct in ("application/x-www-form-urlencoded", "multipart/form-data", "application/json")
            },
        }
    by_status: dict[int, list[Code]] = {}
    for code in codes:
        by_status.setdefault(code.http_status, []).append(code)
    operation["responses"] = {
        str(status): {
            "description": "; ".join(f"code {c.value}: {c.message_en}" for c in group)
            + (f" Success: {spec['success']}" if status == 200 else ""),
            "content": {"application/json": {"schema": _code_schema(tuple(group))}},
        }
        for status, group in sorted(by_status.items())
    }
    if "200" not in operation["responses"]:
        operation["responses"]["200"] = {"description": spec["success"], "content": {"application/json": {}}}
    operation["x-codes"] = sorted(c.value for c in codes)
    return operation


def document(app: bottle.Bottle | None = None) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for (path, method), spec in ENDPOINTS.items():
        paths.setdefault(path, {})[method] = _operation(path, method, spec)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CartToCart merchant API",
            "version": __version__,
            "description": "Seed-compatible card-to-card payment API. Every answer carries `code`; "
            "see docs/api.md for the full table.",
        },
        "paths": paths,
    }


def api_routes(app: bottle.Bottle) -> set[tuple[str, str]]:
    """The app's API routes as (path, lower-case method), for the consistency test."""
    return {(r.rule, r.method.lower()) for r in app.routes if r.rule.startswith("/api/")}
