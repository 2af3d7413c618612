"""The operator's review queue: assign a held deposit, accept a late payment, refund, dismiss, re-match.

Their reasons are stored as codes with the operator's note (appliance.domain.reasons).
"""

from __future__ import annotations

from appliance.domain.cards import visible_digits_agree
from appliance.domain.errors import InvalidInput, InvalidTransition, NotFound
from appliance.domain.payments import State
from appliance.domain.reasons import Reason, encode, reason
from appliance.store import database as store
from appliance.store.models import Deposit, Event, Payment
from appliance.usecases.core import DepositState
from appliance.usecases.deposits import DepositCases, NewDeposit


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
            assigned = encode(Reason("assigned", {"note": note} if note else {}))
            return self._apply_match(deposit, payment, False, mismatch, assigned, actor, now)

    def accept_late(self, pay_id: int, actor: str, note: str = "") -> Payment:
        now = self.clock()
        with store.write():
            payment = self._payment_for_review(pay_id)
            if payment.state == State.PARTIALLY_PAID.value:  # a split payment: accepted with its shortfall
                return self.accept_partial(pay_id, actor, note)
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
            target = pay_id
            if target is None and deposit_id is not None:
                held = self.get_deposit(deposit_id)
                target = held.payment_id if held.state == DepositState.LATE else None
            if target is not None and self._payment_for_review(target).state == State.PARTIALLY_PAID.value:
                # A split payment: every part received goes back, not just this one.
                self.refund_partial(target, actor, note)
                return self.get_deposit(deposit_id) if deposit_id is not None else self._last_refunded(target)
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
            if pay_id is not None:  # a split payment paid late: each of its late parts' deposits goes back
                for other in Deposit.select().where(
                    (Deposit.payment == pay_id) & (Deposit.state == DepositState.LATE) & (Deposit.id != deposit.id)
                ):
                    self._close_deposit(other, DepositState.REFUNDED, refunded, actor, now)
        return deposit

    @staticmethod
    def _last_refunded(pay_id: int) -> Deposit:
        return (
            Deposit.select()
            .where((Deposit.payment == pay_id) & (Deposit.state == DepositState.REFUNDED))
            .order_by(Deposit.id.desc())
            .get()
        )

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

    def resettle_held(self, deposit: Deposit, actor: str) -> Payment | None:
        """A held deposit whose hold no longer applies (the operator trusted its sender): to the matcher,
        with every rule of a new deposit. Call inside ``store.write()``."""
        if deposit.state != DepositState.HELD:
            raise InvalidTransition(f"deposit {deposit.id} is {deposit.state}, not held")
        new = NewDeposit(
            amount=deposit.amount,
            source=deposit.source,
            created_by=actor,
            account=deposit.account,
            bank=deposit.bank,
            payer_card=deposit.payer_card,
            balance=deposit.balance,
        )
        return self._settle(deposit, new, self.cards_for_account(deposit.account), self.clock())

    # ----- split payments whose time ended with some parts paid (docs/split-payments.md) ------
    def partially_paid_payments(self, limit: int = 50) -> list[Payment]:
        """The review queue's split payments: time over, some parts paid, the rest not (yet)."""
        return list(
            Payment.select()
            .where(Payment.state == State.PARTIALLY_PAID.value)
            .order_by(Payment.expires_at)
            .limit(limit)
        )

    def waiting_for_rest(self, pay_id: int) -> bool:
        """Whether the operator chose to wait for the remaining parts of this partially paid payment."""
        last = (
            Event.select(Event.kind)
            .where((Event.entity == "payment") & (Event.entity_id == pay_id) & Event.kind.in_(_PARTIAL_DECISIONS))
            .order_by(Event.id.desc())
            .first()
        )
        return last is not None and last.kind == "waiting_for_rest"

    def _partial_for_review(self, pay_id: int) -> Payment:
        payment = self._payment_for_review(pay_id)
        if payment.state != State.PARTIALLY_PAID.value:
            raise InvalidTransition(f"payment {pay_id} is {payment.state}: only a partially paid payment can be")
        return payment

    def _shortfall(self, payment: Payment) -> dict[str, int]:
        parts = self.payment_parts(payment)
        paid = sum(p.amount for p in parts if p.paid_at is not None)
        return {"paid_rial": paid, "missing_rial": payment.amount - paid, "parts": len(parts)}

    def accept_partial(self, pay_id: int, actor: str, note: str = "") -> Payment:
        """The operator accepts a partially paid payment as paid (recorded with what was missing)."""
        now = self.clock()
        with store.write():
            payment = self._partial_for_review(pay_id)
            short = self._shortfall(payment)
            accepted = encode(reason("accepted_short", shortfall=short["missing_rial"], note=note))
            if not self._move(payment, State.PAID, actor, accepted, now, data=short, paid_at=now):
                raise InvalidTransition(f"payment {pay_id} changed meanwhile")
            self._settle_late_part_deposits(pay_id, actor, now)
        return payment

    def wait_for_rest(self, pay_id: int, actor: str, note: str = "") -> Payment:
        """The operator waits for the remaining parts: the payment stays partially paid, its unpaid parts'
        amounts stay held until the quarantine ends, and a late part still completes it."""
        now = self.clock()
        with store.write():
            payment = self._partial_for_review(pay_id)
            waiting = encode(reason("waiting_for_rest", note=note))
            self.record_event(
                "payment", pay_id, "waiting_for_rest", actor, waiting, data=self._shortfall(payment), now=now
            )
        return payment

    def refund_partial(self, pay_id: int, actor: str, note: str = "") -> Payment:
        """The operator gives back what a partially paid payment received: every paid part's deposit."""
        now = self.clock()
        with store.write():
            payment = self._partial_for_review(pay_id)
            refunded = encode(reason("refunded", note=note))
            if not self._move(payment, State.REFUNDED, actor, refunded, now, data=self._shortfall(payment)):
                raise InvalidTransition(f"payment {pay_id} changed meanwhile")
            for deposit in Deposit.select().where(
                (Deposit.payment == pay_id) & Deposit.state.in_([DepositState.MATCHED, DepositState.LATE])
            ):
                self._close_deposit(deposit, DepositState.REFUNDED, refunded, actor, now)
        return payment


