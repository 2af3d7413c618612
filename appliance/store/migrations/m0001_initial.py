"""0001: cards, tokens, payments, amount reservations, deposits and the event log."""

from __future__ import annotations

import peewee

from appliance.store import models


def apply(db: peewee.Database) -> None:
    db.create_tables(
        [
            models.Meta,
            models.Card,
            models.ApiToken,
            models.Payment,
            models.PaymentCard,
            models.AmountReservation,
            models.Deposit,
            models.Event,
        ],
        safe=True,
    )
