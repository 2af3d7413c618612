"""A box with a day behind it, for the dashboard's tests: payments in every state, deposit SMS that paid,
did not match, were held or came late, a bank's one-time password, a stranger's SMS, and 24 h of modem
samples with a stretch off the network. Everything goes through the real service and the real SMS path."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

from appliance.store import database as store
from appliance.store.models import Deposit, ModemSample, Payment
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.operator_login import Accounts
from appliance.usecases.service import NewDeposit, PaymentService
from appliance.usecases.sms_intake import RawPart, SmsIngest, build_reader
from tests.conftest import FakeClock

PASSWORD = "correct horse battery"
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))
SMSC = "+9891100500"
MELLAT_ACCOUNT = "6204718359"


def mellat_text(amount: int, balance: int, when: dt.datetime) -> str:
    import jdatetime

    j = jdatetime.datetime.fromgregorian(datetime=when.astimezone(TEHRAN))
    printed = f"{j.year % 100:02d}/{j.month:02d}/{j.day:02d}-{j:%H:%M}"
    return f"حساب{MELLAT_ACCOUNT}\nواریز{amount:,}\nمانده{balance:,}\n{printed}"


@dataclasses.dataclass
class DayBox:
    service: PaymentService
    clock: FakeClock
    token: str
    paid: Payment
    waiting: Payment  # pending, the stray deposit's likely payment (a near amount)
    late_ok: Payment
    late_back: Payment
    stray: Deposit  # unmatched, no payment with its amount
    held: Deposit  # through a foreign SMSC
    late1: Deposit
    late2: Deposit
    yesterday: Deposit  # unmatched, received the day before

    def deposit_sms(self, ingest: SmsIngest, amount: int, balance: int, smsc: str = SMSC, sender: str = "Bank Mellat"):
        text = mellat_text(amount, balance, self.clock())
        return _ingest(ingest, self.clock, sender, text, smsc)


def _ingest(ingest: SmsIngest, clock: FakeClock, sender: str, text: str, smsc: str | None):
    key = hashlib.sha256(f"{sender}|{text}|{clock().isoformat()}|{smsc}".encode()).hexdigest().upper()
    assert ingest.store_part(
        RawPart(
            modem="m1",
            pdu_hex=key,
            received_at=clock(),
            memory="SM",
            index=1,
            sender=sender,
            smsc=smsc,
            scts=clock(),
            text=text,
        )
    )
    assert ingest.process_ready() == 1


def modem_day(clock: FakeClock, name: str = "m1") -> None:
    """A sample every 5 minutes over the last 24 h: the signal drifts; 3 h ago it lost the network for 40 min."""
    now = clock()
    rows = []
    for i in range(24 * 12 + 1):
        at = now - dt.timedelta(minutes=5 * (24 * 12 - i))
        minutes_ago = (now - at).total_seconds() / 60
        off = 180 >= minutes_ago >= 140
        rows.append(
            dict(
                modem=name,
                at=at,
                responsive=True,
                registered=not off,
                operator="IR-MCI",
                signal_dbm=None if off else -70 - (i * 7) % 25,
                storage_used=3,
                storage_total=30,
                detail={},
            )
        )
    # The latest sample: what the modem's health says is wrong now.
    rows[-1]["detail"] = {"problems": ["weak signal (-109 dBm)", "SMS storage full (30/30)"]}
    with store.write():
        for row in rows:
            store.insert(ModemSample, row)


def build_day(service: PaymentService, clock: FakeClock) -> DayBox:
    Accounts(clock).set_password(PASSWORD)
    _, token = service.add_token("shop")
    tok = service.list_tokens()[0]
    ingest = SmsIngest(service, build_reader(service.settings), clock)
    # Yesterday: money that matched nothing is still waiting.
    old = service.create_payment(CreateRequest(price=90_000, fid=90), tok).payment
    clock.advance(minutes=1)
    _ingest(ingest, clock, "Bank Mellat", mellat_text(old.amount, 40_000_000 + old.amount, clock()), SMSC)
    clock.advance(hours=1)
    yesterday_amount = 333_330
    _ingest(ingest, clock, "Bank Mellat", mellat_text(yesterday_amount, 40_333_330 + old.amount, clock()), SMSC)
    balance = 40_333_330 + old.amount
    clock.advance(hours=20)  # into the next Tehran day
    paid = service.create_payment(CreateRequest(price=500_000, fid=1), tok).payment
    waiting = service.create_payment(CreateRequest(price=777_000, fid=2, expire_minutes=600), tok).payment
    late_ok = service.create_payment(CreateRequest(price=200_000, fid=3), tok).payment
    late_back = service.create_payment(CreateRequest(price=300_000, fid=4), tok).payment
    service.create_payment(CreateRequest(price=150_000, fid=5, expire_minutes=600), tok)
    clock.advance(minutes=2)
    balance += paid.amount
    _ingest(ingest, clock, "Bank Mellat", mellat_text(paid.amount, balance, clock()), SMSC)
    clock.advance(minutes=5)
    balance += 777_770
    _ingest(ingest, clock, "Bank Mellat", mellat_text(777_770, balance, clock()), SMSC)
    clock.advance(minutes=3)
    balance += 640_000
    _ingest(ingest, clock, "Bank Mellat", mellat_text(640_000, balance, clock()), "+989350001111")
    clock.advance(minutes=1)
    _ingest(ingest, clock, "Bank Mellat", "رمز پویا: 482913\nبانک ملت", SMSC)
    _ingest(ingest, clock, "+989121234567", "سلام، بسته شما ارسال شد", None)
    clock.advance(minutes=40)  # late_ok and late_back expire; their money comes late (by hand: a statement)
    service.expire_due()
    late1 = service.record_deposit(
        NewDeposit(amount=late_ok.amount, source="manual", created_by="t", account=MELLAT_ACCOUNT, bank_time=clock())
    ).deposit
    late2 = service.record_deposit(
        NewDeposit(amount=late_back.amount, source="manual", created_by="t", account=MELLAT_ACCOUNT, bank_time=clock())
    ).deposit
    clock.advance(minutes=3)
    modem_day(clock)
    deposits = {d.amount: d for d in Deposit.select()}
    return DayBox(
        service=service,
        clock=clock,
        token=token,
        paid=Payment.get_by_id(paid.id),
        waiting=waiting,
        late_ok=late_ok,
        late_back=late_back,
        stray=deposits[777_770],
        held=deposits[640_000],
        late1=late1,
        late2=late2,
        yesterday=deposits[yesterday_amount],
    )
