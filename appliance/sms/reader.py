"""Reading one bank SMS: sender -> bank -> layout or fields -> a deposit, a withdrawal, other, or unparsed.

The sender picks the bank (several banks print no name; Pasargad and Resalat
share a layout byte for byte). The bank's templates are tried first: a layout
must match the whole normalised message. What a layout reads is checked
against the field reader (:mod:`appliance.sms.fields`) and, when the caller
knows the account's previous balance, against the balance arithmetic: a
disagreement keeps the deposit from settling. When no layout matches, the
bank's and the shared "other" rules (OTP, advert, notices) may say what it
is; then the field reader reads it line by line, whatever the order of its
fields; a message that looks like money but that neither reads is unparsed,
one that does not look like money is "other".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from appliance.domain.reasons import Reason, encode, extend, join, layout_names, reason, say
from appliance.sms.bank_time import BadDate, resolve_bank_time
from appliance.sms.fields import BankLexicon, FieldReading, read_fields
from appliance.sms.model import NON_SETTLING_CHANNELS, Kind, ParsedSms
from appliance.sms.normalize import THOUSANDS_SEPARATORS, normalize_text, normalize_word, tolerant_variants
from appliance.sms.senders import SenderDirectory
from appliance.sms.template import Dialect, Layout, load_dialects, template_paths

log = logging.getLogger(__name__)

# The account's last known balance, found by the caller: (bank, account) -> balance or None.
PreviousBalance = Callable[[str, str], int | None]

_NOT_BESIDE_A_NUMBER = set("0123456789" + THOUSANDS_SEPARATORS)


class LayoutMismatch(Exception):
    """The layout's pattern matched but what it captured does not make sense."""


@dataclass(frozen=True)
class _Reading:
    """What one layout made of a message, before the sender's trust is applied."""

    parsed: ParsedSms
    may_settle: bool


def _number(text: str, match_start: int, match_end: int, source: str) -> int:
    # Normalisation removed separators only from well-grouped numbers: a
    # separator or digit next to a captured number means it was cut out of
    # a malformed one (12,75,000), which must never be read as money.
    if (
        source[match_start - 1 : match_start] in _NOT_BESIDE_A_NUMBER
        or source[match_end : match_end + 1] in _NOT_BESIDE_A_NUMBER
    ):
        raise LayoutMismatch(f"malformed number near {text!r}")
    return int(text)


def read_layout(layout: Layout, text: str, reference: datetime) -> _Reading | None:
    """``None`` when the layout does not match; :class:`LayoutMismatch` when it matches but makes no sense."""
    match = layout.regex.fullmatch(text)
    if match is None:
        return None
    fields = match.groupdict()
    directions: dict[str, Kind] = {}
    channels: dict[str, str] = {}
    may_settle = layout.settles
    if layout.direction:
        directions["layout"] = layout.direction
    if layout.channel:
        channels["layout"] = layout.channel
    if fields.get("sign"):
        directions["sign"] = Kind.DEPOSIT if fields["sign"] == "+" else Kind.WITHDRAWAL
    for group, table in layout.words.items():
        if fields.get(group) is None:
            continue
        meaning = table.get(normalize_word(fields[group]))
        if meaning is None:
            raise LayoutMismatch(f"unknown {group} {fields[group]!r}")
        if meaning.direction:
            directions[group] = meaning.direction
        if meaning.channel:
            channels[group] = meaning.channel
        may_settle = may_settle and meaning.settles
    if len(set(directions.values())) != 1:
        said = ", ".join(f"{k} says {v.value}" for k, v in directions.items()) or "nothing says which"
        raise LayoutMismatch(f"direction unclear ({said})")
    if len(set(channels.values())) > 1:
        raise LayoutMismatch(f"channels disagree ({', '.join(f'{k}: {v}' for k, v in channels.items())})")
    amount = _number(fields["amount"], match.start("amount"), match.end("amount"), text)
    if amount <= 0:
        raise LayoutMismatch("amount is zero")
    balance = None
    if fields.get("balance") is not None:
        balance = _number(fields["balance"], match.start("balance"), match.end("balance"), text)
    try:
        bank_time = resolve_bank_time(fields, reference)
    except BadDate as exc:
        raise LayoutMismatch(str(exc)) from exc
    kind = next(iter(directions.values()))
    channel = next(iter(channels.values()), None)
    may_settle = may_settle and kind is Kind.DEPOSIT and channel not in NON_SETTLING_CHANNELS
    parsed = ParsedSms(
        kind=kind,
        bank=layout.bank,
        amount_rial=amount,
        balance_rial=balance,
        account=fields.get("account"),
        counterpart_card=fields.get("counterpart_card"),
        bank_time=bank_time,
        channel=channel,
        reason=say("read_by_layout", kind=kind.value, bank=layout.bank, layout=layout.name),
    )
    return _Reading(parsed, may_settle)


