"""The store's tables (Peewee models). The schema is created and changed by :mod:`appliance.migrations`.

Times are stored as naive UTC and read back as aware UTC (:class:`UtcDateTimeField`).
Money columns are ``BigIntegerField`` of Rial.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import peewee

from appliance.db import database

UTC = dt.timezone.utc


class UtcDateTimeField(peewee.DateTimeField):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC (portable across SQLite and PostgreSQL)."""

    def db_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class JsonField(peewee.TextField):
    def db_value(self, value: Any) -> Any:
        return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    def python_value(self, value: Any) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


class Meta(BaseModel):
    """Key/value facts about the store: schema version, the generated secret."""

    key = peewee.CharField(primary_key=True, max_length=64)
    value = peewee.TextField()


class Card(BaseModel):
    """A destination card of the merchant, offered to customers."""

    number = peewee.CharField(max_length=16, unique=True)
    holder = peewee.CharField(max_length=100)
    bank = peewee.CharField(max_length=40)
    # The account as the bank's SMS prints it (digits, dashes or dots), to recognise deposits to this card.
    account = peewee.CharField(max_length=40, null=True)
    daily_limit_rial = peewee.BigIntegerField(null=True)
    daily_limit_count = peewee.IntegerField(null=True)
    active = peewee.BooleanField(default=True)
    created_at = UtcDateTimeField()


class ApiToken(BaseModel):
    """A merchant API token. Only its SHA-256 is stored; the token is shown once when made."""

    name = peewee.CharField(max_length=80, unique=True)
    token_hash = peewee.CharField(max_length=64, unique=True)
    prefix = peewee.CharField(max_length=12)
    scopes = peewee.CharField(max_length=200, default="payments")
    webhook_url = peewee.CharField(max_length=500, null=True)
    created_at = UtcDateTimeField()
    last_used_at = UtcDateTimeField(null=True)
    revoked_at = UtcDateTimeField(null=True)


class Payment(BaseModel):
    fid = peewee.BigIntegerField(unique=True)
    price = peewee.BigIntegerField()
    amount = peewee.BigIntegerField(index=True)
    state = peewee.CharField(max_length=16, index=True)
    phone = peewee.CharField(max_length=20, null=True)
    payer_card = peewee.CharField(max_length=16, null=True)
    callback = peewee.CharField(max_length=1000, null=True)
    # The card this payment is pinned to (pin_card mode); None: every offered card.
    card = peewee.ForeignKeyField(Card, null=True, backref="pinned_payments", on_delete="RESTRICT")
    token = peewee.ForeignKeyField(ApiToken, null=True, backref="payments", on_delete="SET NULL")
    created_at = UtcDateTimeField()
    expires_at = UtcDateTimeField(index=True)
    paid_at = UtcDateTimeField(null=True)
    verified_at = UtcDateTimeField(null=True)
    payer_card_mismatch = peewee.BooleanField(default=False)


class PaymentCard(BaseModel):
    """The cards a payment offered to the customer (its ``cart`` list)."""

    payment = peewee.ForeignKeyField(Payment, backref="offered", on_delete="CASCADE")
    card = peewee.ForeignKeyField(Card, backref="offers", on_delete="RESTRICT")

    class Meta:
        indexes = ((("payment", "card"), True),)


class AmountReservation(BaseModel):
    """An amount held by a payment. At most one *active* reservation per (scope, amount).

    ``scope`` is 0 when amounts are unique across all cards, else the pinned
    card's id. A reservation is released (``released_at`` set) when its payment
    is paid, or when it has been expired for longer than the quarantine.
    """

    payment = peewee.ForeignKeyField(Payment, unique=True, backref="reservation", on_delete="CASCADE")
    scope = peewee.IntegerField()
    amount = peewee.BigIntegerField()
    # Kept equal to ``amount`` while active and NULL once released, so that a plain
    # UNIQUE (scope, active_amount) index enforces uniqueness on every database.
    active_amount = peewee.BigIntegerField(null=True)
    hold_until = UtcDateTimeField(index=True)
    released_at = UtcDateTimeField(null=True)

    class Meta:
        indexes = ((("scope", "active_amount"), True),)


class Deposit(BaseModel):
    """Money that arrived on one of the merchant's accounts (from an SMS, an operator or the HTTP API)."""

    source = peewee.CharField(max_length=16)  # sms | manual | api
    state = peewee.CharField(max_length=16, index=True)
    amount = peewee.BigIntegerField(index=True)
    bank = peewee.CharField(max_length=40, null=True)
    account = peewee.CharField(max_length=40, null=True)
    card = peewee.ForeignKeyField(Card, null=True, backref="deposits", on_delete="RESTRICT")
    payer_card = peewee.CharField(max_length=24, null=True)
    balance = peewee.BigIntegerField(null=True)
    bank_time = UtcDateTimeField(null=True)
    smsc_time = UtcDateTimeField(null=True)
    received_at = UtcDateTimeField(index=True)
    transfer_at = UtcDateTimeField()
    payment = peewee.ForeignKeyField(Payment, null=True, backref="deposits", on_delete="RESTRICT")
    # Why the matcher (or the operator) decided what it did; hints for review.
    reason = peewee.TextField(default="")
    hints = JsonField(null=True)
    note = peewee.TextField(null=True)
    # Idempotency: the same SMS (or the same forwarded message) gives the same key.
    dedupe_key = peewee.CharField(max_length=128, unique=True, null=True)
    created_by = peewee.CharField(max_length=80)


class Event(BaseModel):
    """The append-only log of every state change: who or what, when, why."""

    at = UtcDateTimeField(index=True)
    entity = peewee.CharField(max_length=16)  # payment | deposit | card | token | sms | modem
    entity_id = peewee.BigIntegerField()
    kind = peewee.CharField(max_length=40)
    from_state = peewee.CharField(max_length=16, null=True)
    to_state = peewee.CharField(max_length=16, null=True)
    actor = peewee.CharField(max_length=80)
    reason = peewee.TextField(default="")
    data = JsonField(null=True)

    class Meta:
        indexes = ((("entity", "entity_id"), False),)


ALL_MODELS: list[type[BaseModel]] = [
    Meta, Card, ApiToken, Payment, PaymentCard, AmountReservation, Deposit, Event,
]
