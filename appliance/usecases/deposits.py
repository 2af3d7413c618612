"""Deposits: each one stored and settled against the payment it matches, in one transaction.

A deposit comes from an SMS (see :mod:`appliance.usecases.sms_intake`), an
operator or the HTTP hand-in. :func:`appliance.domain.matching.match` decides;
this module reads the candidates and writes the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from appliance.domain import matching, mistakes
from appliance.domain.errors import InvalidTransition, NotFound
from appliance.domain.payments import SETTLED, State
from appliance.domain.reasons import encode, join
from appliance.domain.reasons import reason as _reason
from appliance.store import database as store
from appliance.store.models import Card, Deposit, Payment, PaymentPart
from appliance.usecases.core import DepositState
from appliance.usecases.split_checkout import CapacityCases


@dataclass(frozen=True)
class NewDeposit:
    """A deposit as it reaches the store, from an SMS, an operator or the HTTP API."""

    amount: int
    source: str
    created_by: str
    account: str | None = None
    bank: str | None = None
    payer_card: str | None = None
    balance: int | None = None
    bank_time: dt.datetime | None = None
    smsc_time: dt.datetime | None = None
    received_at: dt.datetime | None = None
    dedupe_key: str | None = None
    # False for interest, corrections and reversals: money that is no customer's payment.
    settles: bool = True
    # Set when trust checks want a person to look first (SMSC mismatch, strict balance break).
    hold_reason: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class DepositOutcome:
    deposit: Deposit
    payment: Payment | None
    duplicate: bool = False
    events: list[str] = field(default_factory=list)


class DepositCases(CapacityCases):
    def record_deposit(self, new: NewDeposit) -> DepositOutcome:
        """Store a deposit and settle the payment it matches, in one transaction. Idempotent on ``dedupe_key``."""
        now = self.clock()
        received_at = new.received_at or now
        transfer_at = new.bank_time or new.smsc_time or received_at
        with store.write():
            if new.dedupe_key:
                # Hand-written: building this query with the ORM cost more than the rest of the deposit.
                existing = store.first(Deposit, "SELECT * FROM deposit WHERE dedupe_key = ?", new.dedupe_key)
                if existing is not None:
                    return DepositOutcome(existing, existing.payment, duplicate=True)
            cards = self.cards_for_account(new.account)
            values = dict(
                source=new.source,
                state=DepositState.UNMATCHED,
                amount=new.amount,
                bank=new.bank,
                account=new.account,
                card=cards[0].id if len(cards) == 1 else None,
                payer_card=new.payer_card,
                balance=new.balance,
                bank_time=new.bank_time,
                smsc_time=new.smsc_time,
                received_at=received_at,
                transfer_at=transfer_at,
                dedupe_key=new.dedupe_key,
                created_by=new.created_by,
                note=new.note,
                reason="",
            )
            deposit = Deposit(id=store.insert(Deposit, values), **values)
            payment = self._settle(deposit, new, cards, now)
        return DepositOutcome(deposit, payment)

    def _settle(self, deposit: Deposit, new: NewDeposit, cards: list[Card], now: dt.datetime) -> Payment | None:
        actor = f"matcher ({new.created_by})"
        if new.account and not cards:
            self._close_deposit(
                deposit, DepositState.FOREIGN, encode(_reason("foreign_account", account=new.account)), actor, now
            )
            return None
        if not new.settles:
            self._close_deposit(deposit, DepositState.NOT_PAYABLE, encode(_reason("not_payable")), actor, now)
            return None
        if new.hold_reason:
            self._close_deposit(deposit, DepositState.HELD, new.hold_reason, actor, now)
            return None
        facts = matching.DepositFacts(
            amount=deposit.amount,
            transfer_at=deposit.transfer_at,
            card_ids=frozenset(c.id for c in cards) if cards else None,
            payer_card=new.payer_card,
        )
        # Only a payment whose quarantine had not ended at the transfer can be settled by it (matching._why_not):
        # those are read first. When one or several of them can take the deposit, the older payments of the
        # amount change nothing; only a deposit that settles nothing reads them all, for its reasons and hints
        # (after a year, a price's amounts came back on a few payments each, read on every SMS before).
        parts = self._part_candidates(deposit.amount)
        since = deposit.transfer_at - self.rules.quarantine
        candidates = self._candidates(deposit.amount, exact=True, since=since) + parts
        outcome = matching.match(facts, candidates, self.rules)
        if isinstance(outcome, matching.Unmatched):
            candidates = self._candidates(deposit.amount, exact=True) + parts
            outcome = matching.match(facts, candidates, self.rules)
        if isinstance(outcome, matching.Unmatched):
            # The payments of nearby amounts are only hints for a deposit that settles nothing: read them
            # then, not for every deposit (after a year that read walked the expired payments of the price).
            near = self._candidates(deposit.amount, exact=False)
            outcome = matching.match(facts, candidates, self.rules, near=near)
        if isinstance(outcome, matching.Ambiguous):
            deposit.hints = list(outcome.payment_ids)
            self._close_deposit(deposit, DepositState.AMBIGUOUS, outcome.reason, actor, now)
            return None
        if isinstance(outcome, matching.Unmatched):
            deposit.hints = list(outcome.hints)
            suggestion = self._suggest(deposit)  # never settles: the operator decides (docs/customer-mistakes.md)
            reason = outcome.reason
            if suggestion is not None:
                deposit.hints.append(suggestion.as_hint())
                reason = join(
                    reason, encode(_reason("most_likely", payment=suggestion.payment_id, mistake=suggestion.rule))
                )
            self._close_deposit(deposit, DepositState.UNMATCHED, reason, actor, now)
            return None
        payment = self.get_payment(outcome.payment_id)
        if outcome.part_id is not None:
            return self._apply_part(
                deposit, payment, outcome.part_id, outcome.late, outcome.payer_card_mismatch, outcome.reason, actor, now
            )
        return self._apply_match(
            deposit, payment, outcome.late, outcome.payer_card_mismatch, outcome.reason, actor, now
        )

    def _apply_match(
        self, deposit: Deposit, payment: Payment, late: bool, mismatch: bool, reason: str, actor: str, now: dt.datetime
    ) -> Payment:
        if payment.state == State.PENDING.value and late:
            self._move(payment, State.EXPIRED, actor, encode(_reason("deadline_before_transfer")), now)
        target = State.PAID_LATE if late else State.PAID
        data = {"deposit": deposit.id, "amount": deposit.amount}
        if not self._move(payment, target, actor, reason, now, data=data, paid_at=now, payer_card_mismatch=mismatch):
            raise InvalidTransition(f"payment {payment.id} changed while settling deposit {deposit.id}")
        deposit.payment_id = payment.id
        if deposit.card_id is None:
            offered = self.payment_cards(payment)
            if len(offered) == 1:
                deposit.card_id = offered[0].id
        self._close_deposit(deposit, DepositState.LATE if late else DepositState.MATCHED, reason, actor, now)
        return payment

    def _close_deposit(self, deposit: Deposit, state: str, reason: str, actor: str, now: dt.datetime) -> None:
        previous = deposit.state if deposit.id and deposit.state != state else None
        deposit.state = state
        deposit.reason = reason
        if deposit.id is None:
            deposit.save()
        else:
            store.execute(
                "UPDATE deposit SET state = ?, reason = ?, payment_id = ?, card_id = ?, hints = ?, "
                "note = ? WHERE id = ?",
                state,
                reason,
                deposit.payment_id,
                deposit.card_id,
                Deposit.hints.db_value(deposit.hints),
                deposit.note,
                deposit.id,
            )
        self.record_event(
            "deposit",
            deposit.id,
            state,
            actor,
            reason,
            previous,
            state,
            data={"amount": deposit.amount, "payment": deposit.payment_id},
            now=now,
        )
        return None

    def _candidates(self, amount: int, exact: bool, since: dt.datetime | None = None) -> list[matching.Candidate]:
        """Payments of ``amount`` (``exact``), else of nearby amounts; with ``since``: expiring then or later."""
        # Runs for every deposit: hand-written SQL (see appliance/store/database.py).
        if exact:
            recent = "AND expires_at >= ? " if since is not None else ""
            payments = store.rows(
                Payment,
                f"SELECT * FROM payment WHERE amount = ? AND state IN (?, ?, ?, ?) {recent}"
                # A split payment's total is no amount of its own: its parts are matched (_part_candidates).
                "AND NOT EXISTS (SELECT 1 FROM payment_part pp WHERE pp.payment_id = payment.id) "
                "ORDER BY id DESC LIMIT 50",
                amount,
                State.PENDING.value,
                State.EXPIRED.value,
                State.PAID.value,
                State.VERIFIED.value,
                *(() if since is None else (Payment.expires_at.db_value(since),)),
            )
        else:
            span = self.offsets.max_offset
            payments = store.rows(
                Payment,
                "SELECT * FROM payment WHERE amount BETWEEN ? AND ? AND amount <> ? "
                "AND state IN (?, ?) ORDER BY id DESC LIMIT 50",
                amount - span,
                amount + span,
                amount,
                State.PENDING.value,
                State.EXPIRED.value,
            )
        offered: dict[int, set[int]] = {}
        if payments:
            ids = [p.id for p in payments]
            for pid, cid in store.execute(
                "SELECT payment_id, card_id FROM payment_card WHERE payment_id IN (" + ", ".join("?" * len(ids)) + ")",
                *ids,
            ).fetchall():
                offered.setdefault(pid, set()).add(cid)
        return [
            matching.Candidate(
                p.id,
                p.amount,
                State(p.state),
                p.created_at,
                p.expires_at,
                frozenset(offered.get(p.id, ())),
                p.payer_card,
            )
            for p in payments
        ]

    def get_deposit(self, deposit_id: int) -> Deposit:
        deposit = Deposit.get_or_none(Deposit.id == deposit_id)
        if deposit is None:
            raise NotFound(f"no deposit {deposit_id}")
        return deposit

    def list_deposits(self, states: Iterable[str] | None = None, limit: int = 50) -> list[Deposit]:
        query = Deposit.select().order_by(Deposit.id.desc()).limit(limit)
        if states:
            query = query.where(Deposit.state.in_(list(states)))
        return list(query)

    # ----- split payments: a deposit settles one part --------------------------------------------
    def _part_candidates(self, amount: int) -> list[matching.Candidate]:
        """Parts holding ``amount`` of payments that can still take money (each offers its one card)."""
        found = store.execute(
            "SELECT pp.id, pp.payment_id, pp.card_id, pp.paid_at, p.state, p.created_at, p.expires_at, p.payer_card "
            "FROM payment_part pp JOIN payment p ON p.id = pp.payment_id "
            "WHERE pp.amount = ? AND p.state IN (?, ?, ?) ORDER BY pp.id DESC LIMIT 50",
            amount,
            State.PENDING.value,
            State.EXPIRED.value,
            State.PARTIALLY_PAID.value,
        ).fetchall()
        created = Payment.created_at
        return [
            matching.Candidate(
                payment_id,
                amount,
                State(state),
                created.python_value(created_at),
                created.python_value(expires_at),
                frozenset({card_id}),
                payer_card,
                part_id=part_id,
                part_paid=paid_at is not None,
            )
            for part_id, payment_id, card_id, paid_at, state, created_at, expires_at, payer_card in found
        ]

    def _apply_part(
        self,
        deposit: Deposit,
        payment: Payment,
        part_id: int,
        late: bool,
        mismatch: bool,
        reason: str,
        actor: str,
        now: dt.datetime,
    ) -> Payment:
        """Mark one part paid by ``deposit``; the payment is paid once every part is (docs/split-payments.md)."""
        part = PaymentPart.get_by_id(part_id)
        updated = store.execute(
            "UPDATE payment_part SET paid_at = ?, late = ?, deposit_id = ? WHERE id = ? AND paid_at IS NULL",
            PaymentPart.paid_at.db_value(now),
            late,
            deposit.id,
            part_id,
        ).rowcount
        if updated != 1:
            raise InvalidTransition(
                f"part {part.seq} of payment {payment.id} changed while settling deposit {deposit.id}"
            )
        store.execute(
            "UPDATE amount_reservation SET active_amount = NULL, released_at = ? "
            "WHERE payment_id = ? AND scope = ? AND amount = ? AND active_amount IS NOT NULL",
            PaymentPart.paid_at.db_value(now),
            payment.id,
            part.scope,
            part.amount,
        )
        if mismatch and not payment.payer_card_mismatch:
            store.execute("UPDATE payment SET payer_card_mismatch = ? WHERE id = ?", True, payment.id)
            payment.payer_card_mismatch = True
        parts = self.payment_parts(payment)
        paid = [p for p in parts if p.paid_at is not None]
        progress = {"deposit": deposit.id, "part": part.seq, "amount": part.amount, "parts": len(parts)}
        progress |= {"parts_paid": len(paid), "paid_rial": sum(p.amount for p in paid), "late": late}
        self.record_event(
            "payment",
            payment.id,
            "part_paid",
            actor,
            join(encode(_reason("part_paid_late" if late else "part_paid", seq=part.seq, parts=len(parts))), reason),
            data=progress,
            now=now,
        )
        for listener in self.part_listeners:
            listener(payment.id, part.seq, now)
        source = State(payment.state)
        if len(paid) == len(parts):
            # Begun on time (some part's transfer before the deadline): the late rest completes it.
            # Every transfer late: like one late transfer, it waits for the operator.
            target = State.PAID if any(not p.late for p in parts) else State.PAID_LATE
            if source is State.PENDING and target is State.PAID_LATE:
                self._move(payment, State.EXPIRED, actor, encode(_reason("deadline_before_transfers")), now)
            moved = self._move(
                payment,
                target,
                actor,
                encode(_reason("every_part_paid", parts=len(parts))),
                now,
                data=progress,
                paid_at=now,
            )
            if not moved:
                raise InvalidTransition(f"payment {payment.id} changed while settling deposit {deposit.id}")
            if target is State.PAID:
                self._settle_late_part_deposits(payment.id, actor, now)
        elif source is State.EXPIRED or (source is State.PENDING and late):
            self._move(payment, State.PARTIALLY_PAID, actor, encode(_reason("late_part_paid")), now, data=progress)
        deposit.payment_id = payment.id
        deposit.card_id = deposit.card_id or part.card_id
        done = State(payment.state) in SETTLED
        self._close_deposit(
            deposit, DepositState.LATE if late and not done else DepositState.MATCHED, reason, actor, now
        )
        return payment

    def _settle_late_part_deposits(self, pay_id: int, actor: str, now: dt.datetime) -> None:
        """The late parts' deposits of a payment now paid leave the review queue."""
        for late in Deposit.select().where((Deposit.payment == pay_id) & (Deposit.state == DepositState.LATE)):
            self._close_deposit(late, DepositState.MATCHED, encode(_reason("split_complete")), actor, now)

    # ----- the amounts customers really send (docs/customer-mistakes.md) --------------------------
    def _suggest(self, deposit: Deposit) -> mistakes.Suggestion | None:
        """The one open payment an unmatched deposit most likely belongs to, by a customer's usual mistake."""
        d = deposit.amount
        earlier = [
            mistakes.Earlier(e.id, e.amount, e.transfer_at)
            for e in store.rows(
                Deposit,
                "SELECT * FROM deposit WHERE state = ? AND id <> ? AND transfer_at >= ? AND amount < ? "
                "ORDER BY id DESC LIMIT 50",
                DepositState.UNMATCHED,
                deposit.id or 0,
                Deposit.transfer_at.db_value(deposit.transfer_at - dt.timedelta(days=1)),
                max(0, d * 20),
            )
            if e.card_id is None or deposit.card_id is None or e.card_id == deposit.card_id
        ]
        near = (d - 10_000, d + 10_000 + self.offsets.max_offset)
        tenfold = (d * 10 - 10, d * 10 + 10)
        sums = sorted({d + e.amount for e in earlier})
        states = (State.PENDING.value, State.EXPIRED.value, State.PARTIALLY_PAID.value)
        # A payment whose quarantine ended before the transfer is never suggested (mistakes._in_time):
        # reading only the later ones keeps this flat however many payments expired over the years.
        oldest = Payment.expires_at.db_value(deposit.transfer_at - self.rules.quarantine)
        in_sums = f" OR (amount IN ({', '.join('?' * len(sums))}))" if sums else ""
        singles = store.rows(
            Payment,
            "SELECT * FROM payment WHERE state IN (?, ?, ?) AND expires_at >= ? "
            "AND ((amount BETWEEN ? AND ?) OR (amount BETWEEN ? AND ?) "
            f"OR (price BETWEEN ? AND ?) OR (price BETWEEN ? AND ?){in_sums}) "
            "AND NOT EXISTS (SELECT 1 FROM payment_part pp WHERE pp.payment_id = payment.id) "
            # ``+id``: walking the table backwards by id would read every payment ever made; this way
            # SQLite reads the expiry index from ``oldest`` on, with or without statistics.
            "ORDER BY +id DESC LIMIT 100",
            *states,
            oldest,
            *near,
            *tenfold,
            *near,
            *tenfold,
            *sums,
        )
        found = [mistakes.Open(p.id, p.amount, p.price, p.created_at, p.expires_at) for p in singles]
        created = Payment.created_at
        for part_id, pay_id, amount, price, created_at, expires_at in store.execute(
            "SELECT pp.id, pp.payment_id, pp.amount, pp.price, p.created_at, p.expires_at "
            "FROM payment_part pp JOIN payment p ON p.id = pp.payment_id WHERE pp.paid_at IS NULL "
            "AND p.state IN (?, ?, ?) AND p.expires_at >= ? "
            "AND ((pp.amount BETWEEN ? AND ?) OR (pp.amount BETWEEN ? AND ?) "
            "OR (pp.price BETWEEN ? AND ?) OR (pp.price BETWEEN ? AND ?)) ORDER BY +pp.id DESC LIMIT 100",
            *states,
            oldest,
            *near,
            *tenfold,
            *near,
            *tenfold,
        ).fetchall():
            found.append(
                mistakes.Open(
                    pay_id, amount, price, created.python_value(created_at), created.python_value(expires_at), part_id
                )
            )
        return mistakes.suggest(d, deposit.transfer_at, found, earlier, self.rules.clock_skew, self.rules.quarantine)

    @staticmethod
    def suggestion_of(deposit: Deposit) -> dict[str, object] | None:
        """The suggestion stored with an unmatched deposit (see :meth:`_suggest`), if any."""
        for hint in deposit.hints or []:
            if isinstance(hint, dict) and hint.get("rule") in mistakes.RULES:
                return hint
        return None
