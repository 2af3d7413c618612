"""The dashboard's first page, "today at a glance", and the review queue's filters: plain data, no web code.

Days are Tehran days (appliance.domain.jalali); money is int Rial.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from appliance.domain import jalali
from appliance.domain.payments import State
from appliance.settings import Settings
from appliance.store import database as store
from appliance.store.models import Deposit, ModemSample, Payment, SmsMessage
from appliance.usecases.core import DepositState
from appliance.usecases.overview import CardView, ReviewItem, cards
from appliance.usecases.service import PaymentService

HISTORY_WINDOW = dt.timedelta(hours=24)
HISTORY_BUCKETS = 96  # one point per 15 minutes
# Money that arrived for the shop's payments (not foreign accounts, interest, or what the operator closed).
RECEIVED_STATES = (DepositState.MATCHED, DepositState.LATE)
LIKELY_WINDOW = dt.timedelta(days=1)
LIKELY_MAX = 3


@dataclass(frozen=True)
class Money:
    total: int
    count: int


@dataclass(frozen=True)
class ModemPoint:
    minutes_ago: float
    signal_dbm: int | None
    registered: bool | None
    responsive: bool


@dataclass(frozen=True)
class ModemHistory:
    name: str
    points: list[ModemPoint]  # oldest first, at most HISTORY_BUCKETS


@dataclass(frozen=True)
class Disk:
    place: str
    total: int
    free: int

    @property
    def free_fraction(self) -> float:
        return self.free / self.total if self.total else 0.0


@dataclass(frozen=True)
class Glance:
    now: dt.datetime
    today: Money
    week: Money
    in_review: Money
    payments_by_state: dict[str, int]  # payments created today, by state (every state, zeros too)
    review_count: int
    review_oldest: dt.datetime | None
    cards: list[CardView]
    last_sms_at: dt.datetime | None
    history: list[ModemHistory] = field(default_factory=list)
    disk: Disk | None = None


def _deposit_sum(states: tuple[str, ...], since: dt.datetime, until: dt.datetime) -> Money:
    """The deposits in ``states`` received in [since, until): read from the index on (state, received_at, amount)
    alone (migration 0013), each state's days only, no row of the table."""
    marks = ", ".join("?" * len(states))
    row = store.execute(
        f"SELECT SUM(amount), COUNT(*) FROM deposit WHERE state IN ({marks}) AND received_at >= ? AND received_at < ?",
        *states,
        Deposit.received_at.db_value(since),
        Deposit.received_at.db_value(until),
    ).fetchone()
    return Money(int(row[0] or 0), int(row[1] or 0))


def _deposit_money(day_start: dt.datetime, week_start: dt.datetime, day_end: dt.datetime) -> tuple[Money, Money, Money]:
    """(received today, received this week, held for review today).

    One sum per figure with the states as a condition: the index on (state, received_at, amount)
    (migration 0013) gives each from its own entries. One read of the week by ``received_at`` that
    sorted the states out per row cost 7 ms for a busy shop's week (a table row per deposit).
    """
    return (
        _deposit_sum(RECEIVED_STATES, day_start, day_end),
        _deposit_sum(RECEIVED_STATES, week_start, day_end),
        _deposit_sum(DepositState.REVIEW, day_start, day_end),
    )


def payments_by_state(day_start: dt.datetime, day_end: dt.datetime) -> dict[str, int]:
    """Payments created in [day_start, day_end) by state (every state, zeros too): counted by SQLite, not
    made into a model per payment (a busy shop's day of 1,400 payments cost 2.9 ms that way)."""
    by_state = {s.value: 0 for s in State}
    rows = store.execute(
        "SELECT state, COUNT(*) FROM payment WHERE created_at >= ? AND created_at < ? GROUP BY state",
        Payment.created_at.db_value(day_start),
        Payment.created_at.db_value(day_end),
    ).fetchall()
    for state, count in rows:
        by_state[state] = by_state.get(state, 0) + int(count)
    return by_state


