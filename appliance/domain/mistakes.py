"""The amounts customers really send: which open payment a near-miss deposit most likely belongs to.

Never settles anything: a suggestion is shown in the review queue and the
operator settles it in one action (docs/customer-mistakes.md has the rules and
their reasons). The rules, most likely first:

1. ``offset_dropped``: the deposit is the payment's (or part's) price, without its offset.
2. ``toman``: the deposit is the amount (or the price) divided by ten: the customer read Rial as Toman.
3. ``rounded``: the deposit is the amount rounded down or to the nearest 1,000 or 10,000 Rial.
4. ``two_transfers``: this deposit and one earlier unmatched deposit add up to the exact amount.

Only payments that could still take money (created before the transfer, the
transfer within the payment's time plus the quarantine) are considered. When
two payments fit the best rule equally, nothing is suggested: choosing between
two customers is not a guess to make for the operator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

RULES = ("offset_dropped", "toman", "rounded", "two_transfers")


@dataclass(frozen=True)
class Open:
    """A payment (or one unpaid part of a split payment) that can still take money."""

    payment_id: int
    amount: int
    price: int
    created_at: dt.datetime
    expires_at: dt.datetime
    part_id: int | None = None


@dataclass(frozen=True)
class Earlier:
    """An unmatched deposit that might be the other half of two transfers."""

    deposit_id: int
    amount: int
    transfer_at: dt.datetime


@dataclass(frozen=True)
class Suggestion:
    rule: str
    payment_id: int
    part_id: int | None
    difference: int  # what the payment expected minus what came (positive: the customer sent too little)
    with_deposit: int | None = None

    def as_hint(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "pay_id": self.payment_id,
            "part_id": self.part_id,
            "difference": self.difference,
            "with_deposit": self.with_deposit,
        }


def _rounded(amount: int) -> set[int]:
    out = set()
    for unit in (1_000, 10_000):
        down = amount // unit * unit
        out |= {down, (amount + unit // 2) // unit * unit}
    out.discard(amount)
    return out


def _rule_for(deposit: int, o: Open) -> str | None:
    if deposit == o.price and o.price != o.amount:
        return "offset_dropped"
    if deposit * 10 in (o.amount, o.price) or deposit in (o.amount // 10, (o.amount + 5) // 10):
        return "toman"
    if deposit in _rounded(o.amount):
        return "rounded"
    return None


def _in_time(transfer_at: dt.datetime, o: Open, skew: dt.timedelta, quarantine: dt.timedelta) -> bool:
    return o.created_at - skew <= transfer_at <= o.expires_at + quarantine


def suggest(
    amount: int,
    transfer_at: dt.datetime,
    open_payments: Sequence[Open],
    earlier: Sequence[Earlier] = (),
    skew: dt.timedelta = dt.timedelta(minutes=2),
    quarantine: dt.timedelta = dt.timedelta(hours=24),
) -> Suggestion | None:
    """The one payment a deposit of ``amount`` that matched nothing most likely belongs to, or None."""
    eligible = [o for o in open_payments if _in_time(transfer_at, o, skew, quarantine)]
    for rule in RULES[:3]:
        fits = [o for o in eligible if _rule_for(amount, o) == rule]
        if len({o.payment_id for o in fits}) == 1:
            # One payment (two parts of one split payment may fit alike: the first of them).
            o = min(fits, key=lambda o: o.part_id or 0)
            return Suggestion(rule, o.payment_id, o.part_id, o.amount - amount)
        if fits:
            return None
    pairs = [
        (o, e)
        for o in eligible
        if o.part_id is None
        for e in earlier
        if e.amount + amount == o.amount
        and _in_time(e.transfer_at, o, skew, dt.timedelta(0))
        and _in_time(transfer_at, o, skew, dt.timedelta(0))
    ]
    if len(pairs) == 1:
        o, e = pairs[0]
        return Suggestion("two_transfers", o.payment_id, None, 0, with_deposit=e.deposit_id)
    return None
