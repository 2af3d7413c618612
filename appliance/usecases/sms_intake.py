"""From raw SMS parts to settled payments, without ever losing a message.

1. :meth:`SmsIngest.store_part` commits one part exactly as the modem gave
   it (the PDU hex, sender, SMSC, SCTS, storage slot). Only after it returns
   does the modem layer delete the part from the SIM. Idempotent on the PDU's
   hash: a part seen twice (the network's duplicate, or the sweep and the
   notification both) is stored once.
2. :meth:`SmsIngest.process_ready` joins the parts of each message (8- and
   16-bit references, any order, repeats ignored); a message with a part
   still missing after ``sms.multipart_timeout_minutes`` goes on flagged.
3. Each message goes through the bank parser, the trust checks and the
   matcher in one transaction (:meth:`SmsIngest.ingest_message`).
A crash between 1 and 3 only delays: the scheduler runs step 2 again.

Why one module of ~400 lines: the three steps share the part and message rows and
the idempotency rules that make a crash between them harmless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import peewee

from appliance.domain.reasons import encode, join, parse, plain, reason, say
from appliance.settings import Settings
from appliance.sms import Kind, ParsedSms, SmsReader, check_balance, check_smsc
from appliance.sms.learn import read_by_learned_layout
from appliance.store import database as store
from appliance.store.models import SenderSmsc, SmsMessage, SmsPart
from appliance.usecases import taught
from appliance.usecases.core import DepositState
from appliance.usecases.service import NewDeposit, PaymentService, utcnow

log = logging.getLogger(__name__)

MISSING_PART = "[…]"


@dataclass(frozen=True)
class Concat:
    ref: int
    total: int
    seq: int
    bits: int  # 8 or 16: the reference's size


@dataclass(frozen=True)
class RawPart:
    """One SMS part as a modem stored it; ``text``/``sender`` are None when the PDU could not be decoded."""

    modem: str
    pdu_hex: str
    received_at: dt.datetime
    memory: str | None = None
    index: int | None = None
    sender: str | None = None
    smsc: str | None = None
    scts: dt.datetime | None = None
    text: str | None = None
    concat: Concat | None = None
    error: str | None = None
    box: str = ""  # the receiving box's ``[box] id`` in a fleet

    @property
    def pdu_hash(self) -> str:
        return hashlib.sha256(self.pdu_hex.strip().upper().encode("ascii", "replace")).hexdigest()


@dataclass(frozen=True)
class Assembled:
    text: str
    expected: int
    present: int

    @property
    def complete(self) -> bool:
        return self.present == self.expected


def assemble(parts: Sequence[SmsPart]) -> Assembled:
    """Join a message's parts in sequence order; a repeated part counts once, a missing one shows as […]."""
    by_seq: dict[int, SmsPart] = {}
    for part in sorted(parts, key=lambda p: p.id or 0):
        by_seq.setdefault(part.concat_seq or 1, part)
    total = max([p.concat_total or 1 for p in parts] + [len(by_seq)])
    text = "".join(by_seq[i].text or "" if i in by_seq else MISSING_PART for i in range(1, total + 1))
    return Assembled(text, total, len(by_seq))


def build_reader(settings: Settings, clock: Callable[[], dt.datetime] = utcnow) -> SmsReader:
    """The bank SMS reader the settings describe; ``clock`` is the box's (a message without an SMSC
    time is dated by it)."""
    templates = settings.resolve_path(settings.sms.templates_dir) if settings.sms.templates_dir else None
    # With what the operator taught (senders, learned formats: appliance.usecases.taught).
    return taught.build_taught_reader(settings.sms.senders, templates, clock)


def build_ingest(service: PaymentService) -> SmsIngest:
    """The intake for ``service``: its settings' reader, its clock."""
    return SmsIngest(service, build_reader(service.settings, service.clock), service.clock)