def glance(service: PaymentService, now: dt.datetime) -> Glance:
    today = jalali.tehran_day(now)
    day_start, day_end = jalali.day_bounds(today, today)
    week_start, _ = jalali.day_bounds(jalali.week_start(today), today)
    by_state = payments_by_state(day_start, day_end)
    # The queue's size from the state index alone, then its oldest only when there is one: ORDER BY
    # received_at LIMIT 1 let SQLite walk the received_at index from the first deposit ever until it met
    # one under review (every deposit of the year when the queue is empty).
    in_review_states = ", ".join("?" * len(DepositState.REVIEW))
    review_count = store.execute(
        f"SELECT COUNT(*) FROM deposit WHERE state IN ({in_review_states})", *DepositState.REVIEW
    ).fetchone()[0]
    review_oldest = None
    if review_count:
        review_oldest = store.execute(
            f"SELECT MIN(received_at) FROM deposit WHERE state IN ({in_review_states})", *DepositState.REVIEW
        ).fetchone()[0]
    last = SmsMessage.select(SmsMessage.received_at).order_by(SmsMessage.received_at.desc()).first()
    today_money, week_money, in_review = _deposit_money(day_start, week_start, day_end)
    return Glance(
        now=now,
        today=today_money,
        week=week_money,
        in_review=in_review,
        payments_by_state=by_state,
        review_count=int(review_count),
        review_oldest=None if review_oldest is None else Deposit.received_at.python_value(review_oldest),
        cards=cards(service, now),
        last_sms_at=last.received_at if last else None,
        history=modem_history(now),
        disk=disk_usage(service.settings),
    )


def modem_history(now: dt.datetime) -> list[ModemHistory]:
    """Per modem, its samples of the last 24 h in 15-minute buckets (the latest sample of each bucket)."""
    since = now - HISTORY_WINDOW
    samples = (
        ModemSample.select(
            ModemSample.modem, ModemSample.at, ModemSample.signal_dbm, ModemSample.registered, ModemSample.responsive
        )
        .where((ModemSample.at >= since) & (ModemSample.at <= now))
        .order_by(ModemSample.modem, ModemSample.at)
    )
    span = HISTORY_WINDOW.total_seconds() / HISTORY_BUCKETS
    buckets: dict[str, dict[int, ModemPoint]] = {}
    for s in samples:
        seconds_ago = (now - s.at).total_seconds()
        bucket = int(seconds_ago // span)
        buckets.setdefault(s.modem, {})[bucket] = ModemPoint(seconds_ago / 60, s.signal_dbm, s.registered, s.responsive)
    return [
        ModemHistory(name, [points[b] for b in sorted(points, reverse=True)])
        for name, points in sorted(buckets.items())
    ]


def disk_usage(settings: Settings) -> Disk | None:
    """The disk holding the database (SQLite) or the box's folder."""
    url = settings.database_url
    place = Path(url[len("sqlite:///") :]).parent if url.startswith("sqlite:///") else settings.base_dir
    while not place.exists() and place != place.parent:
        place = place.parent
    try:
        usage = shutil.disk_usage(place)
    except OSError:
        return None
    return Disk(str(place), usage.total, usage.free)


# ----- the review queue, filtered ------------------------------------------------


@dataclass(frozen=True)
class ReviewFilter:
    states: tuple[str, ...] = DepositState.REVIEW
    first: dt.date | None = None  # Tehran days, inclusive
    last: dt.date | None = None


def review_queue(service: PaymentService, wanted: ReviewFilter, limit: int = 200) -> list[ReviewItem]:
    """Deposits waiting for the operator (by state and received day), oldest first, with their likely payments.

    The likely payments are the matcher's hints (nearest amounts first), else the pending or expired
    payments created within a day of the transfer, nearest amount first.
    """
    states = [s for s in wanted.states if s in DepositState.REVIEW] or list(DepositState.REVIEW)
    query = Deposit.select().where(Deposit.state.in_(states))
    if wanted.first:
        query = query.where(Deposit.received_at >= jalali.day_bounds(wanted.first, wanted.first)[0])
    if wanted.last:
        query = query.where(Deposit.received_at < jalali.day_bounds(wanted.last, wanted.last)[1])
    items = []
    for deposit in query.order_by(Deposit.received_at, Deposit.id).limit(limit):
        ids = [i for i in (deposit.hints or []) if isinstance(i, int)]
        if deposit.payment_id:
            ids.insert(0, deposit.payment_id)
        found = {p.id: p for p in Payment.select().where(Payment.id.in_(ids))} if ids else {}
        candidates = [found[i] for i in dict.fromkeys(ids) if i in found]
        if not candidates:
            # No hints: the open payments of the day around the transfer, nearest amount first.
            open_ones = Payment.select().where(
                Payment.state.in_([State.PENDING.value, State.EXPIRED.value])
                & (Payment.created_at >= deposit.transfer_at - LIKELY_WINDOW)
                & (Payment.created_at <= deposit.transfer_at + LIKELY_WINDOW)
            )
            candidates = sorted(open_ones, key=lambda p: (abs(p.amount - deposit.amount), -p.id))[:LIKELY_MAX]
        items.append(ReviewItem(deposit, candidates, list(deposit.messages)))
    return items
