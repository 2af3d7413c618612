"""Read models for the operator's dashboard: what the pages show, as plain data (no web code here)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from appliance.store.models import Card, Deposit, ModemSample, Payment, SmsMessage
from appliance.usecases.service import DepositState, PaymentService

SIGNAL_WINDOW = dt.timedelta(days=1)
CHART_POINTS = 48


@dataclass(frozen=True)
class ModemView:
    name: str
    at: dt.datetime
    responsive: bool
    registered: bool | None
    operator: str | None
    signal_dbm: int | None
    storage: str
    last_sms_at: str | None
    problems: list[str]
    # (minutes ago, dBm) over the last day, oldest first, at most CHART_POINTS.
    signal: list[tuple[float, int]] = field(default_factory=list)


@dataclass(frozen=True)
class CardView:
    card: Card
    total_today: int
    count_today: int

    @property
    def near_ceiling(self) -> bool:
        c = self.card
        return bool(
            (c.daily_limit_rial and self.total_today >= 0.9 * c.daily_limit_rial)
            or (c.daily_limit_count and self.count_today >= 0.9 * c.daily_limit_count)
        )


@dataclass(frozen=True)
class ReviewItem:
    deposit: Deposit
    candidates: list[Payment]
    messages: list[SmsMessage]


def modems(now: dt.datetime) -> list[ModemView]:
    """Each modem's latest sample and its signal over the last day."""
    since = now - SIGNAL_WINDOW
    # (name,) rows: peewee's hints type tuples() as the query of models it was.
    rows = cast(
        "Iterable[tuple[str]]", ModemSample.select(ModemSample.modem).distinct().order_by(ModemSample.modem).tuples()
    )
    names = [n for (n,) in rows]
    views = []
    for name in names:
        latest = (
            ModemSample.select()
            .where(ModemSample.modem == name)
            .order_by(ModemSample.at.desc(), ModemSample.id.desc())
            .first()
        )
        samples = list(
            ModemSample.select(ModemSample.at, ModemSample.signal_dbm)
            .where((ModemSample.modem == name) & (ModemSample.at >= since) & ModemSample.signal_dbm.is_null(False))
            .order_by(ModemSample.at)
        )
        step = max(1, len(samples) // CHART_POINTS)
        # signal_dbm is never None here (the query leaves those out); the test tells the type checker so.
        points = [
            ((now - s.at).total_seconds() / 60, s.signal_dbm) for s in samples[::step] if s.signal_dbm is not None
        ]
        detail = latest.detail or {}
        storage = f"{latest.storage_used}/{latest.storage_total}" if latest.storage_total is not None else "?"
        views.append(
            ModemView(
                name=name,
                at=latest.at,
                responsive=latest.responsive,
                registered=latest.registered,
                operator=latest.operator,
                signal_dbm=latest.signal_dbm,
                storage=storage,
                last_sms_at=detail.get("last_sms_at"),
                problems=list(detail.get("problems") or []),
                signal=points,
            )
        )
    return views


def last_sms(limit: int = 1) -> list[SmsMessage]:
    return list(SmsMessage.select().order_by(SmsMessage.id.desc()).limit(limit))


def inbox(kind: str | None = None, limit: int = 100) -> list[SmsMessage]:
    query = SmsMessage.select().order_by(SmsMessage.id.desc()).limit(limit)
    if kind:
        query = query.where(SmsMessage.kind == kind)
    return list(query)


def cards(service: PaymentService, now: dt.datetime) -> list[CardView]:
    usage = service.card_usage_today(now)
    return [CardView(c, *usage.get(c.id, (0, 0))) for c in service.list_cards()]


def review_queue(service: PaymentService) -> list[ReviewItem]:
    """Deposits waiting for the operator, with the payments they might belong to."""
    items = []
    for deposit in service.list_deposits(DepositState.REVIEW, limit=200):
        ids = [i for i in (deposit.hints or []) if isinstance(i, int)]
        if deposit.payment_id:
            ids.insert(0, deposit.payment_id)
        candidates = list(Payment.select().where(Payment.id.in_(ids))) if ids else []
        items.append(ReviewItem(deposit, candidates, list(deposit.messages)))
    return items


def counts(service: PaymentService) -> dict[str, Any]:
    return {
        "review": Deposit.select().where(Deposit.state.in_(list(DepositState.REVIEW))).count(),
        "pending": Payment.select().where(Payment.state == "pending").count(),
    }
