"""0003: webhook secrets, deliveries and attempts; the dashboard's login, sessions and failed attempts."""

from __future__ import annotations

import peewee

from appliance.store import models


def apply(db: peewee.Database) -> None:
    db.create_tables(models.WEB_MODELS, safe=True)
