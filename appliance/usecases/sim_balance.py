"""The SIM's credit and validity: which USSD code to ask, reading the operator's answer, keeping it.

Operators answer in Persian (UCS2) or in English (GSM-7), with Persian or
ASCII digits, thousands separators (``,`` ``٬`` ``،``), the credit in Rial or
Toman, and the validity as a Jalali date (``1405/10/01``) or a Gregorian one
(``2026-12-22``). What cannot be read stays ``None`` and the answer is kept as
received, so nothing is guessed. Examples are in tests/unit/test_sim_balance.py.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

import jdatetime

from appliance.domain.money import DIGITS_TO_ASCII
from appliance.settings import SimBalanceSettings
from appliance.store import database as store
from appliance.store.models import SimBalance

log = logging.getLogger(__name__)

OPERATORS = ("mci", "irancell", "rightel")
# What the modem reports as the network (AT+COPS), lower-cased, -> the operator.
_OPERATOR_NAMES = {
    "mci": ("mci", "ir-mci", "ir mci", "hamrah", "43211", "tci"),
    "irancell": ("irancell", "mtn", "43235"),
    "rightel": ("rightel", "43220"),
}
_NUMBER = r"(\d{1,3}(?:[,٬،]\d{3})+|\d+)"
_CREDIT_WORDS = r"(?:اعتبار|مانده|موجودی|شارژ|balance|credit|remaining)"
_CREDIT = re.compile(_CREDIT_WORDS + r"[^\d\n]{0,40}?" + _NUMBER + r"\s*(ریال|تومان|rial|rials|toman|irr)?", re.I)
_JALALI = re.compile(r"(1[34]\d\d)[/\-.](\d{1,2})[/\-.](\d{1,2})")
_GREGORIAN = re.compile(r"(20\d\d)[/\-.](\d{1,2})[/\-.](\d{1,2})")


@dataclass(frozen=True)
class BalanceReading:
    credit_rial: int | None
    valid_until: dt.date | None


def operator_for(settings: SimBalanceSettings, network: str | None) -> str | None:
    """The operator whose code to ask: the setting, or from the network's name (None: not known)."""
    if settings.operator != "auto":
        return settings.operator
    name = (network or "").lower()
    for operator, names in _OPERATOR_NAMES.items():
        if any(n in name for n in names):
            return operator
    return None


def code_for(settings: SimBalanceSettings, operator: str) -> str:
    return str(getattr(settings, f"{operator}_code"))


def read_balance(text: str) -> BalanceReading:
    """Credit (int Rial) and validity date from an operator's USSD answer; ``None`` for what is not there."""
    plain = text.translate(DIGITS_TO_ASCII).replace("\u200c", " ")
    credit = None
    if match := _CREDIT.search(plain):
        amount = int(re.sub(r"[,٬،]", "", match.group(1)))
        unit = (match.group(2) or "").lower()
        credit = amount * 10 if unit in ("تومان", "toman") else amount
    valid = None
    if match := _JALALI.search(plain):
        try:
            g = jdatetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3))).togregorian()
            valid = dt.date(g.year, g.month, g.day)
        except ValueError:
            valid = None
    elif match := _GREGORIAN.search(plain):
        try:
            valid = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            valid = None
    return BalanceReading(credit, valid)


def record(
    modem: str,
    operator: str,
    code: str,
    reply: str | None,
    error: str | None,
    clock: Callable[[], dt.datetime],
) -> SimBalance:
    """Keep one query's outcome (the answer as received, and what was read from it)."""
    reading = read_balance(reply) if reply else BalanceReading(None, None)
    values = dict(
        modem=modem,
        at=clock(),
        operator=operator,
        code=code,
        reply=reply,
        credit_rial=reading.credit_rial,
        valid_until=reading.valid_until,
        error=error,
    )
    with store.write():
        row_id = store.insert(SimBalance, values)
    if reply and reading.credit_rial is None:
        log.warning("SIM balance of %s: could not read the credit in %r", modem, reply)
    return SimBalance(id=row_id, **values)


def latest(modem: str | None = None) -> SimBalance | None:
    """The newest answer that had a reading (for alerts and the dashboard)."""
    query = SimBalance.select().where(SimBalance.reply.is_null(False))
    if modem:
        query = query.where(SimBalance.modem == modem)
    return query.order_by(SimBalance.at.desc(), SimBalance.id.desc()).first()
