"""The use cases: each runs in one transaction and appends its events.

Everything that decides (amounts, the state machine, matching) is a pure
function elsewhere; this module reads the facts, calls them, and writes the
result. ``now`` always comes from the injected clock.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import zoneinfo
from urllib.parse import urlsplit
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee

from appliance.store import database as store
from appliance.domain import matching
from appliance.domain.amounts import OffsetRange, free_amounts
from web.api.fields import CreateRequest
from appliance.domain.cards import (
    InvalidCardNumber, bank_for_card, mask_card, normalize_card_number, visible_digits_agree,
)
from appliance.sms import account_matches
from appliance.domain.codes import Code
from appliance.domain.errors import ApiError, InvalidInput, InvalidTransition, NotFound
from appliance.store.models import (
    AmountReservation, ApiToken, Card, Deposit, Event, Meta, Payment, PaymentCard,
)
from appliance.domain.payments import FINAL_FOR_CARD, State, can_move, check_code, effective_state
from appliance.domain.security import new_secret_key, new_token, payment_link_signature, token_hash
from appliance.settings import Settings

log = logging.getLogger(__name__)

UTC = dt.timezone.utc
TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")
ALL_CARDS_SCOPE = 0
TOKEN_SCOPES = ("payments", "sms", "admin")
_ALLOCATION_LOCK = 0x4332  # PostgreSQL advisory-lock namespace for amount allocation


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


class DepositState:
    MATCHED = "matched"        # settled a payment (on time)
    LATE = "late"              # settled a payment as paid_late: waits for the operator
    AMBIGUOUS = "ambiguous"    # several payments could be meant: held for review
    UNMATCHED = "unmatched"    # no payment: held for review with hints
    HELD = "held"              # untrusted (SMSC, balance): held for review
    FOREIGN = "foreign"        # to an account that is not one of the merchant's cards
    NOT_PAYABLE = "not_payable"  # interest, correction, reversal: money, but no customer's payment
    DISMISSED = "dismissed"    # the operator closed it with a note
    REFUNDED = "refunded"      # the operator gave the money back

    REVIEW = (UNMATCHED, AMBIGUOUS, LATE, HELD)
    ASSIGNABLE = (UNMATCHED, AMBIGUOUS, HELD)


@dataclass(frozen=True)
class Gates:
    """Conditions outside the store that stop new payments (DESIGN.md "The SMS path", "The clock")."""

    clock_trusted: Callable[[], bool] = lambda: True
    receiving_ok: Callable[[], bool] = lambda: True


@dataclass(frozen=True)
class CreatedPayment:
    payment: Payment
    cards: list[Card]
    link: str | None


@dataclass(frozen=True)
class CheckResult:
    code: Code
    payment: Payment


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


class PaymentService:
    def __init__(self, settings: Settings, clock: Callable[[], dt.datetime] = utcnow,
                 gates: Gates | None = None) -> None:
        self.settings = settings
        self.clock = clock
        self.gates = gates or Gates()
        p = settings.payments
        self.offsets = OffsetRange(p.min_offset, p.max_offset, p.offset_step)
        self.rules = matching.MatchRules(quarantine=dt.timedelta(hours=p.quarantine_hours))
        self._secret: str | None = settings.security.secret_key or None
        # Called inside the transaction of every payment state change (payment id, from, to, now):
        # what they write (a webhook delivery, say) commits or rolls back with the change itself.
        self.payment_listeners: list[Callable[[int, str | None, str, dt.datetime], None]] = []

    # ----- events -------------------------------------------------------
    def record_event(self, entity: str, entity_id: int, kind: str, actor: str, reason: str = "",
               from_state: str | None = None, to_state: str | None = None,
               data: dict[str, Any] | None = None, now: dt.datetime | None = None) -> None:
        store.insert(Event, dict(at=now or self.clock(), entity=entity, entity_id=entity_id, kind=kind,
                                 from_state=from_state, to_state=to_state, actor=actor, reason=reason, data=data))
        if entity == "payment" and to_state:
            log.info("payment %s: %s -> %s by %s (%s)", entity_id, from_state, to_state, actor, reason)
            for listener in self.payment_listeners:
                listener(entity_id, from_state, to_state, now or self.clock())

    def events_for(self, entity: str, entity_id: int) -> list[Event]:
        return list(Event.select().where((Event.entity == entity) & (Event.entity_id == entity_id))
                    .order_by(Event.at, Event.id))

    # ----- the box's secret ---------------------------------------------
    @property
    def secret(self) -> str:
        """The link-signing key: from the settings, else generated once and kept in the store."""
        if self._secret is None:
            with store.write():
                row = Meta.get_or_none(Meta.key == "secret_key")
                if row is None:
                    Meta.insert(key="secret_key", value=new_secret_key()).on_conflict_ignore().execute()
                    row = Meta.get(Meta.key == "secret_key")
            self._secret = row.value
        return self._secret

    def payment_link(self, payment_id: int, seen_as: str | None = None) -> str:
        """The signed payment page's address.

        ``server.public_url`` when set (what customers' phones reach); else the
        address the caller reached the box at (``seen_as``, e.g. the shop's
        request), else ``server.listen`` unless that is a wildcard address.
        """
        base = self.settings.server.public_url or seen_as
        if not base:
            host, _, port = self.settings.server.listen.rpartition(":")
            base = f"http://{'127.0.0.1' if host in ('0.0.0.0', '[::]', '::') else host}:{port}"
        return f"{base.rstrip('/')}/pay/{payment_id}/{payment_link_signature(self.secret, payment_id)}"

    # ----- tokens -------------------------------------------------------
    def add_token(self, name: str, scopes: Sequence[str] = ("payments",),
                  webhook_url: str | None = None, actor: str = "operator") -> tuple[ApiToken, str]:
        name = name.strip()
        if not name:
            raise InvalidInput("a token needs a name")
        unknown = [s for s in scopes if s not in TOKEN_SCOPES]
        if unknown or not scopes:
            raise InvalidInput(f"unknown scope(s) {unknown}; choose from {', '.join(TOKEN_SCOPES)}")
        if webhook_url:
            parts = urlsplit(webhook_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or len(webhook_url) > 500:
                raise InvalidInput(f"the webhook URL must be http(s)://…, not {webhook_url!r}")
        token = new_token()
        now = self.clock()
        with store.write():
            if ApiToken.get_or_none(ApiToken.name == name):
                raise InvalidInput(f"a token named {name!r} exists already")
            row = ApiToken.create(name=name, token_hash=token_hash(token), prefix=token[:8],
                                  scopes=",".join(scopes), webhook_url=webhook_url, created_at=now)
            self.record_event("token", row.id, "token_added", actor, f"scopes {','.join(scopes)}", now=now)
        return row, token

    def authenticate(self, token: str | None, scope: str = "payments") -> ApiToken | None:
        """The active token with this value, or None. ``scope`` is checked by :meth:`has_scope`."""
        if not token:
            return None
        return store.first(ApiToken, "SELECT * FROM api_token WHERE token_hash = ? AND revoked_at IS NULL",
                           token_hash(token.strip()))

    @staticmethod
    def has_scope(token: ApiToken, scope: str) -> bool:
        scopes = token.scopes.split(",")
        return scope in scopes or "admin" in scopes

    def list_tokens(self) -> list[ApiToken]:
        return list(ApiToken.select().order_by(ApiToken.id))

    def revoke_token(self, name: str, actor: str = "operator") -> ApiToken:
        now = self.clock()
        with store.write():
            row = ApiToken.get_or_none(ApiToken.name == name)
            if row is None:
                raise NotFound(f"no token named {name!r}")
            if row.revoked_at is None:
                row.revoked_at = now
                row.save()
                self.record_event("token", row.id, "token_revoked", actor, now=now)
        return row

    # ----- cards --------------------------------------------------------
    def add_card(self, number: str, holder: str, bank: str | None = None, account: str | None = None,
                 daily_limit_rial: int | None = None, daily_limit_count: int | None = None,
                 actor: str = "operator") -> Card:
        try:
            number = normalize_card_number(number)
        except InvalidCardNumber as exc:
            raise InvalidInput(f"card number: {exc}") from None
        holder = holder.strip()
        if not holder:
            raise InvalidInput("the card holder's name is required (customers see it)")
        if daily_limit_rial is not None and daily_limit_rial <= 0:
            raise InvalidInput("--daily-limit must be a positive number of Rial")
        if daily_limit_count is not None and daily_limit_count <= 0:
            raise InvalidInput("--daily-count must be a positive number")
        known = bank_for_card(number)
        bank_name = bank or (known.name_fa if known else "")
        if not bank_name:
            raise InvalidInput("the bank is not known from this card's first six digits: give --bank")
        now = self.clock()
        with store.write():
            if Card.get_or_none(Card.number == number):
                raise InvalidInput(f"card {mask_card(number)} exists already")
            card = Card.create(number=number, holder=holder, bank=bank_name, account=account or None,
                               daily_limit_rial=daily_limit_rial, daily_limit_count=daily_limit_count,
                               active=True, created_at=now)
            self.record_event("card", card.id, "card_added", actor, mask_card(number), now=now)
        return card

    def find_card(self, ref: str) -> Card:
        """A card by id, full number, or its last four digits when that is unique."""
        digits = "".join(ch for ch in ref if ch.isdigit())
        query = Card.select()
        if ref.isdigit() and len(ref) < 8:
            matches = list(query.where((Card.id == int(ref)) | Card.number.endswith(ref)))
        else:
            matches = list(query.where(Card.number == digits))
        if len(matches) != 1:
            raise NotFound(f"no single card matches {ref!r} (give its id or full number)")
        return matches[0]

    def set_card_active(self, ref: str, active: bool, actor: str = "operator") -> Card:
        now = self.clock()
        with store.write():
            card = self.find_card(ref)
            if card.active != active:
                card.active = active
                card.save()
                self.record_event("card", card.id, "card_enabled" if active else "card_disabled", actor, now=now)
        return card

    def list_cards(self, active_only: bool = False) -> list[Card]:
        if active_only:
            return store.rows(Card, "SELECT * FROM card WHERE active = ? ORDER BY id", True)
        return store.rows(Card, "SELECT * FROM card ORDER BY id")

    def card_usage_today(self, now: dt.datetime | None = None) -> dict[int, tuple[int, int]]:
        """Per card: (sum, count) of today's deposits (the Tehran day), for the daily ceilings."""
        start = self._day_start(now or self.clock())
        cursor = store.execute(
            "SELECT card_id, SUM(amount), COUNT(*) FROM deposit WHERE card_id IS NOT NULL AND transfer_at >= ? "
            "AND state NOT IN (?, ?) GROUP BY card_id", start, DepositState.FOREIGN, DepositState.DISMISSED)
        return {card_id: (int(total or 0), int(count)) for card_id, total, count in cursor.fetchall()}

    @staticmethod
    def _day_start(now: dt.datetime) -> object:
        local = now.astimezone(TEHRAN).replace(hour=0, minute=0, second=0, microsecond=0)
        return Deposit.transfer_at.db_value(local)

    def offered_cards(self, price: int, now: dt.datetime) -> list[Card]:
        """Active cards still under their daily ceilings for a payment of ``price``."""
        usage = self.card_usage_today(now)
        offered = []
        for card in store.rows(Card, "SELECT * FROM card WHERE active = ? ORDER BY id", True):
            total, count = usage.get(card.id, (0, 0))
            if card.daily_limit_rial is not None and total + price > card.daily_limit_rial:
                continue
            if card.daily_limit_count is not None and count >= card.daily_limit_count:
                continue
            offered.append(card)
        return offered

    # ----- payments -----------------------------------------------------
    def create_payment(self, request: CreateRequest, token: ApiToken | None = None,
                       seen_as: str | None = None) -> CreatedPayment:
        if not self.gates.clock_trusted():
            raise ApiError(Code.CLOCK_UNTRUSTED)
        if not self.gates.receiving_ok():
            raise ApiError(Code.RECEIVING_DOWN)
        now = self.clock()
        minutes = request.expire_minutes or self.settings.payments.expire_minutes
        expires_at = now + dt.timedelta(minutes=minutes)
        hold_until = expires_at + self.rules.quarantine
        def create() -> tuple[Payment, list[Card]]:
            if store.execute("SELECT 1 FROM payment WHERE fid = ?", request.fid).fetchone():
                raise ApiError(Code.FID_DUPLICATE)
            cards = self.offered_cards(request.price, now)
            if not cards:
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
                raise ApiError(Code.NO_FREE_AMOUNT, f"all {self.offsets.capacity} amounts for this price are held")
            self.record_event("payment", payment.id, "created", f"api:{token.name}" if token else "operator",
                        f"amount {payment.amount} for price {payment.price}", None, State.PENDING.value,
                        data={"fid": payment.fid, "amount": payment.amount, "cards": [c.id for c in offered]},
                        now=now)
            return payment, offered

        # The busiest write of the box: concurrent creates share one durable commit.
        payment, offered = store.batched_write(create)
        link = self.payment_link(payment.id, seen_as) if request.callback else None
        return CreatedPayment(payment, offered, link)

    @staticmethod
    def _by_load(cards: list[Card]) -> list[Card]:
        """Pinned mode: the card with the fewest pending payments first, to spread the load."""
        pending = dict(Payment.select(Payment.card, peewee.fn.COUNT(Payment.id))
                       .where(Payment.state == State.PENDING.value).group_by(Payment.card).tuples())
        return sorted(cards, key=lambda c: (pending.get(c.id, 0), c.id))

    def _release_stale_reservations(self, now: dt.datetime, scope: int | None = None,
                                    low: int | None = None, high: int | None = None) -> int:
        """Release holds whose quarantine is over (all, or one scope's price range)."""
        sql = "UPDATE amount_reservation SET active_amount = NULL, released_at = ? " \
              "WHERE active_amount IS NOT NULL AND hold_until <= ?"
        stamp = AmountReservation.hold_until.db_value(now)
        params: list[object] = [stamp, stamp]
        if scope is not None:
            sql += " AND scope = ? AND active_amount BETWEEN ? AND ?"
            params += [scope, low, high]
        return store.execute(sql, *params).rowcount

    def _reserve(self, request: CreateRequest, token: ApiToken | None, scope: int, cards: list[Card],
                 now: dt.datetime, expires_at: dt.datetime, hold_until: dt.datetime) -> Payment | None:
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
        low, high = request.price + self.offsets.min_offset, request.price + self.offsets.max_offset
        self._release_stale_reservations(now, scope, low, high)
        held = {a for (a,) in store.execute(
            "SELECT active_amount FROM amount_reservation WHERE scope = ? AND active_amount BETWEEN ? AND ?",
            scope, low, high).fetchall()}
        values = dict(fid=request.fid, price=request.price, state=State.PENDING.value, phone=request.phone,
                      payer_card=request.card, callback=request.callback,
                      card=cards[0].id if scope != ALL_CARDS_SCOPE else None, token=token.id if token else None,
                      created_at=now, expires_at=expires_at, payer_card_mismatch=False)
        # On PostgreSQL a savepoint lets a lost race undo only this try. SQLite needs none:
        # BEGIN IMMEDIATE already holds the database's only write lock.
        savepoint = contextlib.nullcontext if store.is_sqlite(db) else db.atomic
        for amount in free_amounts(request.price, held, self.offsets):
            try:
                with savepoint():
                    payment_id = store.insert(Payment, {**values, "amount": amount})
                    store.insert(AmountReservation, dict(payment=payment_id, scope=scope, amount=amount,
                                                         active_amount=amount, hold_until=hold_until))
                    store.execute("INSERT INTO payment_card (payment_id, card_id) VALUES "
                                  + ", ".join(["(?, ?)"] * len(cards)),
                                  *[v for c in cards for v in (payment_id, c.id)])
                    return Payment(id=payment_id, amount=amount, **values)
            except peewee.IntegrityError as exc:
                if store.execute("SELECT 1 FROM payment WHERE fid = ?", request.fid).fetchone():
                    raise ApiError(Code.FID_DUPLICATE) from exc
                log.debug("amount %s on scope %s was taken concurrently; trying the next", amount, scope)
        return None

    def get_payment(self, pay_id: int) -> Payment:
        payment = store.first(Payment, "SELECT * FROM payment WHERE id = ?", pay_id)
        if payment is None:
            raise ApiError(Code.PAY_ID_UNKNOWN)
        return payment

    def payment_cards(self, payment: Payment) -> list[Card]:
        return list(Card.select().join(PaymentCard).where(PaymentCard.payment == payment.id).order_by(Card.id))

    def _move(self, payment: Payment, target: State, actor: str, reason: str, now: dt.datetime,
              data: dict[str, Any] | None = None, **changes: Any) -> bool:
        """Conditional UPDATE from the state we read: exactly one caller wins a race."""
        source = State(payment.state)
        if not can_move(source, target):
            raise InvalidTransition(f"payment {payment.id} cannot go from {source.value} to {target.value}")
        assignments = ", ".join(f"{Payment._meta.fields[k].column_name} = ?" for k in ["state", *changes])
        values = [target.value, *(Payment._meta.fields[k].db_value(v) for k, v in changes.items())]
        updated = store.execute(f"UPDATE payment SET {assignments} WHERE id = ? AND state = ?",
                                *values, payment.id, source.value).rowcount
        if updated != 1:
            return False
        payment.state = target.value
        for key, value in changes.items():
            setattr(payment, key, value)
        self.record_event("payment", payment.id, target.value, actor, reason, source.value, target.value,
                    data=data, now=now)
        if target in (State.PAID, State.REFUNDED):
            AmountReservation.update(active_amount=None, released_at=now).where(
                (AmountReservation.payment == payment.id) & AmountReservation.active_amount.is_null(False)
            ).execute()
        return True

    def _expire_if_due(self, payment: Payment, now: dt.datetime, actor: str) -> None:
        if effective_state(State(payment.state), payment.expires_at, now) is State.EXPIRED \
                and payment.state == State.PENDING.value:
            if not self._move(payment, State.EXPIRED, actor, "the deadline passed", now):
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
            updated = (Payment.update(payer_card=card)
                       .where((Payment.id == pay_id) & Payment.payer_card.is_null()
                              & (Payment.state == State.PENDING.value)).execute())
            if updated != 1:
                raise ApiError(Code.CARD_ALREADY_SET)
            payment.payer_card = card
            self.record_event("payment", pay_id, "payer_card_set", "api", mask_card(card), now=now)
        return payment

    def check(self, pay_id: int) -> CheckResult:
        """What ``GET /api/check`` answers. The first check of a paid payment answers 201 exactly once."""
        now = self.clock()
        payment = self.get_payment(pay_id)
        state = State(payment.state)
        if state is not State.PAID and effective_state(state, payment.expires_at, now) is state:
            # Nothing to change: answer from a plain read, without taking the write lock.
            return CheckResult(check_code(state, payment.payer_card_mismatch, False), payment)
        with store.write():
            payment = self.get_payment(pay_id)
            self._expire_if_due(payment, now, "api")
            first = False
            if payment.state == State.PAID.value:
                first = self._move(payment, State.VERIFIED, "api", "first check after payment", now,
                                   verified_at=now)
                if not first:
                    payment = self.get_payment(pay_id)
            code = check_code(State(payment.state), payment.payer_card_mismatch, first)
        return CheckResult(code, payment)

    def list_payments(self, state: str | None = None, fid: int | None = None, amount: int | None = None,
                      limit: int = 50) -> list[Payment]:
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
            for payment in Payment.select().where((Payment.state == State.PENDING.value)
                                                  & (Payment.expires_at <= now)):
                count += self._move(payment, State.EXPIRED, "scheduler", "the deadline passed", now)
            self._release_stale_reservations(now)
        return count

    # ----- deposits -----------------------------------------------------
    def cards_for_account(self, account: str | None) -> list[Card]:
        """The merchant cards an account (as an SMS or operator prints it) designates."""
        if not account:
            return []
        return [c for c in self.list_cards() if account_matches(account, c.number, c.account)]

    def record_deposit(self, new: NewDeposit) -> DepositOutcome:
        """Store a deposit and settle the payment it matches, in one transaction. Idempotent on ``dedupe_key``."""
        now = self.clock()
        received_at = new.received_at or now
        transfer_at = new.bank_time or new.smsc_time or received_at
        with store.write():
            if new.dedupe_key:
                existing = Deposit.get_or_none(Deposit.dedupe_key == new.dedupe_key)
                if existing is not None:
                    return DepositOutcome(existing, existing.payment, duplicate=True)
            cards = self.cards_for_account(new.account)
            values = dict(
                source=new.source, state=DepositState.UNMATCHED, amount=new.amount, bank=new.bank,
                account=new.account, card=cards[0].id if len(cards) == 1 else None,
                payer_card=new.payer_card, balance=new.balance, bank_time=new.bank_time,
                smsc_time=new.smsc_time, received_at=received_at, transfer_at=transfer_at,
                dedupe_key=new.dedupe_key, created_by=new.created_by, note=new.note, reason="")
            deposit = Deposit(id=store.insert(Deposit, values), **values)
            payment = self._settle(deposit, new, cards, now)
        return DepositOutcome(deposit, payment)

    def _settle(self, deposit: Deposit, new: NewDeposit, cards: list[Card], now: dt.datetime) -> Payment | None:
        actor = f"matcher ({new.created_by})"
        if new.account and not cards:
            return self._close_deposit(deposit, DepositState.FOREIGN,
                                       f"account {new.account} is not one of the merchant's cards", actor, now)
        if not new.settles:
            return self._close_deposit(deposit, DepositState.NOT_PAYABLE,
                                       "interest, correction or reversal: no customer's payment", actor, now)
        if new.hold_reason:
            return self._close_deposit(deposit, DepositState.HELD, new.hold_reason, actor, now)
        facts = matching.DepositFacts(
            amount=deposit.amount, transfer_at=deposit.transfer_at,
            card_ids=frozenset(c.id for c in cards) if cards else None, payer_card=new.payer_card)
        outcome = matching.match(facts, self._candidates(deposit.amount, exact=True), self.rules,
                                 near=self._candidates(deposit.amount, exact=False))
        if isinstance(outcome, matching.Ambiguous):
            deposit.hints = list(outcome.payment_ids)
            return self._close_deposit(deposit, DepositState.AMBIGUOUS, outcome.reason, actor, now)
        if isinstance(outcome, matching.Unmatched):
            deposit.hints = list(outcome.hints)
            return self._close_deposit(deposit, DepositState.UNMATCHED, outcome.reason, actor, now)
        payment = self.get_payment(outcome.payment_id)
        return self._apply_match(deposit, payment, outcome.late, outcome.payer_card_mismatch,
                                 outcome.reason, actor, now)

    def _apply_match(self, deposit: Deposit, payment: Payment, late: bool, mismatch: bool, reason: str,
                     actor: str, now: dt.datetime) -> Payment:
        if payment.state == State.PENDING.value and late:
            self._move(payment, State.EXPIRED, actor, "the deadline passed before the transfer", now)
        target = State.PAID_LATE if late else State.PAID
        data = {"deposit": deposit.id, "amount": deposit.amount}
        if not self._move(payment, target, actor, reason, now, data=data, paid_at=now,
                          payer_card_mismatch=mismatch):
            raise InvalidTransition(f"payment {payment.id} changed while settling deposit {deposit.id}")
        deposit.payment = payment.id
        if deposit.card_id is None:
            offered = self.payment_cards(payment)
            if len(offered) == 1:
                deposit.card = offered[0].id
        self._close_deposit(deposit, DepositState.LATE if late else DepositState.MATCHED, reason, actor, now)
        return payment

    def _close_deposit(self, deposit: Deposit, state: str, reason: str, actor: str, now: dt.datetime) -> None:
        previous = deposit.state if deposit.id and deposit.state != state else None
        deposit.state = state
        deposit.reason = reason
        if deposit.id is None:
            deposit.save()
        else:
            store.execute("UPDATE deposit SET state = ?, reason = ?, payment_id = ?, card_id = ?, hints = ?, "
                          "note = ? WHERE id = ?", state, reason, deposit.payment_id, deposit.card_id,
                          Deposit.hints.db_value(deposit.hints), deposit.note, deposit.id)
        self.record_event("deposit", deposit.id, state, actor, reason, previous, state,
                    data={"amount": deposit.amount, "payment": deposit.payment_id}, now=now)
        return None

    def _candidates(self, amount: int, exact: bool) -> list[matching.Candidate]:
        # Runs for every deposit: hand-written SQL (see appliance/store/database.py).
        if exact:
            payments = store.rows(Payment, "SELECT * FROM payment WHERE amount = ? AND state IN (?, ?, ?, ?) "
                                  "ORDER BY id DESC LIMIT 50", amount, State.PENDING.value, State.EXPIRED.value,
                                  State.PAID.value, State.VERIFIED.value)
        else:
            span = self.offsets.max_offset
            payments = store.rows(Payment, "SELECT * FROM payment WHERE amount BETWEEN ? AND ? AND amount <> ? "
                                  "AND state IN (?, ?) ORDER BY id DESC LIMIT 50", amount - span, amount + span,
                                  amount, State.PENDING.value, State.EXPIRED.value)
        offered: dict[int, set[int]] = {}
        if payments:
            ids = [p.id for p in payments]
            for pid, cid in store.execute("SELECT payment_id, card_id FROM payment_card WHERE payment_id IN ("
                                          + ", ".join("?" * len(ids)) + ")", *ids).fetchall():
                offered.setdefault(pid, set()).add(cid)
        return [matching.Candidate(p.id, p.amount, State(p.state), p.created_at, p.expires_at,
                                   frozenset(offered.get(p.id, ())), p.payer_card) for p in payments]

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

    # ----- the operator's review ------------------------------------------
    def assign_deposit(self, deposit_id: int, pay_id: int, actor: str, note: str = "") -> Payment:
        """The operator settles a held or unmatched deposit against a payment they chose."""
        now = self.clock()
        with store.write():
            deposit = self.get_deposit(deposit_id)
            if deposit.state not in DepositState.ASSIGNABLE:
                raise InvalidTransition(f"deposit {deposit_id} is {deposit.state}: only unmatched, ambiguous "
                                        "or held deposits can be assigned")
            payment = Payment.get_or_none(Payment.id == pay_id)
            if payment is None:
                raise NotFound(f"no payment {pay_id}")
            self._expire_if_due(payment, now, actor)
            if payment.state not in (State.PENDING.value, State.EXPIRED.value):
                raise InvalidTransition(f"payment {pay_id} is {payment.state}: it cannot take a deposit")
            mismatch = bool(payment.payer_card and deposit.payer_card and not
                            visible_digits_agree(deposit.payer_card, payment.payer_card))
            deposit.note = note or deposit.note
            reason = f"assigned by the operator{': ' + note if note else ''}"
            return self._apply_match(deposit, payment, False, mismatch, reason, actor, now)

    def accept_late(self, pay_id: int, actor: str, note: str = "") -> Payment:
        now = self.clock()
        with store.write():
            payment = Payment.get_or_none(Payment.id == pay_id)
            if payment is None:
                raise NotFound(f"no payment {pay_id}")
            if not self._move(payment, State.PAID, actor, f"late payment accepted{': ' + note if note else ''}",
                              now):
                raise InvalidTransition(f"payment {pay_id} changed meanwhile")
            for deposit in Deposit.select().where((Deposit.payment == pay_id)
                                                  & (Deposit.state == DepositState.LATE)):
                self._close_deposit(deposit, DepositState.MATCHED, "late payment accepted", actor, now)
        return payment

    def refund(self, *, pay_id: int | None = None, deposit_id: int | None = None, actor: str,
               note: str = "") -> Deposit:
        """Mark money as given back: a late payment's deposit, or any deposit held for review."""
        now = self.clock()
        with store.write():
            if pay_id is not None:
                payment = Payment.get_or_none(Payment.id == pay_id)
                if payment is None:
                    raise NotFound(f"no payment {pay_id}")
                deposit = Deposit.get_or_none((Deposit.payment == pay_id) & (Deposit.state == DepositState.LATE))
                if deposit is None:
                    raise InvalidTransition(f"payment {pay_id} has no late deposit to refund")
                if not self._move(payment, State.REFUNDED, actor, f"refunded{': ' + note if note else ''}", now):
                    raise InvalidTransition(f"payment {pay_id} changed meanwhile")
            else:
                deposit = self.get_deposit(deposit_id or 0)
                if deposit.state not in DepositState.REVIEW:
                    raise InvalidTransition(f"deposit {deposit.id} is {deposit.state}: nothing to refund")
                if deposit.state == DepositState.LATE and deposit.payment_id:
                    self._move(self.get_payment(deposit.payment_id), State.REFUNDED, actor, "refunded", now)
            deposit.note = note or deposit.note
            self._close_deposit(deposit, DepositState.REFUNDED, f"refunded{': ' + note if note else ''}", actor, now)
        return deposit

    def dismiss_deposit(self, deposit_id: int, actor: str, note: str) -> Deposit:
        if not note.strip():
            raise InvalidInput("dismissing a deposit needs a note saying why")
        now = self.clock()
        with store.write():
            deposit = self.get_deposit(deposit_id)
            if deposit.state not in DepositState.ASSIGNABLE:
                raise InvalidTransition(f"deposit {deposit_id} is {deposit.state}: only unmatched, ambiguous "
                                        "or held deposits can be dismissed")
            deposit.note = note
            self._close_deposit(deposit, DepositState.DISMISSED, f"dismissed: {note}", actor, now)
        return deposit
