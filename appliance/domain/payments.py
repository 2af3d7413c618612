"""The payment state machine and what ``check`` answers (DESIGN.md "Payments").

States: ``pending -> paid | expired``; ``paid -> verified`` (the first
``check`` after payment); ``expired -> paid`` (the transfer was on time but its
SMS came late) or ``expired -> paid_late`` (the transfer itself was late);
``paid_late -> paid`` (the operator accepts it) or ``-> refunded``. ``verified``
and ``refunded`` are final.

A split payment (several parts, :mod:`appliance.domain.parts`) stays ``pending``
until every part is paid. Its deadline with some parts paid makes it
``partially_paid`` (so does a late part of an expired one): a late part can
still complete it (``-> paid``), or the operator accepts it as paid or refunds it.
"""

from __future__ import annotations

import datetime as dt
import enum

from appliance.domain.codes import Code


class State(str, enum.Enum):
    PENDING = "pending"
    PAID = "paid"
    VERIFIED = "verified"
    EXPIRED = "expired"
    PAID_LATE = "paid_late"
    REFUNDED = "refunded"
    PARTIALLY_PAID = "partially_paid"


TRANSITIONS: dict[State, frozenset[State]] = {
    State.PENDING: frozenset({State.PAID, State.EXPIRED, State.PARTIALLY_PAID}),
    State.EXPIRED: frozenset({State.PAID, State.PAID_LATE, State.PARTIALLY_PAID}),
    State.PARTIALLY_PAID: frozenset({State.PAID, State.PAID_LATE, State.REFUNDED}),
    State.PAID: frozenset({State.VERIFIED}),
    State.PAID_LATE: frozenset({State.PAID, State.REFUNDED}),
    State.VERIFIED: frozenset(),
    State.REFUNDED: frozenset(),
}

# States in which the payment's money has arrived and been accepted.
SETTLED = frozenset({State.PAID, State.VERIFIED})
# States in which a card number may no longer be registered (setCard answers -1).
FINAL_FOR_CARD = frozenset(State) - {State.PENDING}


def can_move(source: State, target: State) -> bool:
    return target in TRANSITIONS[source]


def effective_state(state: State, expires_at: dt.datetime, now: dt.datetime) -> State:
    """A pending payment past its deadline is expired, whether or not the job has run yet."""
    if state is State.PENDING and now >= expires_at:
        return State.EXPIRED
    return state


def check_code(state: State, payer_card_mismatch: bool, first_verification: bool) -> Code:
    """What ``check`` answers for a payment in ``state`` (after any transition it made)."""
    if state is State.PENDING:
        return Code.NOT_PAID_YET
    if state in (State.EXPIRED, State.PAID_LATE, State.REFUNDED, State.PARTIALLY_PAID):
        # A late payment reads as expired until the operator accepts it (DESIGN.md "Matching"); so does
        # a split payment whose time ended with only some parts paid (its last part can still complete it).
        return Code.EXPIRED
    if payer_card_mismatch:
        return Code.PAYER_CARD_MISMATCH
    return Code.VERIFIED_FIRST if first_verification else Code.VERIFIED_AGAIN
