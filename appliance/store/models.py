"""The store's tables (Peewee models). The schema is created and changed by :mod:`appliance.store.migrations`.

Times are stored as naive UTC and read back as aware UTC (:class:`UtcDateTimeField`).
Money columns are ``BigIntegerField`` of Rial.

Why one module of ~400 lines: one table per class, each with the type-only
annotations mypy needs; the tables reference each other, and one file shows the
whole schema.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import peewee

from appliance.store.database import database

UTC = dt.UTC


class UtcDateTimeField(peewee.DateTimeField):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC (portable across SQLite and PostgreSQL)."""

    def db_value(self, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        if isinstance(value, str):
            try:  # SQLite hands back text; fromisoformat is many times faster than peewee's format list
                value = dt.datetime.fromisoformat(value)
            except ValueError:
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
    # Type hints only, for what Peewee's metaclass makes (annotations create no field, so no column):
    # here the implicit ``id`` primary key of every model that declares none (all but Meta); in the
    # models below, each foreign key's ``<name>_id`` accessor and the backrefs other models point here.
    if TYPE_CHECKING:
        id: peewee.AutoField[int]

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

    if TYPE_CHECKING:
        pinned_payments: peewee.ModelSelect[Payment]
        offers: peewee.ModelSelect[PaymentCard]
        deposits: peewee.ModelSelect[Deposit]


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

    if TYPE_CHECKING:
        payments: peewee.ModelSelect[Payment]
        webhook_secrets: peewee.ModelSelect[WebhookSecret]
        webhook_deliveries: peewee.ModelSelect[WebhookDelivery]


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
    created_at = UtcDateTimeField(index=True)  # 0012: the overview's payments of today
    expires_at = UtcDateTimeField(index=True)
    paid_at = UtcDateTimeField(null=True)
    verified_at = UtcDateTimeField(null=True)
    payer_card_mismatch = peewee.BooleanField(default=False)

    if TYPE_CHECKING:
        card_id: int | None
        token_id: int | None
        offered: peewee.ModelSelect[PaymentCard]
        reservation: peewee.ModelSelect[AmountReservation]
        deposits: peewee.ModelSelect[Deposit]
        webhook_deliveries: peewee.ModelSelect[WebhookDelivery]


class PaymentCard(BaseModel):
    """The cards a payment offered to the customer (its ``cart`` list)."""

    payment = peewee.ForeignKeyField(Payment, backref="offered", on_delete="CASCADE")
    card = peewee.ForeignKeyField(Card, backref="offers", on_delete="RESTRICT")

    if TYPE_CHECKING:
        payment_id: int
        card_id: int

    class Meta:
        indexes = ((("payment", "card"), True),)


class AmountReservation(BaseModel):
    """An amount held by a payment. At most one *active* reservation per (scope, amount).

    ``scope`` is 0 when amounts are unique across all cards, else the pinned
    card's id. A reservation is released (``released_at`` set) when its payment
    is paid, or when it has been expired for longer than the quarantine.
    """

    # One reservation per payment, or one per part of a split payment (0005: no longer unique).
    payment = peewee.ForeignKeyField(Payment, backref="reservation", on_delete="CASCADE")
    scope = peewee.IntegerField()
    amount = peewee.BigIntegerField()
    # Kept equal to ``amount`` while active and NULL once released, so that a plain
    # UNIQUE (scope, active_amount) index enforces uniqueness on every database.
    active_amount = peewee.BigIntegerField(null=True)
    hold_until = UtcDateTimeField(index=True)
    released_at = UtcDateTimeField(null=True)

    if TYPE_CHECKING:
        payment_id: int

    class Meta:
        indexes = ((("scope", "active_amount"), True),)


class Deposit(BaseModel):
    """Money that arrived on one of the merchant's accounts (from an SMS, an operator or the HTTP API)."""

    source = peewee.CharField(max_length=16)  # sms | manual | api
    state = peewee.CharField(max_length=16)  # indexed with received_at and amount (0013, Meta below)
    amount = peewee.BigIntegerField(index=True)
    bank = peewee.CharField(max_length=40, null=True)
    account = peewee.CharField(max_length=40, null=True)
    card = peewee.ForeignKeyField(Card, null=True, backref="deposits", on_delete="RESTRICT")
    payer_card = peewee.CharField(max_length=24, null=True)
    balance = peewee.BigIntegerField(null=True)
    bank_time = UtcDateTimeField(null=True)
    smsc_time = UtcDateTimeField(null=True)
    received_at = UtcDateTimeField(index=True)
    transfer_at = UtcDateTimeField(index=True)  # 0009: today's deposits, for the daily ceilings
    payment = peewee.ForeignKeyField(Payment, null=True, backref="deposits", on_delete="RESTRICT")
    # Why the matcher (or the operator) decided what it did; hints for review.
    reason = peewee.TextField(default="")
    hints = JsonField(null=True)
    note = peewee.TextField(null=True)
    # Idempotency: the same SMS (or the same forwarded message) gives the same key.
    dedupe_key = peewee.CharField(max_length=128, unique=True, null=True)
    created_by = peewee.CharField(max_length=80)

    class Meta:
        # 0013: the dashboard's sums by state over a day or a week read this index alone.
        indexes = ((("state", "received_at", "amount"), False),)

    if TYPE_CHECKING:
        card_id: int | None
        payment_id: int | None
        messages: peewee.ModelSelect[SmsMessage]


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


class SmsMessage(BaseModel):
    """One SMS as a person reads it (its parts joined), with what the parser and trust checks made of it."""

    source = peewee.CharField(max_length=16)  # modem | api
    origin = peewee.CharField(max_length=80)  # the modem's name, or the token that handed it in
    sender = peewee.CharField(max_length=40, index=True)
    smsc = peewee.CharField(max_length=24, null=True)
    scts = UtcDateTimeField(null=True)
    received_at = UtcDateTimeField(index=True)
    text = peewee.TextField()
    parts_expected = peewee.IntegerField(default=1)
    parts_present = peewee.IntegerField(default=1)
    # Why the message is flagged: a part never came, a PDU could not be decoded...
    flag = peewee.TextField(null=True)
    kind = peewee.CharField(max_length=16, index=True)  # deposit | withdrawal | other | unparsed
    bank = peewee.CharField(max_length=40, null=True)
    account = peewee.CharField(max_length=40, null=True)
    amount = peewee.BigIntegerField(null=True)
    balance = peewee.BigIntegerField(null=True)
    parsed = JsonField(null=True)
    reason = peewee.TextField(default="")
    trusted = peewee.BooleanField(default=False)
    trust_reason = peewee.TextField(default="")
    deposit = peewee.ForeignKeyField(Deposit, null=True, backref="messages", on_delete="SET NULL")
    dedupe_key = peewee.CharField(max_length=128, unique=True)

    if TYPE_CHECKING:
        deposit_id: int | None
        parts: peewee.ModelSelect[SmsPart]


class SmsPart(BaseModel):
    """One stored SMS part exactly as the modem gave it, committed before it is deleted from the SIM."""

    modem = peewee.CharField(max_length=40)
    # The box that received it (``[box] id``; 0004): parts of one message are grouped per box and modem.
    box = peewee.CharField(max_length=40, default="", constraints=[peewee.SQL("DEFAULT ''")])
    memory = peewee.CharField(max_length=8, null=True)
    storage_index = peewee.IntegerField(null=True)
    pdu_hex = peewee.TextField()
    pdu_hash = peewee.CharField(max_length=64, unique=True)
    sender = peewee.CharField(max_length=40, null=True)
    smsc = peewee.CharField(max_length=24, null=True)
    scts = UtcDateTimeField(null=True)
    received_at = UtcDateTimeField(index=True)
    text = peewee.TextField(null=True)
    concat_ref = peewee.IntegerField(null=True)
    concat_total = peewee.IntegerField(null=True)
    concat_seq = peewee.IntegerField(null=True)
    concat_bits = peewee.IntegerField(null=True)
    error = peewee.TextField(null=True)
    message = peewee.ForeignKeyField(SmsMessage, null=True, backref="parts", on_delete="SET NULL")

    if TYPE_CHECKING:
        message_id: int | None

    class Meta:
        indexes = ((("sender", "concat_ref", "concat_total"), False),)


class SenderSmsc(BaseModel):
    """The SMS centres a sender's messages came through: learned first, then enforced."""

    sender = peewee.CharField(max_length=40)
    smsc = peewee.CharField(max_length=24)
    first_seen = UtcDateTimeField()
    last_seen = UtcDateTimeField()
    count = peewee.IntegerField(default=1)

    class Meta:
        indexes = ((("sender", "smsc"), True),)


class ModemSample(BaseModel):
    """A health sample of one modem: what the dashboard charts and the receive gate reads."""

    modem = peewee.CharField(max_length=40, index=True)
    at = UtcDateTimeField(index=True)
    responsive = peewee.BooleanField()
    registered = peewee.BooleanField(null=True)
    sim_state = peewee.CharField(max_length=40, null=True)
    operator = peewee.CharField(max_length=60, null=True)
    signal_dbm = peewee.IntegerField(null=True)
    storage_used = peewee.IntegerField(null=True)
    storage_total = peewee.IntegerField(null=True)
    detail = JsonField(null=True)


ALL_MODELS: list[type[BaseModel]] = [
    Meta,
    Card,
    ApiToken,
    Payment,
    PaymentCard,
    AmountReservation,
    Deposit,
    Event,
    SmsMessage,
    SmsPart,
    SenderSmsc,
    ModemSample,
]


# ----- 0003: webhooks and the operator's login ---------------------------------


class WebhookSecret(BaseModel):
    """The key a token's webhook deliveries are signed with (HMAC-SHA256); the merchant verifies with it."""

    token = peewee.ForeignKeyField(ApiToken, unique=True, backref="webhook_secrets", on_delete="CASCADE")
    secret = peewee.CharField(max_length=100)
    created_at = UtcDateTimeField()

    if TYPE_CHECKING:
        token_id: int


class WebhookDelivery(BaseModel):
    """One payment state change to post to one token's webhook URL: the persistent queue."""

    token = peewee.ForeignKeyField(ApiToken, backref="webhook_deliveries", on_delete="CASCADE")
    payment = peewee.ForeignKeyField(Payment, backref="webhook_deliveries", on_delete="CASCADE")
    url = peewee.CharField(max_length=500)
    # The exact bytes posted (and signed); kept so a retry or a redelivery sends the same body.
    body = peewee.TextField()
    state = peewee.CharField(max_length=16, index=True)  # pending | delivered | failed
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = UtcDateTimeField(index=True)
    created_at = UtcDateTimeField()
    delivered_at = UtcDateTimeField(null=True)
    last_error = peewee.TextField(null=True)

    if TYPE_CHECKING:
        token_id: int
        payment_id: int
        attempt_log: peewee.ModelSelect[WebhookAttempt]


class WebhookAttempt(BaseModel):
    """The log of every attempt: when, what came back, how long it took."""

    delivery = peewee.ForeignKeyField(WebhookDelivery, backref="attempt_log", on_delete="CASCADE")
    at = UtcDateTimeField()
    http_status = peewee.IntegerField(null=True)
    error = peewee.TextField(null=True)
    duration_ms = peewee.IntegerField()

    if TYPE_CHECKING:
        delivery_id: int


class AdminAccount(BaseModel):
    """The operator's dashboard login: the password as a slow (scrypt) hash, never the password."""

    username = peewee.CharField(max_length=40, unique=True)
    password_hash = peewee.CharField(max_length=300)
    updated_at = UtcDateTimeField()

    if TYPE_CHECKING:
        sessions: peewee.ModelSelect[AdminSession]


class AdminSession(BaseModel):
    """A dashboard session: only the SHA-256 of the cookie is stored; the CSRF token is per session."""

    account = peewee.ForeignKeyField(AdminAccount, backref="sessions", on_delete="CASCADE")
    session_hash = peewee.CharField(max_length=64, unique=True)
    csrf = peewee.CharField(max_length=64)
    created_at = UtcDateTimeField()
    expires_at = UtcDateTimeField(index=True)

    if TYPE_CHECKING:
        account_id: int


class LoginAttempt(BaseModel):
    """Failed dashboard logins, per client address, for rate limiting."""

    address = peewee.CharField(max_length=64, index=True)
    at = UtcDateTimeField(index=True)


WEB_MODELS: list[type[BaseModel]] = [
    WebhookSecret,
    WebhookDelivery,
    WebhookAttempt,
    AdminAccount,
    AdminSession,
    LoginAttempt,
]
ALL_MODELS += WEB_MODELS


# ----- 0004: the fleet -----------------------------------------------------------


class FleetBox(BaseModel):
    """One box of the fleet sharing this database, as its heartbeats tell (one row per ``[box] id``)."""

    box = peewee.CharField(max_length=40, unique=True)
    # A random value per running process: two processes claiming one box id show up as a change of it.
    instance = peewee.CharField(max_length=32)
    version = peewee.CharField(max_length=20)
    name = peewee.CharField(max_length=100)
    started_at = UtcDateTimeField()
    heartbeat_at = UtcDateTimeField()

    class Meta:
        table_name = "fleet_box"


ALL_MODELS.append(FleetBox)


# ----- 0005: split payments ------------------------------------------------------


class PaymentPart(BaseModel):
    """One transfer of a split payment: its own unique amount (held in ``amount_reservation`` on ``scope``)
    and its card. A payment without parts is one transfer of ``payment.amount``, as before."""

    payment = peewee.ForeignKeyField(Payment, backref="parts", on_delete="CASCADE")
    seq = peewee.IntegerField()  # 1, 2, ... in the order the customer is asked to pay
    price = peewee.BigIntegerField()
    amount = peewee.BigIntegerField(index=True)
    card = peewee.ForeignKeyField(Card, backref="payment_parts", on_delete="RESTRICT")
    scope = peewee.IntegerField()
    paid_at = UtcDateTimeField(null=True)
    # True when the part's transfer came after the payment's deadline (within the quarantine).
    late = peewee.BooleanField(default=False)
    deposit = peewee.ForeignKeyField(Deposit, null=True, backref="parts_paid", on_delete="SET NULL")

    if TYPE_CHECKING:
        payment_id: int
        card_id: int
        deposit_id: int | None

    class Meta:
        table_name = "payment_part"
        indexes = ((("payment", "seq"), True),)


ALL_MODELS.append(PaymentPart)


# ----- 0006: alerts, the owner's outbox, the SIM's balance -------------------------


class Alert(BaseModel):
    """One occurrence of a condition the owner must hear about: raised, repeated while it lasts, resolved."""

    key = peewee.CharField(max_length=80, index=True)  # the condition and its subject: modem_down:modem
    kind = peewee.CharField(max_length=32)  # no_sms | modem_down | disk_low | sms_store | clock | webhooks | ...
    state = peewee.CharField(max_length=16, index=True)  # active | resolved
    params = JsonField(null=True)  # what the message says (counts, minutes, credit), rendered per language
    raised_at = UtcDateTimeField()
    notified_at = UtcDateTimeField()  # the last notice (raise or repeat)
    repeats = peewee.IntegerField(default=0)
    resolved_at = UtcDateTimeField(null=True)

    class Meta:
        table_name = "alert"


class OwnerNotice(BaseModel):
    """The owner's outbox and its log: one SMS or webhook event per row (alerts, resolved notices, forwards)."""

    channel = peewee.CharField(max_length=16)  # sms | webhook
    purpose = peewee.CharField(max_length=16, index=True)  # raised | repeat | resolved | test | forward
    alert = peewee.ForeignKeyField(Alert, null=True, backref="notices", on_delete="SET NULL")
    sms_message_id = peewee.BigIntegerField(null=True)  # the forwarded message
    recipient = peewee.CharField(max_length=500)  # a phone number or the token's URL
    token_id = peewee.BigIntegerField(null=True)  # webhook: whose secret signs it
    body = peewee.TextField()
    state = peewee.CharField(max_length=16, index=True)  # pending | sent | failed | capped
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = UtcDateTimeField(index=True)
    created_at = UtcDateTimeField(index=True)
    sent_at = UtcDateTimeField(null=True)
    last_error = peewee.TextField(null=True)

    if TYPE_CHECKING:
        alert_id: int | None

    class Meta:
        table_name = "owner_notice"


class SimBalance(BaseModel):
    """One USSD balance query: the operator's answer as received and what was read from it."""

    modem = peewee.CharField(max_length=40)
    at = UtcDateTimeField(index=True)
    operator = peewee.CharField(max_length=16)
    code = peewee.CharField(max_length=40)
    reply = peewee.TextField(null=True)
    credit_rial = peewee.BigIntegerField(null=True)
    valid_until = peewee.DateField(null=True)  # Gregorian; shown in the Jalali calendar
    error = peewee.TextField(null=True)

    class Meta:
        table_name = "sim_balance"


ALL_MODELS += [Alert, OwnerNotice, SimBalance]


# ----- 0007: what the operator taught the box --------------------------------------


class TaughtSender(BaseModel):
    """A sender the operator said is this bank ("this sender is Bank X"): added to the bank's allow-list."""

    bank = peewee.CharField(max_length=40)
    sender = peewee.CharField(max_length=40, unique=True)  # canonical (appliance.sms.senders.canonical_sender)
    message_id = peewee.BigIntegerField(null=True)  # the held message it was taught from
    created_by = peewee.CharField(max_length=80)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "taught_sender"


class LearnedTemplate(BaseModel):
    """A bank template (the TOML format of docs/bank-templates.md) the operator taught from a message."""

    bank = peewee.CharField(max_length=40)
    body = peewee.TextField()  # the TOML, with the message it was learned from as its sample
    message_id = peewee.BigIntegerField(null=True)
    created_by = peewee.CharField(max_length=80)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "learned_template"


ALL_MODELS += [TaughtSender, LearnedTemplate]


# ----- 0009: indexes for a year of data ----------------------------------------

# The scheduler releases holds past their quarantine: only the active ones, whatever the table's age.
AmountReservation.add_index(
    AmountReservation.index(
        AmountReservation.hold_until,
        name="amount_reservation_active_hold_until",
        where=AmountReservation.active_amount.is_null(False),
    )
)


# ----- 0011: the balance arithmetic's index ------------------------------------

# The last balance a trusted SMS printed for an account (SmsIngest._last_balance), newest first.
SmsMessage.add_index(
    SmsMessage.index(SmsMessage.bank, SmsMessage.account, SmsMessage.id, name="sms_message_bank_account")
)
