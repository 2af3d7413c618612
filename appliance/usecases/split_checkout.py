"""Split payments: a price above ``payments.max_transfer_rial`` becomes one payment of several parts.

Each part is one transfer: its own unique amount, reserved in ``amount_reservation``
under the same unique index as every other amount (so parts and single payments
never share an active amount on a scope, across a fleet too), and its own card,
chosen so that no card is asked for more today than its daily ceiling. The
payment's ``amount`` is the total to transfer. See docs/split-payments.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import peewee

from appliance.domain.amounts import free_amounts
from appliance.domain.codes import Code
from appliance.domain.errors import ApiError
from appliance.domain.parts import assign_cards, part_prices
from appliance.domain.payments import State
from appliance.domain.reasons import encode, reason
from appliance.store import database as store
from appliance.store.models import AmountReservation, ApiToken, Card, Payment, PaymentPart
from appliance.usecases.checkout import _ALLOCATION_LOCK, ALL_CARDS_SCOPE, CheckoutCases, CreatedPayment, CreateRequest

log = logging.getLogger(__name__)

# States in which a payment's unpaid parts still count against their cards' ceilings.
_OPEN = (State.PENDING.value, State.PARTIALLY_PAID.value, State.EXPIRED.value)


@dataclass(frozen=True)
class CardRoom:
    """What one card can still take today: Rial under its ceiling once today's deposits and the open
    amounts offered on it alone are counted (None: no ceiling), and whether its count ceiling is reached."""

    card: Card
    received_today: int
    count_today: int
    committed: int

    @property
    def rial_left(self) -> int | None:
        if self.card.daily_limit_rial is None:
            return None
        return max(0, self.card.daily_limit_rial - self.received_today - self.committed)

    @property
    def count_full(self) -> bool:
        return self.card.daily_limit_count is not None and self.count_today >= self.card.daily_limit_count


class SplitCheckoutCases(CheckoutCases):
    def splits(self, price: int) -> bool:
        """Whether a ``create`` of ``price`` becomes several parts (never at or below the largest transfer)."""
        return len(part_prices(price, self.settings.payments.max_transfer_rial, self.offsets.max_offset)) > 1

    def create_payment(
        self, request: CreateRequest, token: ApiToken | None = None, seen_as: str | None = None
    ) -> CreatedPayment:
        if not self.splits(request.price):
            return super().create_payment(request, token, seen_as)
        self._refuse_when_closed()
        now = self.clock()
        minutes = request.expire_minutes or self.settings.payments.expire_minutes
        expires_at = now + dt.timedelta(minutes=minutes)
        hold_until = expires_at + self.rules.quarantine
        payment, cards = store.batched_write(lambda: self._create_split(request, token, now, expires_at, hold_until))
        link = self.payment_link(payment.id, seen_as) if request.callback else None
        return CreatedPayment(payment, cards, link)

    # ----- capacity -----------------------------------------------------
    def card_room(self, now: dt.datetime | None = None) -> list[CardRoom]:
        """Per active card: today's deposits, and the open amounts that only it was offered for."""
        now = now or self.clock()
        usage = self.card_usage_today(now)
        committed: dict[int, int] = {}
        for card_id, total in store.execute(
            "SELECT pp.card_id, SUM(pp.amount) FROM payment_part pp JOIN payment p ON p.id = pp.payment_id "
            "WHERE pp.paid_at IS NULL AND p.state IN (?, ?) GROUP BY pp.card_id",
            State.PENDING.value,
            State.PARTIALLY_PAID.value,
        ).fetchall():
            committed[card_id] = committed.get(card_id, 0) + int(total or 0)
        for card_id, total in store.execute(
            "SELECT card_id, SUM(amount) FROM payment WHERE card_id IS NOT NULL AND state = ? GROUP BY card_id",
            State.PENDING.value,
        ).fetchall():
            committed[card_id] = committed.get(card_id, 0) + int(total or 0)
        return [
            CardRoom(card, *usage.get(card.id, (0, 0)), committed.get(card.id, 0))
            for card in store.rows(Card, "SELECT * FROM card WHERE active = ? ORDER BY id", True)
        ]

    # ----- allocation ---------------------------------------------------
    def _create_split(
        self,
        request: CreateRequest,
        token: ApiToken | None,
        now: dt.datetime,
        expires_at: dt.datetime,
        hold_until: dt.datetime,
    ) -> tuple[Payment, list[Card]]:
        self._refuse_used_fid(request.fid)  # before any other refusal, as a payment of one transfer
        prices = part_prices(request.price, self.settings.payments.max_transfer_rial, self.offsets.max_offset)
        rooms = [r for r in self.card_room(now) if not r.count_full]
        if not rooms:
            raise ApiError(Code.NO_CARD_AVAILABLE)
        by_id = {r.card.id: r.card for r in rooms}
        plan = assign_cards(prices, {r.card.id: r.rial_left for r in rooms}, self.offsets.max_offset)
        if plan is None:
            raise ApiError(
                Code.NO_CARD_AVAILABLE,
                f"{len(prices)} parts of up to {max(prices)} Rial do not fit under today's card ceilings",
            )
        pin = self.settings.payments.pin_card
        scopes = [card_id if pin else ALL_CARDS_SCOPE for card_id in plan]
        db = store.database.obj
        if not store.is_sqlite(db):
            for scope in sorted(set(scopes)):  # always in one order, so two split creates never deadlock
                store.execute("SELECT pg_advisory_xact_lock(?, ?)", _ALLOCATION_LOCK, scope)
        values: dict[str, Any] = dict(
            fid=request.fid,
            price=request.price,
            amount=request.price,  # the total, once every part has its amount
            state=State.PENDING.value,
            phone=request.phone,
            payer_card=request.card,
            callback=request.callback,
            card=None,
            token=token.id if token else None,
            created_at=now,
            expires_at=expires_at,
            payer_card_mismatch=False,
        )
        try:
            payment_id = store.insert(Payment, values)
        except peewee.IntegrityError as exc:
            raise ApiError(Code.FID_DUPLICATE) from exc
        amounts = []
        for seq, (price, card_id, scope) in enumerate(zip(prices, plan, scopes, strict=True), start=1):
            amount = self._reserve_part_amount(payment_id, price, scope, now, hold_until)
            amounts.append(amount)
            store.insert(
                PaymentPart,
                dict(payment=payment_id, seq=seq, price=price, amount=amount, card=card_id, scope=scope, late=False),
            )
        total = sum(amounts)
        store.execute("UPDATE payment SET amount = ? WHERE id = ?", total, payment_id)
        offered = [by_id[c] for c in dict.fromkeys(plan)]
        store.execute(
            "INSERT INTO payment_card (payment_id, card_id) VALUES " + ", ".join(["(?, ?)"] * len(offered)),
            *[v for c in offered for v in (payment_id, c.id)],
        )
        values["amount"] = total
        self.record_event(
            "payment",
            payment_id,
            "created",
            f"api:{token.name}" if token else "operator",
            encode(reason("created_split", amount=total, price=request.price, parts=len(prices))),
            None,
            State.PENDING.value,
            data={"fid": request.fid, "amount": total, "parts": amounts, "cards": plan},
            now=now,
        )
        return Payment(id=payment_id, **values), offered

    def _reserve_part_amount(
        self, payment_id: int, price: int, scope: int, now: dt.datetime, hold_until: dt.datetime
    ) -> int:
        """The smallest free amount for one part on ``scope``, held for ``payment_id``; the unique index judges."""
        held = self._held_amounts(now, scope, price)
        db = store.database.obj
        savepoint = contextlib.nullcontext if store.is_sqlite(db) else db.atomic
        for amount in free_amounts(price, held, self.offsets):
            try:
                with savepoint():
                    store.insert(
                        AmountReservation,
                        dict(
                            payment=payment_id, scope=scope, amount=amount, active_amount=amount, hold_until=hold_until
                        ),
                    )
                    return amount
            except peewee.IntegrityError:
                log.debug("part amount %s on scope %s was taken concurrently; trying the next", amount, scope)
        raise ApiError(Code.NO_FREE_AMOUNT, f"all {self.offsets.capacity} amounts for a part of {price} Rial are held")

    # ----- reading ------------------------------------------------------
    def payment_parts(self, payment: Payment | int) -> list[PaymentPart]:
        """The parts of a split payment in the order the customer pays them; [] for one transfer."""
        pid = payment if isinstance(payment, int) else payment.id
        return store.rows(PaymentPart, "SELECT * FROM payment_part WHERE payment_id = ? ORDER BY seq", pid)

    def _expiry_target(self, payment: Payment) -> State:
        """A split payment whose time ends with some parts paid is partially paid, not expired."""
        if store.execute(
            "SELECT 1 FROM payment_part WHERE payment_id = ? AND paid_at IS NOT NULL", payment.id
        ).fetchone():
            return State.PARTIALLY_PAID
        return State.EXPIRED


