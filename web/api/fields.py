"""Reading the merchant API's fields into typed requests, with the contract's codes for bad input.

Fields arrive as form values or JSON, numbers as ints or text in any digit
script. Unknown fields are ignored. Each problem raises :class:`ApiError`
with its documented code; nothing is written before all fields are read.
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from appliance.domain.cards import InvalidCardNumber, normalize_card_number
from appliance.domain.codes import Code
from appliance.domain.errors import ApiError
from appliance.domain.money import ascii_digits, parse_whole_number
from appliance.settings import PaymentSettings
from appliance.usecases.checkout import CreateRequest

_MOBILE = re.compile(r"(?:\+98|0098|98|0)?(9\d{9})")
MAX_CALLBACK_LENGTH = 1000
MAX_FID = 2**63 - 1


_SHOWN = reprlib.Repr()
_SHOWN.maxlevel, _SHOWN.maxstring, _SHOWN.maxlong, _SHOWN.maxother = 2, 60, 60, 60


def _shown(value: Any) -> str:
    """A short repr of a refused value for ``detail``: a long or deeply nested value is not echoed in full."""
    return _SHOWN.repr(value)


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def parse_price(value: Any, limits: PaymentSettings) -> int:
    if not _present(value):
        raise ApiError(Code.PRICE_NOT_NUMBER, "price is required")
    try:
        price = parse_whole_number(value)
    except ValueError:
        raise ApiError(Code.PRICE_NOT_NUMBER, f"price must be a whole number of Rial, got {_shown(value)}") from None
    if price < limits.min_price_rial:
        raise ApiError(Code.PRICE_TOO_LOW, f"minimum is {limits.min_price_rial} Rial")
    if price > limits.max_price_rial:
        raise ApiError(Code.PRICE_TOO_HIGH, f"maximum is {limits.max_price_rial} Rial")
    return price


def _positive_id(value: Any, missing: Code, invalid: Code) -> int:
    """A positive whole number that fits a 64-bit column: ``missing`` when absent, ``invalid`` otherwise."""
    if not _present(value):
        raise ApiError(missing)
    try:
        number = parse_whole_number(value)
    except ValueError:
        raise ApiError(invalid, f"got {_shown(value)}") from None
    if not 0 < number <= MAX_FID:
        raise ApiError(invalid, f"got {_shown(value)}")
    return number


def parse_fid(value: Any) -> int:
    return _positive_id(value, Code.FID_MISSING, Code.FID_INVALID)


def parse_card(value: Any) -> str:
    if not _present(value):
        raise ApiError(Code.CARD_INVALID, "card is required")
    try:
        return normalize_card_number(value)
    except InvalidCardNumber as exc:
        raise ApiError(Code.CARD_INVALID, str(exc)) from None


def parse_phone(value: Any) -> str | None:
    if not _present(value):
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ApiError(Code.PHONE_INVALID)
    text = re.sub(r"[\s\-()]", "", ascii_digits(str(value)))
    found = _MOBILE.fullmatch(text)
    if not found:
        raise ApiError(Code.PHONE_INVALID, f"got {_shown(value)}")
    return "0" + found.group(1)


def parse_callback(value: Any) -> str | None:
    if not _present(value):
        return None
    if not isinstance(value, str) or len(value) > MAX_CALLBACK_LENGTH:
        raise ApiError(Code.CALLBACK_INVALID)
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise ApiError(Code.CALLBACK_INVALID, f"got {_shown(value)}")
    return url


def parse_expire_minutes(value: Any, limits: PaymentSettings) -> int | None:
    if not _present(value):
        return None
    try:
        minutes = parse_whole_number(value)
    except ValueError:
        raise ApiError(Code.EXPIRE_MINUTES_INVALID, f"got {_shown(value)}") from None
    if not limits.min_expire_minutes <= minutes <= limits.max_expire_minutes:
        raise ApiError(
            Code.EXPIRE_MINUTES_INVALID, f"must be between {limits.min_expire_minutes} and {limits.max_expire_minutes}"
        )
    return minutes


def parse_create(fields: Mapping[str, Any], limits: PaymentSettings) -> CreateRequest:
    """The fields of ``POST /api/create``, checked in the contract's order (price, then fid, ...)."""
    price = parse_price(fields.get("price"), limits)
    fid = parse_fid(fields.get("fid"))
    card = parse_card(fields["card"]) if _present(fields.get("card")) else None
    return CreateRequest(
        price=price,
        fid=fid,
        phone=parse_phone(fields.get("phone")),
        card=card,
        callback=parse_callback(fields.get("callback")),
        expire_minutes=parse_expire_minutes(fields.get("expire_minutes"), limits),
    )


def parse_pay_id(value: Any) -> int:
    """``pay_id``: missing gives code 4; anything that cannot name a payment gives code 5."""
    return _positive_id(value, Code.PAY_ID_MISSING, Code.PAY_ID_UNKNOWN)
