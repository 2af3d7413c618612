"""The operator's review queue: assign a held deposit, accept a late payment, refund, dismiss.

Their reasons are stored as codes with the operator's note (appliance.domain.reasons).
"""

from __future__ import annotations

from appliance.domain.cards import visible_digits_agree
from appliance.domain.errors import InvalidInput, InvalidTransition, NotFound
from appliance.domain.payments import State
from appliance.domain.reasons import Reason, encode
from appliance.store import database as store
from appliance.store.models import Deposit, Payment
from appliance.usecases.core import DepositState
from appliance.usecases.deposits import DepositCases


class ReviewCases(DepositCases):
    def _payment_for_review(self, pay_id: int) -> Payment:
        payment = Payment.get_or_none(Payment.id == pay_id)
        if payment is None:
            raise NotFound(f"no payment {pay_id}")
        return payment

    def _deposit_for_review(self, deposit_id: int, verb: str) -> Deposit:
        """An unmatched, ambiguous or held deposit, which the operator may assign or dismiss."""
        deposit = self.get_deposit(deposit_id)
        if deposit.state not in DepositState.ASSIGNABLE:
            raise InvalidTransition(
                f"deposit {deposit_id} is {deposit.state}: only unmatched, ambiguous or held deposits can be {verb}"
            )
        return deposit

    def assign_deposit(self, deposit_id: int, pay_id: int, actor: str, note: str = "") -> Payment:
        """The operator settles a held or unmatched deposit against a payment they chose."""
        now = self.clock()
        with store.write():
            deposit = self._deposit_for_review(deposit_id, "assigned")
            payment = self._payment_for_review(pay_id)
            self._expire_if_due(payment, now, actor)
            if payment.state not in (State.PENDING.value, State.EXPIRED.value):
                raise InvalidTransition(f"payment {pay_id} is {payment.state}: it cannot take a deposit")
            mismatch = bool(
                payment.payer_card
                and deposit.payer_card
                and not visible_digits_agree(deposit.payer_card, payment.payer_card)
            )
            deposit.note = note or deposit.note
            reason = encode(Reason("assigned", {"note": note} if note else {}))
            return self._apply_match(deposit, payment, False, mismatch, reason, actor, now)

    def accept_late(self, pay_id: int, actor: str, note: str = "") -> Payment:
        now = self.clock()
        with store.write():
            payment = self._payment_for_review(pay_id)
            accepted = encode(Reason("late_accepted", {"note": note} if note else {}))
            if not self._move(payment, State.PAID, actor, accepted, now):
                raise InvalidTransition(f"payment {pay_id} changed meanwhile")
            for deposit in Deposit.select().where((Deposit.payment == pay_id) & (Deposit.state == DepositState.LATE)):
                self._close_deposit(deposit, DepositState.MATCHED, accepted, actor, now)
        return payment

    def refund(
        self, *, pay_id: int | None = None, deposit_id: int | None = None, actor: str, note: str = ""
    ) -> Deposit:
        """Mark money as given back: a late payment's deposit, or any deposit held for review."""
        now = self.clock()
        refunded = encode(Reason("refunded", {"note": note} if note else {}))
        with store.write():
            if pay_id is not None:
                payment = self._payment_for_review(pay_id)
                deposit = Deposit.get_or_none((Deposit.payment == pay_id) & (Deposit.state == DepositState.LATE))
                if deposit is None:
                    raise InvalidTransition(f"payment {pay_id} has no late deposit to refund")
                if not self._move(payment, State.REFUNDED, actor, refunded, now):
                    raise InvalidTransition(f"payment {pay_id} changed meanwhile")
            else:
                deposit = self.get_deposit(deposit_id or 0)
                if deposit.state not in DepositState.REVIEW:
                    raise InvalidTransition(f"deposit {deposit.id} is {deposit.state}: nothing to refund")
                if deposit.state == DepositState.LATE and deposit.payment_id:
                    self._move(self.get_payment(deposit.payment_id), State.REFUNDED, actor, refunded, now)
            deposit.note = note or deposit.note
            self._close_deposit(deposit, DepositState.REFUNDED, refunded, actor, now)
        return deposit

    def dismiss_deposit(self, deposit_id: int, actor: str, note: str) -> Deposit:
        if not note.strip():
            raise InvalidInput("dismissing a deposit needs a note saying why")
        now = self.clock()
        with store.write():
            deposit = self._deposit_for_review(deposit_id, "dismissed")
            deposit.note = note
            self._close_deposit(
                deposit, DepositState.DISMISSED, encode(Reason("dismissed", {"note": note})), actor, now
            )
        return deposit
