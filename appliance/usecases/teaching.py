"""The operator teaches the box: "this sender is Bank X" and "learn this format".

Both decisions are stored (tables ``taught_sender``, ``learned_template``: see
:mod:`appliance.usecases.taught`), recorded as events with who and when, and
followed at once by reading the stored messages they concern again, through
the normal intake (:meth:`SmsIngest.reread`): the trust checks and the matcher
decide, never the operator's action itself.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from appliance.domain.errors import InvalidInput, NotFound
from appliance.domain.reasons import codes, join, plain, say
from appliance.sms.bank_time import jalali_text
from appliance.sms.learn import Confirmed, LearnError, Proposal, learned_template, propose
from appliance.sms.model import Kind
from appliance.sms.normalize import normalize_digits
from appliance.sms.samples import check_template_file
from appliance.sms.senders import canonical_sender
from appliance.store import database as store
from appliance.store.models import LearnedTemplate, SenderSmsc, SmsMessage, TaughtSender
from appliance.usecases import taught
from appliance.usecases.sms_intake import SmsIngest

log = logging.getLogger(__name__)

REREAD_BATCH = 50  # stored messages read again per transaction: the write lock is never held for long

__all__ = ["Confirmed", "Proposal", "Taught", "Teaching", "claimed_bank", "is_held_for_sender"]


@dataclass(frozen=True)
class Taught:
    """What a decision did: its summary and what reading the stored messages again changed."""

    summary: str
    reread: dict[int, str] = field(default_factory=dict)  # message id -> what changed
    template_id: int | None = None


def claimed_bank(message: SmsMessage) -> str | None:
    """The bank a stored message is from, or (an untrusted sender) the one its text reads as."""
    if message.bank:
        return message.bank
    parsed = message.parsed or {}
    bank = parsed.get("bank") if isinstance(parsed, dict) else None
    return bank if isinstance(bank, str) else None


def is_held_for_sender(message: SmsMessage) -> bool:
    """Held because of who sent it: a sender on no allow-list whose text reads as a bank's movement,
    or a deposit held because its SMSC was never seen for the sender."""
    if not message.trusted and message.kind == Kind.OTHER.value and claimed_bank(message):
        return True
    return (
        bool(message.deposit_id)
        and any(c.startswith(("smsc_", "no_smsc")) for c in codes(message.trust_reason))
        and not message.trusted
    )


class Teaching:
    def __init__(self, ingest: SmsIngest) -> None:
        self.ingest = ingest
        self.service = ingest.service

    @property
    def banks(self) -> list[str]:
        return self.ingest.current_reader().banks

    def message(self, message_id: int) -> SmsMessage:
        message = SmsMessage.get_or_none(SmsMessage.id == message_id)
        if message is None:
            raise NotFound(f"no SMS {message_id}")
        return message

    # ----- "this sender is Bank X" ------------------------------------------------
    def trust_sender(
        self, actor: str, *, message_id: int | None = None, sender: str | None = None, bank: str | None = None
    ) -> Taught:
        """Trust a sender for a bank, pinned with the SMSC its message came through, and read its held
        messages again. By a held message (its sender, SMSC and claimed bank), or by sender and bank."""
        message = self.message(message_id) if message_id is not None else None
        if message is not None and message.trusted:
            raise InvalidInput(f"SMS {message.id} is from a trusted sender and is not held: nothing to trust")
        if message is not None:
            if sender and canonical_sender(sender) != canonical_sender(message.sender):
                raise InvalidInput(f"SMS {message.id} is from {message.sender!r}, not {sender!r}")
            sender = message.sender
            bank = bank or claimed_bank(message)
        if not sender or not sender.strip():
            raise InvalidInput("say which sender: a message id, or a sender and a bank")
        if not bank:
            raise InvalidInput(f"say which bank {sender!r} is (--bank; known: {', '.join(self.banks)})")
        if bank not in self.banks:
            raise InvalidInput(f"unknown bank {bank!r} (known: {', '.join(self.banks)})")
        key = canonical_sender(sender)
        if not key or len(key) > 40:
            raise InvalidInput(f"not a sender: {sender!r}")
        now = self.service.clock()
        current = self.ingest.current_reader().parse(sender, "")
        if current.sender_trusted and current.bank != bank:
            raise InvalidInput(f"sender {sender!r} is {current.bank}'s: it cannot be {bank}'s too")
        smsc = message.smsc if message is not None else None
        with store.write():
            said = []
            if not current.sender_trusted:
                TaughtSender.create(bank=bank, sender=key, message_id=message_id, created_by=actor[:80], created_at=now)
                said.append(say("sender_trusted", sender=sender, bank=bank))
            else:
                said.append(say("sender_was_trusted", sender=sender, bank=bank))
            if smsc:
                pinned = SenderSmsc.get_or_none((SenderSmsc.sender == sender) & (SenderSmsc.smsc == smsc))
                if pinned is None:
                    SenderSmsc.create(sender=sender, smsc=smsc, first_seen=now, last_seen=now, count=0)
                said.append(say("smsc_pinned", smsc=smsc))
            summary = join(*said)
            self.service.record_event(
                "sms",
                message_id or 0,
                "sender_trusted",
                actor,
                summary,
                data={"sender": sender, "bank": bank, "smsc": smsc},
                now=now,
            )
            changed = {}
            for held in self._held_from(sender):
                change = self.ingest.reread(held, actor)
                if change:
                    changed[held.id] = change
        log.info("%s: %s; %d held message(s) read again", actor, plain(summary), len(changed))
        return Taught(summary, changed)

    def _held_from(self, sender: str) -> list[SmsMessage]:
        key = canonical_sender(sender)
        return [
            m
            for m in SmsMessage.select().where(SmsMessage.trusted == False).order_by(SmsMessage.id)  # noqa: E712
            if canonical_sender(m.sender) == key and (is_held_for_sender(m) or m.kind == Kind.UNPARSED.value)
        ]

    # ----- "learn this format" -----------------------------------------------------
    def propose(self, message_id: int) -> Proposal:
        return propose(self.message(message_id).text)

    def learn(self, message_id: int, confirmed: Confirmed, actor: str) -> Taught:
        """Save a template that reads this unparsed message as ``confirmed``, then read every stored
        unparsed message again with it."""
        message = self.message(message_id)
        account = normalize_digits(confirmed.account).strip() if confirmed.account else None
        confirmed = replace(confirmed, account=account or None)
        if message.kind != Kind.UNPARSED.value:
            raise InvalidInput(f"SMS {message_id} is {message.kind}: only an unparsed message teaches a format")
        if not message.bank:
            raise InvalidInput(f"SMS {message_id}: its sender is no bank's: trust the sender first (sms trust-sender)")
        bank = message.bank
        now = self.service.clock()
        comment = (
            f"Learned by {actor} at {now.isoformat(timespec='seconds')} from SMS {message_id} "
            f"(sender {message.sender}).\nCheck with: carttocart sms test-template FILE"
        )
        body = learned_template(bank, message.text, confirmed, message_id=message_id, comment=comment)
        reader = taught.build_taught_reader(
            self.service.settings.sms.senders,
            self._templates_dir(),
            self.service.clock,
            extra_bodies=[("learning", body)],
        )
        reading = reader.parse(message.sender, message.text, message.scts)
        got = (reading.kind.value, reading.amount_rial, reading.balance_rial, reading.account)
        wanted = (confirmed.direction, confirmed.amount, confirmed.balance, confirmed.account or None)
        if got != wanted:
            raise LearnError(f"the learned template does not read the message as confirmed: {plain(reading.reason)}")
        expect: dict[str, object] = {
            "kind": reading.kind.value,
            "amount_rial": reading.amount_rial,
            "balance_rial": reading.balance_rial,
            "account": reading.account,
            "bank_time": jalali_text(reading.bank_time) if reading.bank_time else None,
            "channel": reading.channel,
            "settles": reading.settles,
        }
        body = learned_template(
            bank, message.text, confirmed, message_id=message_id, comment=comment, smsc_time=message.scts, expect=expect
        )
        self._check(body)
        with store.write():
            template = LearnedTemplate.create(
                bank=bank, body=body, message_id=message_id, created_by=actor[:80], created_at=now
            )
            summary = join(
                say("format_learned", message=message_id, bank=bank, direction=confirmed.direction),
                say("learned_amount", amount=confirmed.amount),
                say("learned_balance", balance=confirmed.balance) if confirmed.balance is not None else "",
                say("learned_account", account=confirmed.account) if confirmed.account else "",
                say("learned_template", template=template.id),
            )
            self.service.record_event(
                "sms",
                message_id,
                "format_learned",
                actor,
                summary,
                data={
                    "template": template.id,
                    "bank": bank,
                    "amount": confirmed.amount,
                    "direction": confirmed.direction,
                    "balance": confirmed.balance,
                    "account": confirmed.account,
                },
                now=now,
            )
        changed = self._reread_unparsed(actor)
        log.info("%s: %s; %d unparsed message(s) now read", actor, plain(summary), len(changed))
        return Taught(summary, changed, template.id)

    def _reread_unparsed(self, actor: str) -> dict[int, str]:
        """Every stored unparsed message read again, a batch per transaction (the receive path writes between)."""
        changed: dict[int, str] = {}
        ids = [m.id for m in SmsMessage.select(SmsMessage.id).where(SmsMessage.kind == Kind.UNPARSED.value)]
        for start in range(0, len(ids), REREAD_BATCH):
            with store.write():
                batch = SmsMessage.select().where(SmsMessage.id.in_(ids[start : start + REREAD_BATCH]))
                for stored in batch.order_by(SmsMessage.id):
                    if stored.kind != Kind.UNPARSED.value:
                        continue  # read meanwhile (another box learned the same format)
                    change = self.ingest.reread(stored, actor)
                    if change:
                        changed[stored.id] = change
        return changed

    def _templates_dir(self) -> Path | None:
        sms = self.service.settings.sms
        return self.service.settings.resolve_path(sms.templates_dir) if sms.templates_dir else None

    @staticmethod
    def _check(body: str) -> None:
        """The template must pass ``sms test-template``: its sample reads exactly as it says."""
        with tempfile.TemporaryDirectory(prefix="carttocart-learning-") as folder:
            path = Path(folder) / "learned.toml"
            path.write_text(body, encoding="utf-8")
            problems = [p for result in check_template_file(path) for p in result.problems]
        if problems:
            raise LearnError("the learned template does not read its own sample: " + "; ".join(problems))

    def forget_template(self, template_id: int, actor: str) -> str:
        """Remove a learned template (a mistake, or it was copied into the templates folder to be edited).
        What it already read stays as read; the next SMS are read without it."""
        now = self.service.clock()
        with store.write():
            template = LearnedTemplate.get_or_none(LearnedTemplate.id == template_id)
            if template is None:
                raise NotFound(f"no learned template {template_id}")
            template.delete_instance()
            summary = say("format_forgotten", template=template_id, bank=template.bank, message=template.message_id)
            self.service.record_event(
                "sms",
                template.message_id or 0,
                "format_forgotten",
                actor,
                summary,
                data={"template": template_id},
                now=now,
            )
        log.info("%s: %s", actor, plain(summary))
        return summary

    def templates(self) -> list[LearnedTemplate]:
        return list(LearnedTemplate.select().order_by(LearnedTemplate.id))

    def senders(self) -> list[TaughtSender]:
        return list(TaughtSender.select().order_by(TaughtSender.id))
