"""Why something happened, as codes with parameters that a page renders in its own language.

A reason is a list of ``Reason(code, params)``, stored in the form ``encode()``
writes (``@code {"param": "value"}`` parts joined by ``" ; "``). Every code is
in ``CODES`` with its English (``plain()``: the command line, the logs); the
pages render the same codes in Persian or English (web/i18n.py). Parameters
are data (amounts as int Rial, banks, layouts, senders), never prose.

The English sentences stored before (m0010_reason_codes rewrites them) are
recognised by the catalogue below, so every stored reason reads as codes. A
part nothing recognises stays ``Reason("text", {"text": ...})``: shown as
data, never lost.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_MARK = "@"
_SEP = " ; "
_SEMI = "\\u003b"


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, str] = field(default_factory=dict)


def encode(*reasons: Reason) -> str:
    """The stored form of REASONS (see the module's docstring); every code must be in CODES."""
    for r in reasons:
        if r.code not in CODES:
            raise ValueError(f"unknown reason code {r.code!r}: add it to appliance.domain.reasons.CODES")
    return _SEP.join(
        # A ";" in a value is escaped, so that no parameter can split the parts.
        f"{_MARK}{r.code} {json.dumps(r.params, ensure_ascii=False, sort_keys=True).replace(';', _SEMI)}"
        if r.params
        else _MARK + r.code
        for r in reasons
    )


def reason(code: str, **params: object) -> Reason:
    return Reason(code, {k: str(v) for k, v in params.items() if v is not None and v != ""})


def say(code: str, **params: object) -> str:
    """One reason part in its stored form: ``encode(reason(code, **params))``."""
    return _said(code, tuple(sorted((k, str(v)) for k, v in params.items() if v is not None and v != "")))


@functools.lru_cache(maxsize=4096)
def _said(code: str, params: tuple[tuple[str, str], ...]) -> str:
    # The reader says the same few parts for every message of a layout: encoded once.
    return encode(Reason(code, dict(params)))


def extend(part: Reason, **params: object) -> Reason:
    """PART with more parameters."""
    return reason(part.code, **part.params, **params)


# Every code the code base writes, with the English the command line and the logs show
# (``{name}`` is a parameter; the pages use web/i18n.py, which has Persian and English for each).
CODES: dict[str, str] = {
    # matching (appliance/domain/matching.py, appliance/usecases/deposits.py)
    "no_payment_amount": "no payment holds amount {amount}",
    "ambiguous": "{count} payments hold amount {amount}: not guessing",
    "other_amount": "another amount",
    "payment_is": "payment is {state}",
    "part_paid_already": "this part of the payment is paid already",
    "card_not_offered": "money went to a card this payment did not offer",
    "before_created": "transfer happened before the payment was created",
    "after_quarantine": "transfer came after the quarantine",
    "late_in_quarantine": "transfer after the deadline, within the quarantine",
    "on_time": "transfer on time",
    "payer_card_differs": "the depositing card differs from the registered one",
    "most_likely": "most likely payment {payment} ({mistake})",
    "part_paid": "part {seq} of {parts} paid",
    "part_paid_late": "part {seq} of {parts} paid late",
    "every_part_paid": "every part paid ({parts})",
    "late_part_paid": "a part paid after the deadline",
    "split_complete": "the split payment is complete",
    "deadline_before_transfers": "the deadline passed before the transfers",
    # the operator (appliance/usecases/review.py)
    "assigned": "assigned by the operator",
    "late_accepted": "late payment accepted",
    "accepted_short": "accepted as paid with {shortfall} Rial missing",
    "waiting_for_rest": "waiting for the remaining parts",
    "settled_difference": "settled by the operator ({mistake}, difference {difference} Rial)",
    "refunded": "refunded",
    "dismissed": "dismissed",
    # payments (checkout, split_checkout, deposits)
    "deadline_passed": "the deadline passed",
    "deadline_before_transfer": "the deadline passed before the transfer",
    "first_check": "first check after payment",
    "foreign_account": "account {account} is not one of the merchant's cards",
    "not_payable": "interest, correction or reversal: no customer's payment",
    "card_masked": "{card}",
    "created_amount": "amount {amount} for price {price}",
    "created_split": "amount {amount} for price {price} in {parts} parts",
    # the SMS reader (appliance/sms/reader.py, fields.py)
    "read_by_layout": "{kind} by {bank} layout '{layout}'",
    "read_by_fields": "{kind} by the field reader ({evidence})",
    "settles": "settles",
    "does_not_settle": "does not settle ({channel})",
    "not_settling": "does not settle",
    "not_a_deposit": "not a deposit",
    "channel_never_settles": "{channel}: never settles",
    "weak_evidence": "held: only weak evidence of a deposit (prose, no sign, label or balance arithmetic)",
    "no_account_of_ours": "held: the SMS names no account of ours",
    "fields_balance_break": "balance break ({previous} + {amount} != {balance}): the intake's policy decides",
    "doubt_withdrawal_sum": "held: balance arithmetic says withdrawal ({previous} - {amount} = {balance})",
    "doubt_fields_problem": "held: the field reader finds {problem}",
    "doubt_fields_kind": (
        "held: the field reader reads a {kind} of {amount}, the layout a {layout_kind} of {layout_amount}"
    ),
    "doubt_fields_balance": "held: the field reader reads balance {balance}, the layout {layout_balance}",
    "layouts_disagree": "unparsed: layouts disagree: {layouts}",
    "layout_mismatch": "unparsed: {bank} layout '{layout}': {problem}",
    "no_layout": "unparsed: no {bank} layout matches",
    "fields_problem": "field reader: {problem}",
    "unparsed_detail": "unparsed: {detail}",
    "no_movement": "other: no movement of money in it ({problem})",
    "names_other_bank": "other: from a {bank} sender, but it names {owner}: not trusted as a {bank} {kind}",
    "is_other_layout": (
        "other: from a {bank} sender, but it is {owner} layout '{layout}': not trusted as a {bank} {kind}"
    ),
    "sender_not_allowed": "other: sender '{sender}' is on no bank's allow-list",
    "no_sender": "other: no sender",
    "claims_untrusted": "the text reads as a {banks} {kind}, which is not trusted",
    "other_rule": "other: {rule}",
    "pdu_undecodable": "the PDU could not be decoded: nothing to read",
    # trust (appliance/usecases/sms_intake.py, appliance/sms/trust.py)
    "sender_allowed": "sender on the bank's allow-list",
    "smsc_learned": "SMSC {smsc} learned (first seen for this sender)",
    "smsc_known": "SMSC {smsc} is one seen before for this sender",
    "smsc_new": "SMSC {smsc} was never seen for this sender (known: {known})",
    "smsc_differs": "SMSC differs from the bank's",
    "no_smsc_none_learned": "no SMSC in the message and none learned yet",
    "no_smsc_but_known": "no SMSC in the message, but this sender's SMSCs are known",
    "no_balance_check_movement": "not a movement of money: no balance check",
    "no_balance_printed": "the SMS prints no balance: no balance check",
    "first_balance": "first balance seen for this account: nothing to check against",
    "sender_not_allowed_stored": "sender is on no bank's allow-list: stored, not a deposit",
    "flagged": "flagged message ({flag}): a person must read it",
    "flagged_held": "flagged message: a person must read it",
    "parts_missing": "{missing} of {expected} parts never arrived",
    "undecodable_pdu": "undecodable PDU: {detail}",
    "balance_continues": "balance continues: {previous} {op} {amount} = {expected}",
    "balance_break": (
        "balance break: {previous} {op} {amount} = {expected}, but the SMS says {balance} "
        "(a missed, duplicated or forged SMS)"
    ),
    "held_strict": "held (policy strict)",
    "warned_lenient": "settled with a warning (policy warn)",
    "held_learned": "held (read by a learned template)",
    "reread": "{before} -> {after}",
    "held_released": "held deposit {deposit} sent to the matcher",
    "deposit_made": "deposit {deposit} {state}",
    # modem health (modem/health.py)
    "sample_old": "last sample is {count} s old",
    "modem_silent": "the modem does not answer ({detail})",
    "sim_not_ready": "SIM not ready: {sim}",
    "not_registered": "not registered on the network ({detail})",
    "storage_full": "SMS storage full ({used}/{total})",
    "weak_signal": "weak signal ({dbm} dBm)",
    "no_signal": "no signal reading",
    # tokens, cards, webhooks, alerts, teaching
    "scopes": "scopes {scopes}",
    "redeliver_to": "to {url}",
    "alert": "alert {alert}",
    "alert_resolved": "alert {alert} resolved",
    "alert_test_sent": "{count} notice(s)",
    "test_over": "test over",
    "sender_trusted": "sender {sender} is {bank}",
    "sender_was_trusted": "sender {sender} was already {bank}'s",
    "smsc_pinned": "pinned with SMSC {smsc}",
    "format_learned": "format learned from SMS {message} ({bank}): {direction}",
    "learned_amount": "amount {amount} Rial",
    "learned_balance": "balance {balance}",
    "learned_account": "account {account}",
    "learned_template": "template {template}",
    "format_forgotten": "learned template {template} ({bank}, from SMS {message}) forgotten",
    # what nothing recognised: the stored sentence, as data
    "text": "{text}",
}


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def english(part: Reason) -> str:
    """One reason part as English (its note after a colon)."""
    template = CODES.get(part.code)
    if template is None:
        head = part.code.replace("_", " ")
        rest = ", ".join(f"{k} {v}" for k, v in sorted(part.params.items()) if k != "note")
        head += f" ({rest})" if rest else ""
    else:
        head = template.format_map(_Blank(part.params))
    note = part.params.get("note")
    return head + (f": {note}" if note else "")


def plain(text: str | None) -> str:
    """A stored reason (codes, or an older sentence) as one line of English: the CLI, the logs."""
    return "; ".join(english(part) for part in parse(text))


def join(*stored: str | None) -> str:
    """Stored reasons one after another, as one stored reason (empty ones left out)."""
    texts = [text for text in stored if text and text.strip()]
    if all(text.startswith(_MARK) for text in texts):
        return _SEP.join(texts)  # already coded: their parts, one after another (the reader's hot path)
    return encode(*[part for text in texts for part in parse(text)])


def modernise(text: str | None) -> str:
    """A stored reason in today's stored form: older sentences as codes (m0010_reason_codes).

    A flag the older sentence held as words becomes its own parts, and the layouts that disagreed
    their names; what nothing recognises stays as ``text``, never lost.
    """
    out: list[Reason] = []
    for part in parse(text):
        if part.code == "flagged" and "flag" in part.params:
            out += [Reason("flagged_held")] + parse(part.params["flag"])
        elif part.code == "layouts_disagree" and "'" in part.params.get("layouts", ""):
            out.append(reason(part.code, layouts=", ".join(re.findall(r"'([^']*)'", part.params["layouts"]))))
        else:
            out.append(part)
    return encode(*out)


def layout_names(stored: Iterable[str]) -> list[str]:
    """The layouts that made readings (their stored reasons' ``read_by_layout`` parts), in order."""
    return [part.params.get("layout", "") for text in stored for part in parse(text) if part.code == "read_by_layout"]


def codes(text: str | None) -> list[str]:
    """The codes of a stored reason, in order (what tests and callers that branch on a reason use)."""
    return [part.code for part in parse(text)]


def find(text: str | None, code: str) -> Reason | None:
    """The first part of a stored reason with CODE, or None."""
    return next((part for part in parse(text) if part.code == code), None)


def param(text: str | None, code: str, name: str) -> str | None:
    """Parameter NAME of the first part with CODE of a stored reason (None: no such part or parameter)."""
    part = find(text, code)
    return None if part is None else part.params.get(name)


_SUM = r"(?P<previous>-?\d+) (?P<op>[+-]) (?P<amount>\d+) = (?P<expected>-?\d+)"

# The English sentences stored before m0010_reason_codes, for that migration and older backups:
# (code, pattern) in order: the first whole-part match wins. Named groups are the parameters.
# Compiled on the first older sentence read (_catalogue()), not when a command starts.
_SENTENCES: tuple[tuple[str, str], ...] = (
    # matching (appliance/domain/matching.py)
    ("no_payment_amount", r"no payment holds amount (?P<amount>\d+)"),
    ("ambiguous", r"(?P<count>\d+) payments hold amount (?P<amount>\d+): not guessing"),
    ("other_amount", r"another amount"),
    ("payment_is", r"payment is (?P<state>\w+)"),
    ("card_not_offered", r"money went to a card this payment did not offer"),
    ("before_created", r"transfer happened before the payment was created"),
    ("after_quarantine", r"transfer came after the quarantine"),
    ("late_in_quarantine", r"transfer after the deadline, within the quarantine"),
    ("on_time", r"transfer on time"),
    ("payer_card_differs", r"the depositing card differs from the registered one"),
    ("part_paid_already", r"this part of the payment is paid already"),
    ("most_likely", r"most likely payment (?P<payment>\d+) \((?P<mistake>[\w ]+)\)"),
    ("part_paid_late", r"part (?P<seq>\d+) of (?P<parts>\d+) paid late: (?P<rest>.*)"),
    ("part_paid", r"part (?P<seq>\d+) of (?P<parts>\d+) paid: (?P<rest>.*)"),
    ("every_part_paid", r"every part paid \((?P<parts>\d+)\)"),
    ("late_part_paid", r"a part paid after the deadline"),
    ("split_complete", r"the split payment is complete"),
    ("deadline_before_transfers", r"the deadline passed before the transfers"),
    # the operator (appliance/usecases/review.py)
    ("assigned", r"assigned by the operator(?:: (?P<note>.*))?"),
    ("late_accepted", r"late payment accepted(?:: (?P<note>.*))?"),
    ("refunded", r"refunded(?:: (?P<note>.*))?"),
    ("dismissed", r"dismissed: (?P<note>.*)"),
    ("accepted_short", r"accepted as paid with (?P<shortfall>\d+) Rial missing(?:: (?P<note>.*))?"),
    ("waiting_for_rest", r"waiting for the remaining parts(?:: (?P<note>.*))?"),
    (
        "settled_difference",
        r"settled by the operator \((?P<mistake>[\w ]+), difference (?P<difference>-?\d+) Rial\)"
        r"(?:: (?P<note>.*))?",
    ),
    # payments (checkout)
    ("deadline_passed", r"the deadline passed"),
    ("deadline_before_transfer", r"the deadline passed before the transfer"),
    ("first_check", r"first check after payment"),
    ("foreign_account", r"account (?P<account>\S+) is not one of the merchant's cards"),
    ("not_payable", r"interest, correction or reversal: no customer's payment"),
    ("card_masked", r"(?P<card>\d{4}-\d{2}\*\*-\*{4}-\d{4})"),
    ("created_amount", r"amount (?P<amount>\d+) for price (?P<price>\d+)"),
    ("created_split", r"amount (?P<amount>\d+) for price (?P<price>\d+) in (?P<parts>\d+) parts"),
    # the SMS reader (appliance/sms/reader.py)
    (
        "read_by_layout",
        r"(?P<kind>deposit|withdrawal|other|unparsed) by (?P<bank>\w+) layout '(?P<layout>[^']*)'",
    ),
    ("read_by_fields", r"(?P<kind>deposit|withdrawal) by the field reader \((?P<evidence>[^)]*)\)"),
    (
        "fields_balance_break",
        r"balance break \((?P<previous>-?\d+) \+ (?P<amount>\d+) != (?P<balance>-?\d+)\): "
        r"the intake's policy decides",
    ),
    ("not_settling", r"does not settle"),
    ("not_a_deposit", r"not a deposit"),
    ("channel_never_settles", r"(?P<channel>[\w ]+): never settles"),
    ("weak_evidence", r"held: only weak evidence of a deposit \(prose, no sign, label or balance arithmetic\)"),
    ("no_account_of_ours", r"held: the SMS names no account of ours"),
    (
        "doubt_withdrawal_sum",
        r"held: balance arithmetic says withdrawal \((?P<previous>-?\d+) - (?P<amount>\d+) = (?P<balance>-?\d+)\)",
    ),
    ("doubt_fields_problem", r"held: the field reader finds (?P<problem>.*)"),
    (
        "doubt_fields_kind",
        r"held: the field reader reads a (?P<kind>\w+) of (?P<amount>\d+), "
        r"the layout a (?P<layout_kind>\w+) of (?P<layout_amount>\d+)",
    ),
    (
        "doubt_fields_balance",
        r"held: the field reader reads balance (?P<balance>-?\d+), the layout (?P<layout_balance>-?\d+)",
    ),
    ("layout_mismatch", r"(?:unparsed: )?(?P<bank>\w+) layout '(?P<layout>[^']*)': (?P<problem>.*)"),
    ("fields_problem", r"field reader: (?P<problem>.*)"),
    ("no_movement", r"other: no movement of money in it \((?P<problem>.*)\)"),
    (
        "names_other_bank",
        r"other: from a (?P<bank>\w+) sender, but it names (?P<owner>\w+): not trusted as a \w+ (?P<kind>\w+)",
    ),
    (
        "is_other_layout",
        r"other: from a (?P<bank>\w+) sender, but it is (?P<owner>\w+) layout '(?P<layout>[^']*)': "
        r"not trusted as a \w+ (?P<kind>\w+)",
    ),
    ("settles", r"settles"),
    ("does_not_settle", r"does not settle(?: \((?P<channel>[^)]*)\))?"),
    ("layouts_disagree", r"unparsed: layouts disagree: (?P<layouts>.*)"),
    ("no_layout", r"unparsed: no (?P<bank>\w+) layout matches"),
    ("unparsed_detail", r"unparsed: (?P<detail>.*)"),
    ("sender_not_allowed", r"other: sender '(?P<sender>.*)' is on no bank's allow-list"),
    ("no_sender", r"other: no sender"),
    ("claims_untrusted", r"the text reads as a (?P<banks>[\w/]+) (?P<kind>\w+), which is not trusted"),
    ("other_rule", r"other: (?P<rule>.*)"),
    ("pdu_undecodable", r"the PDU could not be decoded: nothing to read"),
    # trust (appliance/usecases/sms_intake.py, appliance/sms/trust.py)
    ("sender_allowed", r"sender on the bank's allow-list"),
    ("smsc_learned", r"SMSC (?P<smsc>\S+) learned \(first seen for this sender\)"),
    ("smsc_known", r"SMSC (?P<smsc>\S+) is one seen before for this sender"),
    ("smsc_new", r"SMSC (?P<smsc>\S+) was never seen for this sender \(known: (?P<known>[^)]*)\)"),
    ("smsc_differs", r"SMSC differs from the bank's"),
    ("no_smsc_none_learned", r"no SMSC in the message and none learned yet"),
    ("no_smsc_but_known", r"no SMSC in the message, but this sender's SMSCs are known"),
    ("no_balance_check_movement", r"not a movement of money: no balance check"),
    ("no_balance_printed", r"the SMS prints no balance: no balance check"),
    ("first_balance", r"first balance seen for this account: nothing to check against"),
    ("sender_not_allowed_stored", r"sender is on no bank's allow-list: stored, not a deposit"),
    ("flagged", r"flagged message \((?P<flag>.*)\): a person must read it"),
    ("parts_missing", r"(?P<missing>\d+) of (?P<expected>\d+) parts never arrived"),
    ("undecodable_pdu", r"undecodable PDU: (?P<detail>.*)"),
    ("balance_continues", r"balance continues: " + _SUM),
    (
        "balance_break",
        r"balance break: " + _SUM + r", but the SMS says (?P<balance>-?\d+) \(a missed, duplicated or forged SMS\)",
    ),
    ("balance_continues", r"balance continues: (?P<sum>.*)"),
    ("held_strict", r"held \(policy strict\)"),
    ("held_learned", r"held \(read by a learned template\)"),
    ("reread", r"(?P<before>\w+) -> (?P<after>\w+): (?P<rest>.*)"),
    ("held_released", r"held deposit (?P<deposit>\d+) sent to the matcher: (?P<rest>.*)"),
    ("deposit_made", r"deposit (?P<deposit>\d+) (?P<state>\w+)"),
    # teaching (appliance/usecases/teaching.py): its summaries joined their parts with ", "
    ("sender_trusted", r"sender (?P<sender>\S+) is (?P<bank>\w+)(?:, (?P<rest>.*))?"),
    ("sender_was_trusted", r"sender (?P<sender>\S+) was already (?P<bank>\w+)'s(?:, (?P<rest>.*))?"),
    ("smsc_pinned", r"pinned with SMSC (?P<smsc>\S+)"),
    (
        "format_learned",
        r"format learned from SMS (?P<message>\d+) \((?P<bank>\w+)\): (?P<direction>\w+) of (?P<amount>\d+) Rial"
        r"(?:, balance (?P<balance>-?\d+))?(?:, account (?P<account>\S+))?",
    ),
    ("learned_template", r"template (?P<template>\d+)"),
    (
        "format_forgotten",
        r"learned template (?P<template>\d+) \((?P<bank>\w+), from SMS (?P<message>\w+)\) forgotten",
    ),
    # alerts (appliance/usecases/alerts.py; a raised or resolved alert's English stays as text)
    ("alert_test_sent", r"(?P<count>\d+) notice\(s\)"),
    ("test_over", r"test over"),
    ("warned_lenient", r"settled with a warning \(policy warn\)"),
    # modem health (modem/health.py)
    ("sample_old", r"last sample is (?P<count>\d+) s old"),
    ("modem_silent", r"the modem does not answer \((?P<detail>.*)\)"),
    ("sim_not_ready", r"SIM not ready: (?P<sim>.*)"),
    ("not_registered", r"not registered on the network \((?P<detail>.*)\)"),
    ("storage_full", r"SMS storage full \((?P<used>\d+)/(?P<total>\d+)\)"),
    ("weak_signal", r"weak signal \((?P<dbm>-?\d+) dBm\)"),
    ("no_signal", r"no signal reading"),
    # tokens, cards, webhooks
    ("scopes", r"scopes (?P<scopes>[\w,]+)"),
    ("redeliver_to", r"to (?P<url>\S+)"),
)


@functools.cache
def _catalogue() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((code, re.compile(pattern + r"\Z", re.S)) for code, pattern in _SENTENCES)


def _one(part: str) -> list[Reason]:
    """One stored part as its reasons: a structured one, or an older sentence (which may hold several)."""
    if part.startswith(_MARK):
        code, _, raw = part[1:].partition(" ")
        try:
            params = json.loads(raw) if raw else {}
        except ValueError:
            params = None
        if isinstance(params, dict) and re.fullmatch(r"\w+", code):
            return [Reason(code, {str(k): str(v) for k, v in params.items()})]
    for code, pattern in _catalogue():
        found = pattern.match(part)
        if found:
            params = {k: v for k, v in found.groupdict().items() if v is not None and v != "None"}
            rest = params.pop("rest", None)
            if "mistake" in params:  # the sentence spelled the rule with spaces
                params["mistake"] = params["mistake"].replace(" ", "_")
            said = [Reason(code, params)]
            if code == "format_learned":  # one sentence said what the operator confirmed: a part each
                said = [Reason(code, {k: params[k] for k in ("message", "bank", "direction")})] + [
                    Reason(f"learned_{name}", {name: params[name]})
                    for name in ("amount", "balance", "account")
                    if name in params
                ]
            return said + (_one(rest) if rest else [])
    return [Reason("text", {"text": part})]


# Older sentences whose part holds everything after it (an operator's note may hold "; ").
_KEEPS_THE_REST = frozenset(
    {
        "flagged",
        "undecodable_pdu",
        "assigned",
        "late_accepted",
        "accepted_short",
        "waiting_for_rest",
        "settled_difference",
        "refunded",
        "dismissed",
        "unparsed_detail",
        "layouts_disagree",
    }
)


def parse(text: str | None) -> list[Reason]:
    """A stored reason (structured or an older English sentence) as its parts; empty for no reason."""
    if not text or not text.strip():
        return []
    if text.startswith(_MARK):
        return [r for p in text.split(_SEP) for r in _one(p)]
    # The older sentences join their parts with "; " (a note may hold one: its part then keeps the rest).
    parts: list[Reason] = []
    pieces = text.split("; ")
    i = 0
    while i < len(pieces):
        found, used = _one(pieces[i]), 1
        if found[-1].code in _KEEPS_THE_REST and i + 1 < len(pieces):
            parts += _one("; ".join(pieces[i:]))
            break
        if found[0].code == "text":  # a sentence that itself held "; " (a flag of two parts, say)
            for j in range(i + 2, len(pieces) + 1):
                longer = _one("; ".join(pieces[i:j]))
                if longer[0].code != "text":
                    found, used = longer, j - i
                    break
        parts += found
        i += used
    return parts
