"""The demo box: two demo cards, a token, and a simulated bank that sends real-format deposit SMS.

Only ``carttocart demo`` and the demo payment page use this; a real box never does.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import jdatetime

from appliance.store.models import Card, Payment, SmsMessage
from appliance.usecases.service import PaymentService

TEHRAN = zoneinfo.ZoneInfo("Asia/Tehran")

# Luhn-valid numbers on real BINs with made-up digits; the accounts are as each bank's SMS prints them.
DEMO_CARDS = (
    {"number": "6104337890123456", "holder": "فروشگاه نمونه", "account": "6204718359"},  # Mellat
    {"number": "6037991234567893", "holder": "فروشگاه نمونه", "account": "0217730417009"},  # Melli
)
DEMO_SENDER = "Bank Mellat"
OPENING_BALANCE = 48_913_402


@dataclass(frozen=True)
class BankSms:
    sender: str
    text: str


def add_demo_cards(service: PaymentService) -> list[Card]:
    return [
        service.add_card(c["number"], c["holder"], account=c["account"], actor="demo")
        for c in DEMO_CARDS
        if not Card.select().where(Card.number == c["number"]).exists()
    ]


def mellat_deposit_sms(account: str, amount: int, balance: int, when: dt.datetime) -> BankSms:
    """A deposit SMS in Bank Mellat's current layout (label glued to the figure, YY/MM/DD-HH:MM, Tehran time)."""
    local = jdatetime.datetime.fromgregorian(datetime=when.astimezone(TEHRAN))
    text = (
        f"حساب{account}\nواریز{amount:,}\nمانده{balance:,}\n"
        f"{local.year % 100:02d}/{local.month:02d}/{local.day:02d}-{local.hour:02d}:{local.minute:02d}"
    )
    return BankSms(DEMO_SENDER, text)


def next_transfer(service: PaymentService, payment: Payment) -> tuple[int, str]:
    """What the demo customer sends next: the amount, and the account it goes to (a split payment: its
    first unpaid part, to that part's card; the demo bank writes every SMS in Mellat's layout)."""
    for part in service.payment_parts(payment):
        if part.paid_at is None:
            card = service.get_card(part.card_id)
            return part.amount, card.account or DEMO_CARDS[0]["account"]
    return payment.amount, DEMO_CARDS[0]["account"]


def next_deposit_sms(amount: int, now: dt.datetime, account: str | None = None) -> BankSms:
    """The demo bank's SMS for a transfer of ``amount`` to a demo card (Mellat's by default), keeping each
    account's balance continuous."""
    account = account or DEMO_CARDS[0]["account"]
    last = (
        SmsMessage.select(SmsMessage.balance)
        .where((SmsMessage.bank == "mellat") & (SmsMessage.account == account) & SmsMessage.balance.is_null(False))
        .order_by(SmsMessage.id.desc())
        .first()
    )
    balance = (last.balance if last else OPENING_BALANCE) + amount
    return mellat_deposit_sms(account, amount, balance, now)