class SmsIngest:
    def __init__(self, service: PaymentService, reader: SmsReader, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.service = service
        self.reader = reader
        self.clock = clock
        sms = service.settings.sms
        self.balance_policy = sms.balance_policy
        self.multipart_timeout = dt.timedelta(minutes=sms.multipart_timeout_minutes)
        self._taught = taught.stamp()

    def current_reader(self) -> SmsReader:
        """The reader, rebuilt when the operator has taught the box something since it was built."""
        now_taught = taught.stamp()
        if now_taught != self._taught:
            self.reader = build_reader(self.service.settings, self.clock)
            self._taught = now_taught
            log.info("bank SMS reader rebuilt with what the operator taught")
        return self.reader

    # ----- retention ---------------------------------------------------------
    def purge(self, now: dt.datetime | None = None) -> int:
        """Delete SMS older than ``sms.retention_days`` (the deposits they made stay, with their reasons)."""
        cutoff = (now or self.clock()) - dt.timedelta(days=self.service.settings.sms.retention_days)
        stamp = SmsMessage.received_at.db_value(cutoff)
        with store.write():
            parts = store.execute(
                "DELETE FROM sms_part WHERE received_at < ? AND message_id IS NOT NULL "
                "AND message_id IN (SELECT id FROM sms_message WHERE received_at < ?)",
                stamp,
                stamp,
            ).rowcount
            messages = store.execute(
                "DELETE FROM sms_message WHERE received_at < ? AND id NOT IN "
                "(SELECT message_id FROM sms_part WHERE message_id IS NOT NULL)",
                stamp,
            ).rowcount
        if parts or messages:
            log.info("retention: deleted %d SMS (%d parts) received before %s", messages, parts, cutoff.date())
        return messages

    # ----- step 1: the modem layer's sink -----------------------------------
    def store_part(self, part: RawPart) -> bool:
        """Commit a part durably; True when it is new. Raises when the store cannot take it (keep it on the SIM)."""
        values = dict(
            modem=part.modem,
            box=part.box,
            memory=part.memory,
            storage_index=part.index,
            pdu_hex=part.pdu_hex.strip().upper(),
            pdu_hash=part.pdu_hash,
            sender=part.sender,
            smsc=part.smsc,
            scts=part.scts,
            received_at=part.received_at,
            text=part.text,
            error=part.error,
            concat_ref=part.concat.ref if part.concat else None,
            concat_total=part.concat.total if part.concat else None,
            concat_seq=part.concat.seq if part.concat else None,
            concat_bits=part.concat.bits if part.concat else None,
        )
        with store.write():
            if store.execute("SELECT 1 FROM sms_part WHERE pdu_hash = ?", values["pdu_hash"]).fetchone():
                log.info("SMS part from %s seen again (slot %s); already stored", part.sender, part.index)
                return False
            try:
                with store.database.obj.atomic():
                    store.insert(SmsPart, values)
            except peewee.IntegrityError:  # stored meanwhile by another box or thread
                return False
        log.info(
            "stored SMS part from %s (slot %s%s)",
            part.sender,
            part.index,
            f", part {part.concat.seq}/{part.concat.total}" if part.concat else "",
        )
        return True

    # ----- step 2: whole messages -------------------------------------------
    def process_ready(self, now: dt.datetime | None = None) -> int:
        """Turn every complete (or timed-out) group of stored parts into a processed message."""
        now = now or self.clock()
        pending = store.rows(SmsPart, "SELECT * FROM sms_part WHERE message_id IS NULL ORDER BY id")
        done = 0
        for group in _groups(pending, self.multipart_timeout):
            assembled = assemble(group)
            first = min(p.received_at for p in group)
            if not assembled.complete and now - first < self.multipart_timeout:
                continue  # the other parts may still come
            done += self._process_group(group, assembled)
        return done

    def _process_group(self, group: list[SmsPart], assembled: Assembled) -> int:
        head = min(group, key=lambda p: (p.concat_seq or 1, p.id))
        flags = []
        if not assembled.complete:
            flags.append(
                say("parts_missing", missing=assembled.expected - assembled.present, expected=assembled.expected)
            )
        errors = sorted({p.error for p in group if p.error})
        if errors:
            flags.append(say("undecodable_pdu", detail="; ".join(errors)))
        key = "parts:" + hashlib.sha256("".join(sorted(p.pdu_hash for p in group)).encode()).hexdigest()
        message = self.ingest_message(
            sender=head.sender or "",
            text=assembled.text,
            smsc=head.smsc,
            scts=head.scts,
            received_at=max(p.received_at for p in group),
            source="modem",
            origin=f"{head.box}/{head.modem}" if head.box else head.modem,
            dedupe_key=key,
            flag=join(*flags) or None,
            parts=group,
            undecodable=bool(errors) and not assembled.text,
        )
        return 1 if message is not None else 0

    # ----- step 3: parse, trust, match --------------------------------------
    def ingest_message(
        self,
        *,
        sender: str,
        text: str,
        smsc: str | None,
        scts: dt.datetime | None,
        received_at: dt.datetime,
        source: str,
        origin: str,
        dedupe_key: str,
        flag: str | None = None,
        parts: Iterable[SmsPart] = (),
        undecodable: bool = False,
    ) -> SmsMessage | None:
        """Parse one whole SMS, check trust, record its deposit and settle, in one transaction.

        Idempotent on ``dedupe_key``: the same message again returns the stored one.
        """
        parts = list(parts)
        try:
            with store.write():
                existing = store.first(SmsMessage, "SELECT * FROM sms_message WHERE dedupe_key = ?", dedupe_key)
                if existing is not None:
                    self._link(parts, existing)
                    return existing
                if undecodable:
                    parsed = ParsedSms(Kind.UNPARSED, None, reason=say("pdu_undecodable"))
                else:
                    parsed = self.current_reader().parse(
                        sender or None, text, scts, previous_balance=self._last_balance
                    )
                trusted, trust_reason, hold = self._trust(parsed, sender, smsc, scts or received_at, flag)
                values = dict(
                    source=source,
                    origin=origin,
                    sender=sender,
                    smsc=smsc,
                    scts=scts,
                    received_at=received_at,
                    text=text,
                    parts_expected=max([p.concat_total or 1 for p in parts] + [1]),
                    parts_present=len({p.concat_seq or 1 for p in parts}) or 1,
                    flag=flag,
                    kind=parsed.kind.value,
                    bank=parsed.bank,
                    account=parsed.account,
                    amount=parsed.amount_rial,
                    balance=parsed.balance_rial,
                    parsed=_parsed_json(parsed),
                    reason=parsed.reason,
                    trusted=trusted,
                    trust_reason=trust_reason,
                    dedupe_key=dedupe_key,
                    deposit=None,
                )
                message = SmsMessage(id=store.insert(SmsMessage, values), **values)
                self._link(parts, message)
                if parsed.kind is Kind.DEPOSIT and parsed.sender_trusted and parsed.amount_rial:
                    outcome = self.service.record_deposit(
                        _new_deposit(parsed, f"sms:{origin}", scts, received_at, dedupe_key, hold)
                    )
                    message.deposit_id = outcome.deposit.id
                    store.execute("UPDATE sms_message SET deposit_id = ? WHERE id = ?", outcome.deposit.id, message.id)
                    log.info(
                        "SMS %s from %s: deposit %s -> %s",
                        message.id,
                        sender,
                        outcome.deposit.id,
                        outcome.deposit.state,
                    )
                else:
                    log.info("SMS %s from %s: %s (%s)", message.id, sender, parsed.kind.value, plain(parsed.reason))
                return message
        except peewee.IntegrityError:
            # Another thread or box processed this very message at the same moment.
            return SmsMessage.get_or_none(SmsMessage.dedupe_key == dedupe_key)

    def reread(self, message: SmsMessage, actor: str) -> str | None:
        """Read a stored message again with the current reader (after the operator taught the box).

        A message that now reads otherwise is updated and, when it is a trusted deposit, goes to the
        matcher exactly as a new one would; a held deposit whose hold no longer applies is settled by
        the matcher. Returns what changed (None: nothing). Call inside ``store.write()``.
        """
        parsed = self.current_reader().parse(message.sender or None, message.text, message.scts)
        deposit = self.service.get_deposit(message.deposit_id) if message.deposit_id else None
        if deposit is not None and deposit.state != DepositState.HELD:
            return None  # settled, dismissed or refunded meanwhile: the operator's decisions stand
        trusted, trust_reason, hold = self._trust(
            parsed, message.sender, message.smsc, message.scts or message.received_at, message.flag
        )
        if deposit is None and parsed.kind.value == message.kind and parsed.sender_trusted == message.trusted:
            return None
        store.execute(
            "UPDATE sms_message SET kind = ?, bank = ?, account = ?, amount = ?, balance = ?, parsed = ?, "
            "reason = ?, trusted = ?, trust_reason = ? WHERE id = ?",
            parsed.kind.value,
            parsed.bank,
            parsed.account,
            parsed.amount_rial,
            parsed.balance_rial,
            SmsMessage.parsed.db_value(_parsed_json(parsed)),
            parsed.reason,
            trusted,
            trust_reason,
            message.id,
        )
        change = join(say("reread", before=message.kind, after=parsed.kind.value), parsed.reason)
        if parsed.kind is Kind.DEPOSIT and parsed.sender_trusted and parsed.amount_rial:
            if deposit is not None:
                if hold is not None:
                    return None
                self.service.resettle_held(deposit, actor)
                change = join(say("held_released", deposit=deposit.id), trust_reason)
            else:
                outcome = self.service.record_deposit(
                    _new_deposit(
                        parsed, f"sms:{message.origin}", message.scts, message.received_at, message.dedupe_key, hold
                    )
                )
                message.deposit_id = outcome.deposit.id
                store.execute("UPDATE sms_message SET deposit_id = ? WHERE id = ?", outcome.deposit.id, message.id)
                change = join(change, say("deposit_made", deposit=outcome.deposit.id, state=outcome.deposit.state))
        self.service.record_event(
            "sms",
            message.id,
            "reread",
            actor,
            change,
            message.kind,
            parsed.kind.value,
            data={"deposit": message.deposit_id},
        )
        log.info("SMS %s read again: %s", message.id, plain(change))
        return change

    def has_message(self, dedupe_key: str) -> bool:
        """Has a message with this key been stored already (the same SMS handed in twice)?"""
        return SmsMessage.select().where(SmsMessage.dedupe_key == dedupe_key).exists()

    @staticmethod
    def _link(parts: list[SmsPart], message: SmsMessage) -> None:
        ids = [p.id for p in parts if p.id is not None]
        if ids:
            store.execute(
                f"UPDATE sms_part SET message_id = ? WHERE message_id IS NULL AND id IN ({', '.join('?' * len(ids))})",
                message.id,
                *ids,
            )

    def _trust(
        self, parsed: ParsedSms, sender: str, smsc: str | None, seen_at: dt.datetime, flag: str | None
    ) -> tuple[bool, str, str | None]:
        """(trusted, the reasons, why to hold the deposit or None). Learns the sender's SMSC as it goes."""
        if not parsed.sender_trusted:
            return False, say("sender_not_allowed_stored"), None
        reasons, hold = [say("sender_allowed")], None
        known = [smsc for (smsc,) in store.execute("SELECT smsc FROM sender_smsc WHERE sender = ?", sender)]
        decision = check_smsc(smsc, known)
        reasons.append(decision.reason)
        if decision.hold:
            hold = decision.reason
        elif smsc:
            self._learn_smsc(sender, smsc, seen_at)
        if parsed.kind is Kind.DEPOSIT or parsed.kind is Kind.WITHDRAWAL:
            previous = self._previous_balance(parsed)
            balance = check_balance(previous, parsed, self.balance_policy)
            reasons.append(balance.reason)
            if balance.hold and hold is None:
                hold = balance.reason
            elif balance.warning and read_by_learned_layout(parsed.reason):
                # A learned template has one sample behind it: a balance that contradicts it is held.
                hold = encode(*[r for r in parse(balance.reason) if r.code != "warned_lenient"], reason("held_learned"))
            elif balance.warning:
                log.warning("balance continuity: %s", plain(balance.reason))
        if flag and hold is None and parsed.kind is Kind.DEPOSIT:
            hold = join(say("flagged_held"), flag)
        return hold is None, join(*reasons), hold

    def _learn_smsc(self, sender: str, smsc: str, at: dt.datetime) -> None:
        stamp = SenderSmsc.last_seen.db_value(at)
        updated = store.execute(
            "UPDATE sender_smsc SET last_seen = ?, count = count + 1 WHERE sender = ? AND smsc = ?", stamp, sender, smsc
        ).rowcount
        if not updated:
            SenderSmsc.create(sender=sender, smsc=smsc, first_seen=at, last_seen=at)

    @staticmethod
    def _previous_balance(parsed: ParsedSms) -> int | None:
        if not parsed.account or not parsed.bank:
            return None
        return SmsIngest._last_balance(parsed.bank, parsed.account)

    @staticmethod
    def _last_balance(bank: str, account: str) -> int | None:
        """The last balance a trusted SMS printed for this account: the reader's balance arithmetic uses it."""
        row = store.execute(
            "SELECT balance FROM sms_message WHERE bank = ? AND account = ? AND balance IS NOT NULL AND trusted = ? "
            "ORDER BY id DESC LIMIT 1",
            bank,
            account,
            True,
        ).fetchone()
        return row[0] if row else None


def _groups(parts: list[SmsPart], window: dt.timedelta) -> list[list[SmsPart]]:
    """Parts of one message: same sender and concatenation reference, received within the window.

    References wrap (256 or 65536 of them), so an old, never-completed group
    and a new message with the same reference are kept apart by time.
    """
    singles = [[p] for p in parts if p.concat_ref is None or p.error]
    keyed: dict[tuple, list[SmsPart]] = defaultdict(list)
    for p in parts:
        if p.concat_ref is not None and not p.error:
            # Per box and modem: two boxes of a fleet may each get parts with the same sender and reference.
            keyed[(p.box, p.modem, p.sender, p.concat_ref, p.concat_total, p.concat_bits)].append(p)
    groups = []
    for members in keyed.values():
        current: list[SmsPart] = []
        for p in sorted(members, key=lambda p: p.received_at):
            if current and p.received_at - current[0].received_at > window:
                groups.append(current)
                current = []
            current.append(p)
        groups.append(current)
    return singles + groups


def _new_deposit(
    parsed: ParsedSms,
    created_by: str,
    scts: dt.datetime | None,
    received_at: dt.datetime,
    dedupe_key: str,
    hold: str | None,
) -> NewDeposit:
    """The deposit a trusted message's reading makes, held with ``hold`` when the trust rules say so."""
    assert parsed.amount_rial is not None
    return NewDeposit(
        amount=parsed.amount_rial,
        source="sms",
        created_by=created_by,
        account=parsed.account,
        bank=parsed.bank,
        payer_card=parsed.counterpart_card,
        balance=parsed.balance_rial,
        bank_time=parsed.bank_time,
        smsc_time=scts,
        received_at=received_at,
        dedupe_key=_deposit_key(parsed, dedupe_key),
        settles=parsed.settles,
        hold_reason=hold,
    )


def _deposit_key(parsed: ParsedSms, message_key: str) -> str:
    """The same money twice in two SMS (a network re-delivery with a new timestamp) is one deposit.

    Bank, account, amount, balance after and the bank's own time together
    identify a transfer; without a balance or time, only the message itself does.
    """
    if parsed.balance_rial is not None and parsed.bank_time is not None:
        ident = (
            f"{parsed.bank}|{parsed.account}|{parsed.amount_rial}|{parsed.balance_rial}|{parsed.bank_time.isoformat()}"
        )
        return "sms:" + hashlib.sha256(ident.encode()).hexdigest()[:40]
    return "msg:" + message_key[-40:]


def _parsed_json(parsed: ParsedSms) -> dict[str, object]:
    return {
        "kind": parsed.kind.value,
        "bank": parsed.bank,
        "amount_rial": parsed.amount_rial,
        "balance_rial": parsed.balance_rial,
        "account": parsed.account,
        "counterpart_card": parsed.counterpart_card,
        "bank_time": parsed.bank_time.isoformat() if parsed.bank_time else None,
        "channel": parsed.channel,
        "settles": parsed.settles,
        "sender_trusted": parsed.sender_trusted,
        "reason": parsed.reason,
    }
