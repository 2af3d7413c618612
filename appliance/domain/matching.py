"""Matching a deposit to a payment: a pure function over facts (DESIGN.md "Matching a deposit").

Candidates are payments holding the deposit's exact amount, offering the
card the money went to (when the SMS names it), created before the transfer.
The transfer's own time decides on-time against late: bank SMS often arrive
many minutes after the transfer, so the receive time is only a last resort.
Exactly one candidate settles; more than one is never guessed at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from appliance.domain.cards import visible_digits_agree
from appliance.domain.payments import State
from appliance.domain.reasons import Reason, encode, join, reason


@dataclass(frozen=True)
class DepositFacts:
    amount: int
    transfer_at: dt.datetime
    # The merchant cards the SMS designates; None when it does not say where the money went.
    card_ids: frozenset[int] | None = None
    payer_card: str | None = None


@dataclass(frozen=True)
class Candidate:
    payment_id: int
    amount: int
    state: State
    created_at: dt.datetime
    expires_at: dt.datetime
    card_ids: frozenset[int] = frozenset()
    payer_card: str | None = None
    # One part of a split payment (its own amount and card): which part, and whether it is paid already.
    part_id: int | None = None
    part_paid: bool = False


@dataclass(frozen=True)
class Matched:
    payment_id: int
    late: bool
    payer_card_mismatch: bool
    reason: str
    part_id: int | None = None


@dataclass(frozen=True)
class Ambiguous:
    payment_ids: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class Unmatched:
    reason: str
    hints: tuple[int, ...] = field(default=())


Outcome = Matched | Ambiguous | Unmatched


@dataclass(frozen=True)
class MatchRules:
    quarantine: dt.timedelta = dt.timedelta(hours=24)
    # Bank clocks and ours disagree a little, and banks print minutes only: a
    # transfer stamped up to this long before the payment was created still counts.
    clock_skew: dt.timedelta = dt.timedelta(minutes=2)


def _why_not(deposit: DepositFacts, c: Candidate, rules: MatchRules) -> Reason | None:
    if c.amount != deposit.amount:
        return reason("other_amount")
    if c.state not in (State.PENDING, State.EXPIRED, State.PARTIALLY_PAID):
        return reason("payment_is", state=c.state.value)
    if c.part_paid:
        return reason("part_paid_already")
    if deposit.card_ids is not None and not (c.card_ids & deposit.card_ids):
        return reason("card_not_offered")
    if deposit.transfer_at + rules.clock_skew < c.created_at:
        return reason("before_created")
    if deposit.transfer_at > c.expires_at + rules.quarantine:
        return reason("after_quarantine")
    return None


def match(
    deposit: DepositFacts, candidates: Sequence[Candidate], rules: MatchRules, near: Sequence[Candidate] = ()
) -> Outcome:
    """Decide which payment (if any) a deposit settles.

    ``candidates`` are payments with the deposit's amount; ``near`` are
    payments with nearby amounts, returned as hints when nothing matches.
    """
    eligible = [c for c in candidates if _why_not(deposit, c, rules) is None]
    if len(eligible) > 1:
        ids = tuple(sorted(c.payment_id for c in eligible))
        return Ambiguous(ids, encode(reason("ambiguous", count=len(eligible), amount=deposit.amount)))
    if not eligible:
        whys = sorted({encode(why) for c in candidates if (why := _why_not(deposit, c, rules))})
        why_not = encode(reason("no_payment_amount", amount=deposit.amount)) if not candidates else join(*whys)
        hints = tuple(
            c.payment_id
            for c in sorted(
                (
                    c
                    for c in [*candidates, *near]
                    if c.state in (State.PENDING, State.EXPIRED, State.PAID_LATE, State.PARTIALLY_PAID)
                ),
                key=lambda c: (abs(c.amount - deposit.amount), -c.created_at.timestamp()),
            )[:5]
        )
        return Unmatched(why_not, hints)
    chosen = eligible[0]
    late = deposit.transfer_at > chosen.expires_at
    mismatch = bool(
        chosen.payer_card and deposit.payer_card and not visible_digits_agree(deposit.payer_card, chosen.payer_card)
    )
    said = [reason("late_in_quarantine" if late else "on_time")]
    if mismatch:
        said.append(reason("payer_card_differs"))
    return Matched(chosen.payment_id, late, mismatch, encode(*said), chosen.part_id)
