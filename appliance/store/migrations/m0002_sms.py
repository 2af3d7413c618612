"""0002: the SMS path: raw parts, messages with their parse and trust, learned SMSCs, modem health."""

from __future__ import annotations

import peewee

from appliance.store import models


def apply(db: peewee.Database) -> None:
    db.create_tables([models.SmsMessage, models.SmsPart, models.SenderSmsc, models.ModemSample], safe=True)
