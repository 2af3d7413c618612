"""Checkout: what the merchant API does (create, setCard, check) and a payment's life to its deadline.

``create`` reserves the smallest free unique amount under a database-enforced
unique index (across a fleet on PostgreSQL, boxes queue on an advisory lock);
every state change is a conditional UPDATE, so exactly one racing caller wins.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import peewee

from appliance.domain.amounts import free_amounts
from appliance.domain.cards import mask_card
from appliance.domain.codes import Code
from appliance.domain.errors import ApiError, InvalidTransition
from appliance.domain.payments import FINAL_FOR_CARD, State, can_move, check_code, effective_state
from appliance.domain.reasons import encode, reason
from appliance.store import database as store
from appliance.store.models import AmountReservation, ApiToken, Card, Deposit, Payment, PaymentCard
from appliance.usecases.card_registry import CardCases

log = logging.getLogger(__name__)

ALL_CARDS_SCOPE = 0
_ALLOCATION_LOCK = 0x4332  # PostgreSQL advisory-lock namespace for amount allocation


@dataclass(frozen=True)
class CreateRequest:
    """A ``create`` as the merchant asked for it, already validated (see web.api.fields)."""

    price: int
    fid: int
    phone: str | None = None
    card: str | None = None
    callback: str | None = None
    expire_minutes: int | None = None


@dataclass(frozen=True)
class CreatedPayment:
    payment: Payment
    cards: list[Card]
    link: str | None


@dataclass(frozen=True)
class CheckResult:
    code: Code
    payment: Payment
    split: bool = True  # False: a payment of one transfer, with no parts to read


class CheckoutCases(CardCases):
    def create_payment(
        self, request: CreateRequest, token: ApiToken | None = None, seen_as: str | None = None
    ) -> CreatedPayment:
        self._refuse_when_closed()
        now = self.clock()
        minutes = request.expire_minutes or self.settings.payments.expire_minutes
        expires_at = now + dt.timedelta(minutes=minutes)
        hold_until = expires_at + self.rules.quarantine

        def create() -> tuple[Payment, list[Card]]:
            # A used fid is refused by the payment's unique index (_reserve); read here only before another
            # refusal, which a used fid takes precedence over: one statement less on every create.
            cards = self.offered_cards(request.price, now)
            if not cards:
                self._refuse_used_fid(request.fid)
                raise ApiError(Code.NO_CARD_AVAILABLE)
            if self.settings.payments.pin_card:
                choices = [(card.id, [card]) for card in self._by_load(cards)]
            else:
                choices = [(ALL_CARDS_SCOPE, cards)]
            for scope, offered in choices:
                payment = self._reserve(request, token, scope, offered, now, expires_at, hold_until)
                if payment is not None:
                    break
            else:
                self._refuse_used_fid(request.fid)
                raise ApiError(Code.NO_FREE_AMOUNT, f"all {self.offsets.capacity} amounts for this price are held")
            self.record_event(
                "payment",
                payment.id,
                "created",
                f"api:{token.name}" if token else "operator",
                encode(reason("created_amount", amount=payment.amount, price=payment.price)),
                None,
                State.PENDING.value,
                data={"fid": payment.fid, "amount": payment.amount, "cards": [c.id for c in offered]},
                now=now,
            )
            return payment, offered

        # The busiest write of the box: concurrent creates share one durable commit.
        payment, offered = store.batched_write(create)
        link = self.payment_link(payment.id, seen_as) if request.callback else None
        return CreatedPayment(payment, offered, link)

    @staticmethod
    def _refuse_used_fid(fid: int) -> None:
        if store.execute("SELECT 1 FROM payment WHERE fid = ?", fid).fetchone():
            raise ApiError(Code.FID_DUPLICATE)

    def _refuse_when_closed(self) -> None:
        """The gates every ``create`` passes first: a trusted clock, SMS received and recorded."""
        if not self.gates.clock_trusted():
            raise ApiError(Code.CLOCK_UNTRUSTED)
        if not self.gates.receiving_ok():
            raise ApiError(Code.RECEIVING_DOWN)
        if not self.gates.recording_ok():
            raise ApiError(Code.RECORDING_DOWN)

    def _expiry_target(self, payment: Payment) -> State:
        """What a pending payment becomes at its deadline (a split payment may be partially paid)."""
        return State.EXPIRED

    @staticmethod
    def _by_load(cards: list[Card]) -> list[Card]:
        """Pinned mode: the card with the fewest pending payments first, to spread the load."""
        # (card id, count) rows: peewee's hints type tuples() as the query of models it was.
        rows = cast(
            "Iterable[tuple[int, int]]",
            Payment.select(Payment.card, peewee.fn.COUNT(Payment.id))
            .where(Payment.state == State.PENDING.value)
            .group_by(Payment.card)
            .tuples(),
        )
        pending = dict(rows)
        return sorted(cards, key=lambda c: (pending.get(c.id, 0), c.id))

    def _release_stale_reservations(
        self, now: dt.datetime, scope: int | None = None, low: int | None = None, high: int | None = None
    ) -> int:
        """Release holds whose quarantine is over (all, or one scope's price range)."""
        sql = (
            "UPDATE amount_reservation SET active_amount = NULL, released_at = ? "
            "WHERE active_amount IS NOT NULL AND hold_until <= ?"
        )
        stamp = AmountReservation.hold_until.db_value(now)
        params: list[object] = [stamp, stamp]
        if scope is not None:
            sql += " AND scope = ? AND active_amount BETWEEN ? AND ?"
            params += [scope, low, high]
        return store.execute(sql, *params).rowcount

    def _held_amounts(self, now: dt.datetime, scope: int, price: int) -> set[int]:
        """The amounts held on ``scope`` within ``price``'s offset window, after releasing the stale holds there."""
        low, high = price + self.offsets.min_offset, price + self.offsets.max_offset
        stamp = AmountReservation.hold_until.db_value(now)
        if store.is_sqlite(store.database.obj):
            # One row however many amounts are held: SQLite's driver lets go of the interpreter's lock for
            # every row and column it hands back, and under load each is a thread switch inside the write
            # lock, which every create queues for (docs/decisions.md).
            listed, stale = store.execute(
                "SELECT group_concat(CASE WHEN hold_until > ? THEN active_amount END), "
                "COALESCE(SUM(hold_until <= ?), 0) FROM amount_reservation "
                "WHERE scope = ? AND active_amount BETWEEN ? AND ?",
                stamp,
                stamp,
                scope,
                low,
                high,
            ).fetchone()
            held = {int(amount) for amount in listed.split(",")} if listed else set()
        else:
            rows = store.execute(
                "SELECT active_amount, hold_until <= ? FROM amount_reservation "
                "WHERE scope = ? AND active_amount BETWEEN ? AND ?",
                stamp,
                scope,
                low,
                high,
            ).fetchall()
            stale = any(over for _, over in rows)
            held = {amount for amount, over in rows if not over}
        if stale:  # the UPDATE only when a hold is over: one statement less per create
            self._release_stale_reservations(now, scope, low, high)
        return held

    def _reserve(
        self,
        request: CreateRequest,
        token: ApiToken | None,
        scope: int,
        cards: list[Card],
        now: dt.datetime,
        expires_at: dt.datetime,
        hold_until: dt.datetime,
    ) -> Payment | None:
        """Insert the payment with the smallest free amount on ``scope``; None when none is free.

        The unique index on active reservations is the judge: when another
        request (or another box on the same PostgreSQL) took an amount between
        our read and our insert, the insert fails and the next amount is tried.
        This is the hottest write of the box, so it is hand-written SQL.
        """
        db = store.database.obj
        if not store.is_sqlite(db):
            # Boxes of a fleet queue per scope here instead of colliding on the index and retrying;
            # the lock is released with the transaction. (SQLite's BEGIN IMMEDIATE already queues.)
            store.execute("SELECT pg_advisory_xact_lock(?, ?)", _ALLOCATION_LOCK, scope)
        held = self._held_amounts(now, scope, request.price)
        values = dict(
            fid=request.fid,
            price=request.price,
            state=State.PENDING.value,
            phone=request.phone,
            payer_card=request.card,
            callback=request.callback,
            card=cards[0].id if scope != ALL_CARDS_SCOPE else None,
            token=token.id if token else None,
            created_at=now,
            expires_at=expires_at,
            payer_card_mismatch=False,
        )
        # On PostgreSQL a savepoint lets a lost race undo only this try. SQLite needs none:
        # BEGIN IMMEDIATE already holds the database's only write lock.
        savepoint = contextlib.nullcontext if store.is_sqlite(db) else db.atomic
        for amount in free_amounts(request.price, held, self.offsets):
            try:
                with savepoint():
                    payment_id = store.insert(Payment, {**values, "amount": amount})
                    store.insert(
                        AmountReservation,
                        dict(
                            payment=payment_id, scope=scope, amount=amount, active_amount=amount, hold_until=hold_until
                        ),
                    )
                    store.execute(
                        "INSERT INTO payment_card (payment_id, card_id) VALUES " + ", ".join(["(?, ?)"] * len(cards)),
                        *[v for c in cards for v in (payment_id, c.id)],
                    )
                    return Payment(id=payment_id, amount=amount, **values)
            except peewee.IntegrityError:
                self._refuse_used_fid(request.fid)  # the fid's unique index, else the amount's: the next one
                log.debug("amount %s on scope %s was taken concurrently; trying the next", amount, scope)
        return None

    def get_payment(self, pay_id: int) -> Payment:
        payment = store.first(Payment, "SELECT * FROM payment WHERE id = ?", pay_id)
        if payment is None:
            raise ApiError(Code.PAY_ID_UNKNOWN)
        return payment

    def payment_cards(self, payment: Payment) -> list[Card]:

        return list(Card.select().join(PaymentCard).where(PaymentCard.payment == payment.id).order_by(Card.id))

    def find_payment(self, pay_id: int) -> Payment | None:
        return Payment.get_or_none(Payment.id == pay_id)

    def payment_deposits(self, payment: Payment) -> list[Deposit]:
        """The deposits that settled (or were assigned to) this payment, oldest first."""
        return list(payment.deposits.order_by(Deposit.id))

    def latest_deposit(self, payment: Payment) -> Deposit | None:
        """The last deposit that settled this payment, if any."""
        return payment.deposits.order_by(Deposit.id.desc()).first()

    def _move(
        self,
        payment: Payment,
        target: State,
        actor: str,
        reason: str,
        now: dt.datetime,
        data: dict[str, Any] | None = None,
        **changes: Any,
    ) -> bool:
        """Conditional UPDATE from the state we read: exactly one caller wins a race."""
        source = State(payment.state)
        if not can_move(source, target):
            raise InvalidTransition(f"payment {payment.id} cannot go from {source.value} to {target.value}")
        assignments = ", ".join(f"{Payment._meta.fields[k].column_name} = ?" for k in ["state", *changes])
        values = [target.value, *(Payment._meta.fields[k].db_value(v) for k, v in changes.items())]
        updated = store.execute(
            f"UPDATE payment SET {assignments} WHERE id = ? AND state = ?", *values, payment.id, source.value
        ).rowcount
        if updated != 1:
            return False
        payment.state = target.value
        for key, value in changes.items():
            setattr(payment, key, value)
        self.record_event(
            "payment", payment.id, target.value, actor, reason, source.value, target.value, data=data, now=now
        )
        if target in (State.PAID, State.REFUNDED):
            AmountReservation.update(active_amount=None, released_at=now).where(
                (AmountReservation.payment == payment.id) & AmountReservation.active_amount.is_null(False)
            ).execute()
        return True

    def _expire_if_due(self, payment: Payment, now: dt.datetime, actor: str) -> None:
        if (
            effective_state(State(payment.state), payment.expires_at, now) is State.EXPIRED
            and payment.state == State.PENDING.value
        ):
            if not self._move(payment, self._expiry_target(payment), actor, encode(reason("deadline_passed")), now):
                payment.state = self.get_payment(payment.id).state

    def set_payer_card(self, pay_id: int, card: str) -> Payment:
        now = self.clock()
        with store.write():
            payment = self.get_payment(pay_id)
            self._expire_if_due(payment, now, "api")
            if payment.payer_card:
                raise ApiError(Code.CARD_ALREADY_SET)
            if State(payment.state) in FINAL_FOR_CARD:
                raise ApiError(Code.PAYMENT_FINAL)
            updated = (
                Payment.update(payer_card=card)
                .where((Payment.id == pay_id) & Payment.payer_card.is_null() & (Payment.state == State.PENDING.value))
                .execute()
            )
            if updated != 1:
                raise ApiError(Code.CARD_ALREADY_SET)
            payment.payer_card = card
            self.record_event(
                "payment", pay_id, "payer_card_set", "api", encode(reason("card_masked", card=mask_card(card))), now=now
            )
        return payment

    def check(self, pay_id: int) -> CheckResult:
        """What ``GET /api/check`` answers. The first check of a paid payment answers 201 exactly once."""
        now = self.clock()
        # One read answers most checks: the payment, and whether it has parts (a split payment).
        found = store.rows_with(
            Payment,
            1,
            "SELECT EXISTS (SELECT 1 FROM payment_part WHERE payment_id = ?), payment.* FROM payment WHERE id = ?",
            pay_id,
            pay_id,
        )
        if not found:
            raise ApiError(Code.PAY_ID_UNKNOWN)
        payment, (split,) = found[0]
        split = bool(split)
        state = State(payment.state)
        if state is not State.PAID and effective_state(state, payment.expires_at, now) is state:
            # Nothing to change: answer from a plain read, without taking the write lock.
            return CheckResult(check_code(state, payment.payer_card_mismatch, False), payment, split)
        with store.write():
            payment = self.get_payment(pay_id)
            self._expire_if_due(payment, now, "api")
            first = False
            if payment.state == State.PAID.value:
                first = self._move(payment, State.VERIFIED, "api", encode(reason("first_check")), now, verified_at=now)
                if not first:
                    payment = self.get_payment(pay_id)
            code = check_code(State(payment.state), payment.payer_card_mismatch, first)
        return CheckResult(code, payment, split)

    def list_payments(
        self, state: str | None = None, fid: int | None = None, amount: int | None = None, limit: int = 50
    ) -> list[Payment]:
        query = Payment.select().order_by(Payment.id.desc()).limit(limit)
        if state:
            query = query.where(Payment.state == state)
        if fid is not None:
            query = query.where(Payment.fid == fid)
        if amount is not None:
            query = query.where((Payment.amount == amount) | (Payment.price == amount))
        return list(query)

    def expire_due(self) -> int:
        """The scheduler's job: expire pending payments past their deadline, release old reservations."""
        now = self.clock()
        count = 0
        with store.write():
            for payment in Payment.select().where((Payment.state == State.PENDING.value) & (Payment.expires_at <= now)):
                count += self._move(
                    payment, self._expiry_target(payment), "scheduler", encode(reason("deadline_passed")), now
                )
            self._release_stale_reservations(now)
        return count
