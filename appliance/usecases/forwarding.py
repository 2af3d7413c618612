"""The SIM's other messages reach the owner: non-deposit SMS forwarded by SMS, by the owner's rule.

``[forwarding] rule``: ``none``; ``all`` (every message that is not a deposit or
a withdrawal notice: bank one-time passwords, notices, the operator's
messages); ``bank_otp`` (the one-time passwords of ``forwarding.bank``);
``pattern`` (senders matching ``forwarding.sender_pattern``). Deposits are
never forwarded: their amount and card are on the dashboard, and a deposit SMS
in full would put the account's balance on another phone.

The scheduled job reads the messages stored since the last run (the position
is kept in the store and moved by compare-and-set, so neither a restart nor a
second box sharing the database forwards a message twice) and queues
one SMS each in the owner's outbox (:class:`~appliance.usecases.alerts.AlertCenter`),
which applies ``forwarding.daily_cap`` within ``alerts.sms_daily_cap`` and logs
every one (``owner_notice``, purpose ``forward``).
"""

from __future__ import annotations

import logging
import re

from appliance.domain.reasons import parse
from appliance.settings import Settings
from appliance.store import database as store
from appliance.store.models import Meta, SmsMessage
from appliance.usecases.alerts import AlertCenter

log = logging.getLogger(__name__)

POSITION_KEY = "forwarding_last_sms_id"
NEVER = ("deposit", "withdrawal")
# One-time passwords as Iranian banks word them (the bank SMS reader calls them "one-time password" too).
_OTP = re.compile(r"رمز\s*(?:پویا|دوم|یکبار|یک\s*بار)|کد\s*(?:تایید|تأیید|فعال\s*سازی)|one[- ]time|\botp\b", re.I)
MAX_CHARS = 320  # five UCS2 parts at most


def matches(settings: Settings, message: SmsMessage) -> bool:
    """Whether the owner's rule forwards this message."""
    rule = settings.forwarding
    if message.kind in NEVER or rule.rule == "none":
        return False
    if rule.rule == "all":
        return True
    if rule.rule == "bank_otp":
        is_otp = any(r.params.get("rule") == "one-time password" for r in parse(message.reason)) or bool(
            _OTP.search(message.text or "")
        )
        return (message.bank or "").lower() == rule.bank.lower() and is_otp
    if rule.rule == "pattern":
        return bool(re.search(rule.sender_pattern, message.sender or ""))
    return False


def forward_text(settings: Settings, message: SmsMessage) -> str:
    head = (
        f"[{settings.box.name}] {message.sender}:"
        if settings.alerts.language == "en"
        else f"[{settings.box.name}] از {message.sender}:"
    )
    text = f"{head}\n{message.text}"
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


class Forwarder:
    def __init__(self, settings: Settings, alerts: AlertCenter) -> None:
        self.settings = settings
        self.alerts = alerts

    def _position(self) -> int | None:
        row = Meta.get_or_none(Meta.key == POSITION_KEY)
        return int(row.value) if row else None

    def _save(self, last_id: int) -> None:
        Meta.insert(key=POSITION_KEY, value=str(last_id)).on_conflict(
            conflict_target=[Meta.key], update={Meta.value: str(last_id)}
        ).execute()

    def run(self) -> int:
        """Queue the new messages the rule forwards; returns how many were queued."""
        newest = SmsMessage.select(SmsMessage.id).order_by(SmsMessage.id.desc()).first()
        newest_id = newest.id if newest else 0
        position = self._position()
        if position is None:  # the first run: what came before is not forwarded
            with store.write():
                self._save(newest_id)
            return 0
        if self.settings.forwarding.rule == "none" or not self.settings.alerts.owner_phone:
            if newest_id != position:
                with store.write():
                    self._save(newest_id)
            return 0
        queued = 0
        # Read the batch first: a write begun inside an open SQLite read fails at once ("database is locked")
        # when another writer committed after the read began.
        batch = list(SmsMessage.select().where(SmsMessage.id > position).order_by(SmsMessage.id).limit(100))
        for message in batch:
            with store.write():
                # Compare and set: of the boxes sharing this database, one moves the position, and forwards.
                moved = (
                    Meta.update(value=str(message.id))
                    .where((Meta.key == POSITION_KEY) & (Meta.value == str(position)))
                    .execute()
                )
                if not moved:
                    return queued  # another box is forwarding these
                position = message.id
                if matches(self.settings, message):
                    self.alerts.queue_sms("forward", forward_text(self.settings, message), sms_message_id=message.id)
                    queued += 1
                    log.info("SMS %s from %s queued for forwarding to the owner", message.id, message.sender)
        return queued