class SmsReader:
    """Reads bank SMS with the built-in dialects plus an operator's templates folder.

    ``extra_senders`` is the settings' ``[sms.senders]`` (bank -> senders),
    added to each dialect's shipped allow-list. ``now`` gives the reference
    time when a message comes without its SMSC time (tests pass a fixed one).
    """

    def __init__(
        self,
        extra_senders: Mapping[str, Sequence[str]] = {},
        templates_dir: Path | None = None,
        *,
        extra_templates: Sequence[Path] = (),
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self._dialects, self._shared_others = load_dialects(template_paths(templates_dir, list(extra_templates)))
        self._senders = SenderDirectory({bank: d.senders for bank, d in self._dialects.items()}, extra_senders)
        self._now = now or (lambda: datetime.now(UTC))
        self._lexicons = {bank: _with_template_traps(d).compiled() for bank, d in self._dialects.items()}
        # For the field reader's trap check: which bank each name line names, the banks sharing a
        # layout with a bank, and the layouts of every other bank.
        self._name_owner = {name: bank for bank, d in self._dialects.items() for name in d.lexicon.names}
        self._related = {
            bank: set(d.layouts_from) | {b for b, o in self._dialects.items() if bank in o.layouts_from}
            for bank, d in self._dialects.items()
        }
        # Unions of layouts (see _union), compiled on first use so that loading stays quick.
        self._unions: dict[str, re.Pattern[str] | None] = {}
        self._strangers_layouts = {
            bank: [
                layout
                for other, d in self._dialects.items()
                if other != bank and other not in self._related[bank]
                for layout in d.layouts
                if layout.bank == other
            ]
            for bank in self._dialects
        }
        self.banks: list[str] = sorted(self._dialects)

    @property
    def dialects(self) -> Mapping[str, Dialect]:
        return self._dialects

    def parse(
        self,
        sender: str | None,
        text: str,
        smsc_time: datetime | None = None,
        *,
        previous_balance: int | PreviousBalance | None = None,
    ) -> ParsedSms:
        """One SMS read. ``previous_balance``: the account's last known balance, or a function
        ``(bank, account) -> balance or None`` that finds it (the reader itself keeps no state)."""
        if smsc_time is not None and smsc_time.utcoffset() is None:
            raise ValueError("smsc_time must be an aware datetime")
        normalized = normalize_text(text)
        reference = smsc_time or self._now()
        bank = self._senders.bank_of(sender)
        if bank is None:
            return self._foreign(sender, normalized, reference)
        dialect = self._dialects[bank]
        if callable(previous_balance):
            # The layouts' readings do not depend on the balance: the second reading reuses them.
            layouts = _read_tolerantly(dialect.layouts, normalized, reference, self._union("bank:" + bank))
            parsed = self._read(dialect, normalized, reference, None, layouts)
            if parsed.kind not in (Kind.DEPOSIT, Kind.WITHDRAWAL) or not parsed.account:
                return parsed
            known = previous_balance(bank, parsed.account)
            return parsed if known is None else self._read(dialect, normalized, reference, known, layouts)
        return self._read(dialect, normalized, reference, previous_balance)

    def _read(
        self,
        dialect: Dialect,
        text: str,
        reference: datetime,
        previous: int | None,
        layouts: tuple[list[_Reading], list[str]] | None = None,
    ) -> ParsedSms:
        """``layouts``: what :func:`_read_tolerantly` made of ``text`` with the bank's layouts, if known."""
        if layouts is None:
            layouts = _read_tolerantly(dialect.layouts, text, reference, self._union("bank:" + dialect.bank))
        readings, mismatches = layouts
        unsure = ParsedSms(kind=Kind.UNPARSED, bank=dialect.bank, sender_trusted=True)
        lexicon = self._lexicons[dialect.bank]
        if readings:
            first = readings[0]
            if any(not _same_reading(first, other) for other in readings[1:]):
                return replace(
                    unsure,
                    reason=say("layouts_disagree", layouts=", ".join(layout_names(r.parsed.reason for r in readings))),
                )
            may_settle, verdict = first.may_settle, say("settles") if first.may_settle else say("not_settling")
            if first.parsed.kind is Kind.DEPOSIT and not first.may_settle:
                verdict = say("does_not_settle", channel=first.parsed.channel or "not a customer payment")
            if may_settle:
                fields = read_fields(text, reference, lexicon=lexicon, previous_balance=previous)
                doubt = _doubt(first.parsed, fields, previous)
                if doubt:
                    may_settle, verdict = False, doubt
            return replace(
                first.parsed,
                bank=dialect.bank,
                sender_trusted=True,
                settles=may_settle,
                reason=join(first.parsed.reason, verdict),
            )
        if not mismatches:
            for rule in dialect.others + self._shared_others:
                if rule.applies(text):
                    return ParsedSms(
                        kind=Kind.OTHER,
                        bank=dialect.bank,
                        sender_trusted=True,
                        reason=say("other_rule", rule=rule.reason),
                    )
        if lexicon.enabled:
            fields = read_fields(text, reference, lexicon=lexicon, previous_balance=previous)
            if fields.kind is not None:
                stranger = self._another_banks_text(dialect.bank, text, reference)
                if stranger:
                    return ParsedSms(
                        kind=Kind.OTHER,
                        bank=dialect.bank,
                        amount_rial=fields.amount_rial,
                        balance_rial=fields.balance_rial,
                        account=fields.account,
                        sender_trusted=True,
                        reason=encode(extend(stranger, bank=dialect.bank, kind=fields.kind.value)),
                    )
                return _from_fields(fields, dialect.bank)
            if not fields.looks_like_money and not mismatches:
                return ParsedSms(
                    kind=Kind.OTHER,
                    bank=dialect.bank,
                    sender_trusted=True,
                    reason=say("no_movement", problem=fields.problem),
                )
            why = [say("fields_problem", problem=fields.problem)]
        else:
            why = []
        if mismatches:
            return replace(unsure, reason=join(*mismatches, *why))
        return replace(unsure, reason=join(say("no_layout", bank=dialect.bank), *why))

    def _union(self, key: str) -> re.Pattern[str] | None:
        """``"*"``: every bank's layouts; ``"bank:<key>"``: that bank's (its own and shared ones)."""
        if key not in self._unions:
            if key == "*":
                layouts = [layout for d in self._dialects.values() for layout in d.layouts]
            else:
                layouts = self._dialects[key.removeprefix("bank:")].layouts
            self._unions[key] = _union(layouts)
        return self._unions[key]

    def _another_banks_text(self, bank: str, text: str, reference: datetime) -> Reason | None:
        """Why a text the field reader reads is another bank's: it names that bank, or is its layout."""
        for line in text.split("\n"):
            owner = self._name_owner.get(line.strip("* "))
            if owner and owner != bank and owner not in self._related[bank]:
                return reason("names_other_bank", owner=owner)
        # One pass of a regex joining every layout says whether any could match at all.
        any_layout = self._union("*")
        if any_layout is not None and any_layout.fullmatch(text) is None:
            return None
        claims = _read_layouts(self._strangers_layouts[bank], text, reference)[0]
        if claims:
            return reason(
                "is_other_layout", owner=claims[0].parsed.bank, layout=layout_names([claims[0].parsed.reason])[0]
            )
        return None

    def _foreign(self, sender: str | None, text: str, reference: datetime) -> ParsedSms:
        """A sender on no allow-list: never a deposit; read only to show what the text claims."""
        who = say("sender_not_allowed", sender=sender) if sender else say("no_sender")
        any_layout = self._union("*")
        if any_layout is not None and not any(any_layout.fullmatch(t) for t in (text, *tolerant_variants(text))):
            return ParsedSms(kind=Kind.OTHER, bank=None, reason=who)  # no layout could claim it
        # A shared layout (Resalat uses Pasargad's) is tried once, under its own bank.
        own_layouts = [layout for d in self._dialects.values() for layout in d.layouts if layout.bank == d.bank]
        claims = [reading.parsed for reading in _read_tolerantly(own_layouts, text, reference)[0]]
        if not claims:
            return ParsedSms(kind=Kind.OTHER, bank=None, reason=who)
        banks = sorted({claim.bank for claim in claims if claim.bank})
        claim = claims[0] if len(banks) == 1 else replace(claims[0], bank=None)
        log.info("SMS from untrusted %s reads as a %s %s", sender, "/".join(banks), claim.kind.value)
        return replace(
            claim,
            kind=Kind.OTHER,
            settles=False,
            sender_trusted=False,
            reason=join(who, say("claims_untrusted", banks="/".join(banks), kind=claim.kind.value)),
        )


def _read_layouts(layouts: Sequence[Layout], text: str, reference: datetime) -> tuple[list[_Reading], list[str]]:
    """The readings of the layouts that match, and why those that matched but made no sense failed."""
    readings: list[_Reading] = []
    mismatches: list[str] = []
    for layout in layouts:
        try:
            reading = read_layout(layout, text, reference)
        except LayoutMismatch as exc:
            mismatches.append(say("layout_mismatch", bank=layout.bank, layout=layout.name, problem=str(exc)))
            continue
        if reading is not None:
            readings.append(reading)
    return readings, mismatches


def _read_tolerantly(
    layouts: Sequence[Layout], text: str, reference: datetime, union: re.Pattern[str] | None = None
) -> tuple[list[_Reading], list[str]]:
    """:func:`_read_layouts` on the message as it came; when nothing matches, on its tolerant variants.

    The variants (advert lines at the ends dropped, ``N:مانده`` put back as
    ``مانده:N``) are all tried and their readings pooled, so two variants
    that read differently leave the message unparsed like two layouts would.
    ``union`` (:func:`_union` of ``layouts``) skips a text no layout can match.
    """

    def read(candidate: str) -> tuple[list[_Reading], list[str]]:
        if union is not None and union.fullmatch(candidate) is None:
            return [], []
        return _read_layouts(layouts, candidate, reference)

    readings, mismatches = read(text)
    if readings or mismatches:
        return readings, mismatches
    for variant in tolerant_variants(text):
        more, why = read(variant)
        readings += more
        mismatches += why
    return readings, mismatches


def _with_template_traps(dialect: Dialect) -> BankLexicon:
    """The bank's lexicon plus every word its layouts say never settles: drifted, such a message stays unpayable."""
    traps = {
        word: meaning.channel or "not a customer payment"
        for layout in dialect.layouts
        for table in layout.words.values()
        for word, meaning in table.items()
        if not meaning.settles
    }
    return replace(dialect.lexicon, non_settling={**traps, **dialect.lexicon.non_settling})


_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_][A-Za-z0-9_]*>")