class CapacityCases(SplitCheckoutCases):
    """What each card can still take: free unique amounts now, today's money against its ceiling."""

    def offered_cards(self, price: int, now: dt.datetime) -> list[Card]:
        """Active cards under their ceilings, counting also what is open on them alone (unpaid parts, pinned
        pending payments), so a ``create`` is refused (code 9) before it would over-fill a card."""
        cards = super().offered_cards(price, now)
        if not any(c.daily_limit_rial is not None for c in cards):
            return cards  # no ceiling in Rial: nothing more to count
        room = {r.card.id: r.rial_left for r in self.card_room(now)}
        return [c for c in cards if room.get(c.id) is None or (room[c.id] or 0) >= price]

    def capacity(self, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """Per active card (docs/split-payments.md "Capacity"): ``free_amounts`` is how many more payments of
        the busiest price its scope can hold now (the offsets minus the amounts held for that price; all
        cards share scope 0 unless ``payments.pin_card``); ``received_today`` and ``open_rial`` against
        ``daily_limit_rial`` (None: no ceiling) and ``rial_left``."""
        now = now or self.clock()
        held: dict[tuple[int, int], int] = {}
        for scope, price in store.execute(
            "SELECT r.scope, COALESCE(pp.price, p.price) FROM amount_reservation r "
            "JOIN payment p ON p.id = r.payment_id "
            "LEFT JOIN payment_part pp ON pp.payment_id = r.payment_id AND pp.amount = r.amount AND pp.scope = r.scope "
            "WHERE r.active_amount IS NOT NULL"
        ).fetchall():
            held[(scope, price)] = held.get((scope, price), 0) + 1
        busiest: dict[int, int] = {}
        for (scope, _price), count in held.items():
            busiest[scope] = max(busiest.get(scope, 0), count)
        pin = self.settings.payments.pin_card
        out = []
        for room in self.card_room(now):
            scope = room.card.id if pin else ALL_CARDS_SCOPE
            out.append(
                {
                    "card": room.card.id,
                    "bank": room.card.bank,
                    "number_last4": room.card.number[-4:],
                    "scope": scope,
                    "free_amounts": max(0, self.offsets.capacity - busiest.get(scope, 0)),
                    "amounts_per_price": self.offsets.capacity,
                    "received_today": room.received_today,
                    "deposits_today": room.count_today,
                    "open_rial": room.committed,
                    "daily_limit_rial": room.card.daily_limit_rial,
                    "daily_limit_count": room.card.daily_limit_count,
                    "rial_left": room.rial_left,
                }
            )
        return out
