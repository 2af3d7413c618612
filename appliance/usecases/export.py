"""Payments and deposits of a Jalali date range as CSV: UTF-8 with a BOM, so Excel opens it in Persian.

Rows are chosen by the Tehran day they were created (payments) or received (deposits), both ends
included. Each row has the Jalali date and Tehran time people read, the UTC time machines read, and
the state both as its code and in the file's language. Amounts are int Rial.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator

from appliance.domain import jalali
from appliance.domain.errors import InvalidInput
from appliance.store.models import Deposit, Payment, PaymentCard

BOM = "\ufeff"
MAX_DAYS = 400

STATE_NAMES: dict[str, tuple[str, str]] = {
    "pending": ("در انتظار", "pending"),
    "paid": ("پرداخت‌شده", "paid"),
    "verified": ("تأییدشده", "verified"),
    "expired": ("منقضی", "expired"),
    "paid_late": ("پرداخت دیرهنگام", "paid late"),
    "refunded": ("بازپرداخت‌شده", "refunded"),
    "matched": ("تطبیق‌یافته", "matched"),
    "late": ("دیرهنگام", "late"),
    "ambiguous": ("چندپهلو", "ambiguous"),
    "unmatched": ("بی‌پرداخت", "unmatched"),
    "held": ("نگه‌داشته", "held"),
    "foreign": ("به حساب دیگر", "foreign"),
    "not_payable": ("غیرپرداختی", "not payable"),
    "dismissed": ("بسته‌شده", "dismissed"),
}

PAYMENT_COLUMNS = (
    ("id", "شناسه", "id"),
    ("fid", "شماره فاکتور", "invoice (fid)"),
    ("price", "قیمت (ریال)", "price (Rial)"),
    ("amount", "مبلغ (ریال)", "amount (Rial)"),
    ("state", "وضعیت (کد)", "state (code)"),
    ("state_name", "وضعیت", "state"),
    ("created_date", "تاریخ ایجاد", "created (Jalali)"),
    ("created_time", "ساعت ایجاد (تهران)", "created (Tehran time)"),
    ("created_utc", "ایجاد (UTC)", "created (UTC)"),
    ("paid_date", "تاریخ پرداخت", "paid (Jalali)"),
    ("paid_time", "ساعت پرداخت (تهران)", "paid (Tehran time)"),
    ("cards", "کارت‌ها", "cards"),
    ("payer_card", "کارت پرداخت‌کننده", "payer card"),
)
DEPOSIT_COLUMNS = (
    ("id", "شناسه", "id"),
    ("amount", "مبلغ (ریال)", "amount (Rial)"),
    ("state", "وضعیت (کد)", "state (code)"),
    ("state_name", "وضعیت", "state"),
    ("received_date", "تاریخ دریافت", "received (Jalali)"),
    ("received_time", "ساعت دریافت (تهران)", "received (Tehran time)"),
    ("received_utc", "دریافت (UTC)", "received (UTC)"),
    ("transfer_date", "تاریخ انتقال", "transfer (Jalali)"),
    ("transfer_time", "ساعت انتقال (تهران)", "transfer (Tehran time)"),
    ("bank", "بانک", "bank"),
    ("account", "حساب", "account"),
    ("card", "کارت", "card"),
    ("payer_card", "کارت واریزکننده", "payer card"),
    ("payment_id", "شناسه پرداخت", "payment id"),
    ("source", "منبع", "source"),
    ("note", "یادداشت", "note"),
)


def date_range(first: str, last: str) -> tuple[dt.date, dt.date]:
    """Two Jalali dates as Gregorian days; InvalidInput when one cannot be read or the range is backwards."""
    try:
        start, end = jalali.parse_jalali(first), jalali.parse_jalali(last)
    except jalali.JalaliDateError as exc:
        raise InvalidInput(str(exc)) from None
    if end < start:
        raise InvalidInput(f"the range ends ({last}) before it starts ({first})")
    if (end - start).days > MAX_DAYS:
        raise InvalidInput(f"at most {MAX_DAYS} days at a time")
    return start, end


def _when(moment: dt.datetime | None) -> tuple[str, str, str]:
    if moment is None:
        return "", "", ""
    local = moment.astimezone(jalali.TEHRAN)
    utc = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return jalali.jalali_text(local.date()), local.strftime("%H:%M:%S"), utc


def _payment_rows(first: dt.date, last: dt.date, lang: str) -> Iterator[dict[str, object]]:
    start, end = jalali.day_bounds(first, last)
    index = 1 if lang == "en" else 0
    query = Payment.select().where((Payment.created_at >= start) & (Payment.created_at < end)).order_by(Payment.id)
    for p in query:
        created, paid = _when(p.created_at), _when(p.paid_at)
        offered = PaymentCard.select(PaymentCard, PaymentCard.card).where(PaymentCard.payment == p.id)
        yield {
            "id": p.id,
            "fid": p.fid,
            "price": p.price,
            "amount": p.amount,
            "state": p.state,
            "state_name": STATE_NAMES.get(p.state, (p.state, p.state))[index],
            "created_date": created[0],
            "created_time": created[1],
            "created_utc": created[2],
            "paid_date": paid[0],
            "paid_time": paid[1],
            "cards": " ".join(o.card.number for o in offered),
            "payer_card": p.payer_card or "",
        }


def _deposit_rows(first: dt.date, last: dt.date, lang: str) -> Iterator[dict[str, object]]:
    start, end = jalali.day_bounds(first, last)
    index = 1 if lang == "en" else 0
    query = Deposit.select().where((Deposit.received_at >= start) & (Deposit.received_at < end)).order_by(Deposit.id)
    for d in query:
        received, transfer = _when(d.received_at), _when(d.transfer_at)
        yield {
            "id": d.id,
            "amount": d.amount,
            "state": d.state,
            "state_name": STATE_NAMES.get(d.state, (d.state, d.state))[index],
            "received_date": received[0],
            "received_time": received[1],
            "received_utc": received[2],
            "transfer_date": transfer[0],
            "transfer_time": transfer[1],
            "bank": d.bank or "",
            "account": d.account or "",
            "card": d.card.number if d.card is not None else "",
            "payer_card": d.payer_card or "",
            "payment_id": d.payment_id or "",
            "source": d.source,
            "note": d.note or "",
        }


def _csv(columns: tuple[tuple[str, str, str], ...], rows: Iterator[dict[str, object]], lang: str) -> str:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(c[2] if lang == "en" else c[1] for c in columns)
    for row in rows:
        writer.writerow(_safe(row[c[0]]) for c in columns)
    return out.getvalue()


def _safe(value: object) -> object:
    """Text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading quote mark."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def payments_csv(first: dt.date, last: dt.date, lang: str = "fa") -> str:
    return _csv(PAYMENT_COLUMNS, _payment_rows(first, last, lang), lang)


def deposits_csv(first: dt.date, last: dt.date, lang: str = "fa") -> str:
    return _csv(DEPOSIT_COLUMNS, _deposit_rows(first, last, lang), lang)