_PARTIAL_DECISIONS = ["waiting_for_rest", "part_paid"]


class SuggestionCases(ReviewCases):
    """The review queue's suggestion for a near-miss deposit, settled by the operator in one action."""

    def settle_suggestion(self, deposit_id: int, actor: str, note: str = "") -> Payment:
        """Settle an unmatched deposit against the payment suggested for it, recorded with the difference."""
        now = self.clock()
        with store.write():
            deposit = self._deposit_for_review(deposit_id, "settled")
            hint = self.suggestion_of(deposit)
            if hint is None:
                raise InvalidTransition(f"deposit {deposit_id} has no suggested payment: assign it instead")
            pay_id = int(str(hint["pay_id"]))
            payment = self._payment_for_review(pay_id)
            self._expire_if_due(payment, now, actor)
            if payment.state not in (State.PENDING.value, State.EXPIRED.value, State.PARTIALLY_PAID.value):
                raise InvalidTransition(f"payment {pay_id} is {payment.state}: it cannot take a deposit")
            rule, difference = str(hint["rule"]), int(str(hint["difference"]))
            settled = encode(reason("settled_difference", mistake=rule, difference=difference, note=note))
            other: Deposit | None = None
            if hint.get("with_deposit") is not None:
                other = self.get_deposit(int(str(hint["with_deposit"])))
                if other.state != DepositState.UNMATCHED:
                    raise InvalidTransition(f"deposit {other.id} is {other.state} now: it cannot be paired any more")
            data = {"rule": rule, "difference": difference, "deposits": [d.id for d in (deposit, other) if d]}
            self.record_event("payment", pay_id, "settled_with_difference", actor, settled, data=data, now=now)
            if hint.get("part_id") is not None:
                part_id = int(str(hint["part_id"]))
                return self._apply_part(deposit, payment, part_id, False, False, settled, actor, now)
            self._apply_match(deposit, payment, False, False, settled, actor, now)
            if other is not None:
                other.payment_id = payment.id
                self._close_deposit(other, DepositState.MATCHED, settled, actor, now)
        return payment