def _union(layouts: Sequence[Layout]) -> re.Pattern[str] | None:
    """A regex that fully matches what any of ``layouts`` fully matches (their named groups unnamed).

    ``None`` when the patterns cannot be joined (an operator's pattern with global flags, say): then
    every layout is tried on its own, as before.
    """
    if not layouts:
        return re.compile(r"(?!)")
    parts = [f"(?:{_NAMED_GROUP.sub('(?:', layout.regex.pattern)})" for layout in layouts]
    try:
        return re.compile("|".join(parts))
    except re.error:
        return None


def _doubt(parsed: ParsedSms, fields: FieldReading, previous: int | None) -> str | None:  # a stored reason
    """Why a layout's settling deposit must be held: the field reader or the balance arithmetic disagrees."""
    amount, balance = parsed.amount_rial, parsed.balance_rial
    if previous is not None and balance is not None and amount is not None:
        if previous - amount == balance and previous + amount != balance:
            return say("doubt_withdrawal_sum", previous=previous, amount=amount, balance=balance)
    if fields.kind is None:
        if fields.problem and fields.problem.startswith("the evidence disagrees"):
            return say("doubt_fields_problem", problem=fields.problem)
        return None
    if fields.kind is not parsed.kind or fields.amount_rial != parsed.amount_rial:
        return say(
            "doubt_fields_kind",
            kind=fields.kind.value,
            amount=fields.amount_rial,
            layout_kind=parsed.kind.value,
            layout_amount=parsed.amount_rial,
        )
    if None not in (fields.balance_rial, parsed.balance_rial) and fields.balance_rial != parsed.balance_rial:
        return say("doubt_fields_balance", balance=fields.balance_rial, layout_balance=parsed.balance_rial)
    return None


def _from_fields(fields: FieldReading, bank: str | None) -> ParsedSms:
    assert fields.kind is not None
    evidence = ", ".join(fields.evidence)
    return ParsedSms(
        kind=fields.kind,
        bank=bank,
        amount_rial=fields.amount_rial,
        balance_rial=fields.balance_rial,
        account=fields.account,
        counterpart_card=fields.counterpart_card,
        bank_time=fields.bank_time,
        channel=fields.channel,
        settles=fields.settles,
        sender_trusted=bank is not None,
        reason=join(say("read_by_fields", kind=fields.kind.value, evidence=evidence), fields.reason),
    )


def _same_reading(a: _Reading, b: _Reading) -> bool:
    """Two layouts agree when everything but the layout's name is equal."""
    return replace(a.parsed, reason="") == replace(b.parsed, reason="") and a.may_settle == b.may_settle
