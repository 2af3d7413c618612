"""Why something happened, as codes with parameters that a page renders in its own language.

A reason is a list of ``Reason(code, params)``. New reasons may be stored in
the structured form ``encode()`` writes (``@code {"param": "value"}`` parts
joined by ``" ; "``); the English sentences stored before (and still written
by the SMS reader, trust and matching, whose tests and CLI read them) are
recognised by the catalogue below, so every stored reason reads as codes.
A part nothing recognises stays ``Reason("text", {"text": ...})``: shown as
data, never lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_MARK = "@"
_SEP = " ; "


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, str] = field(default_factory=dict)


def encode(*reasons: Reason) -> str:
    """The stored form of REASONS (see the module's docstring)."""
    return _SEP.join(
        f"{_MARK}{r.code} {json.dumps(r.params, ensure_ascii=False, sort_keys=True)}" if r.params else _MARK + r.code
        for r in reasons
    )


def reason(code: str, **params: object) -> Reason:
    return Reason(code, {k: str(v) for k, v in params.items() if v is not None and v != ""})


# The English the command line and the logs show for the structured codes (the pages use web/i18n.py).
PLAIN: dict[str, str] = {
    "assigned": "assigned by the operator",
    "late_accepted": "late payment accepted",
    "refunded": "refunded",
    "dismissed": "dismissed",
}


def plain(text: str | None) -> str:
    """A stored reason as one line of English: older sentences as they are, codes through PLAIN."""
    if not text or not text.startswith(_MARK):
        return text or ""
    lines = []
    for part in parse(text):
        head = PLAIN.get(part.code, part.code.replace("_", " "))
        note = part.params.get("note")
        rest = ", ".join(f"{k} {v}" for k, v in sorted(part.params.items()) if k != "note")
        lines.append(head + (f" ({rest})" if rest else "") + (f": {note}" if note else ""))
    return "; ".join(lines)


# (code, pattern) in order: the first whole-part match wins. Named groups are the parameters.
_CATALOGUE: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (code, re.compile(pattern + r"\Z", re.S))
    for code, pattern in (
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
        # the operator (appliance/usecases/review.py)
        ("assigned", r"assigned by the operator(?:: (?P<note>.*))?"),
        ("late_accepted", r"late payment accepted(?:: (?P<note>.*))?"),
        ("refunded", r"refunded(?:: (?P<note>.*))?"),
        ("dismissed", r"dismissed: (?P<note>.*)"),
        # payments (checkout)
        ("deadline_passed", r"the deadline passed"),
        ("deadline_before_transfer", r"the deadline passed before the transfer"),
        ("first_check", r"first check after payment"),
        ("foreign_account", r"account (?P<account>\S+) is not one of the merchant's cards"),
        ("not_payable", r"interest, correction or reversal: no customer's payment"),
        ("card_masked", r"(?P<card>\d{4}-\d{2}\*\*-\*{4}-\d{4})"),
        ("created_amount", r"amount (?P<amount>\d+) for price (?P<price>\d+)"),
        # the SMS reader (appliance/sms/reader.py)
        (
            "read_by_layout",
            r"(?P<kind>deposit|withdrawal|other|unparsed) by (?P<bank>\w+) layout '(?P<layout>[^']*)'",
        ),
        ("settles", r"settles"),
        ("does_not_settle", r"does not settle(?: \((?P<channel>[^)]*)\))?"),
        ("layouts_disagree", r"unparsed: layouts disagree: (?P<detail>.*)"),
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
        ("balance_continues", r"balance continues: (?P<sum>.*)"),
        (
            "balance_break",
            r"balance break: (?P<sum>.*), but the SMS says (?P<balance>-?\d+) \(a missed, duplicated or forged SMS\)",
        ),
        ("held_strict", r"held \(policy strict\)"),
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
)


def _one(part: str) -> Reason:
    if part.startswith(_MARK):
        code, _, raw = part[1:].partition(" ")
        try:
            params = json.loads(raw) if raw else {}
        except ValueError:
            params = None
        if isinstance(params, dict) and re.fullmatch(r"\w+", code):
            return Reason(code, {str(k): str(v) for k, v in params.items()})
    for code, pattern in _CATALOGUE:
        found = pattern.match(part)
        if found:
            return Reason(code, {k: v for k, v in found.groupdict().items() if v is not None})
    return Reason("text", {"text": part})


def parse(text: str | None) -> list[Reason]:
    """A stored reason (structured or an older English sentence) as its parts; empty for no reason."""
    if not text or not text.strip():
        return []
    if text.startswith(_MARK):
        return [_one(p) for p in text.split(_SEP)]
    # The older sentences join their parts with "; " (a note may hold one: its part then keeps the rest).
    parts: list[Reason] = []
    pieces = text.split("; ")
    i = 0
    while i < len(pieces):
        part = pieces[i]
        found = _one(part)
        if found.code in (
            "flagged",
            "undecodable_pdu",
            "assigned",
            "late_accepted",
            "refunded",
            "dismissed",
            "unparsed_detail",
            "layouts_disagree",
        ):
            rest = "; ".join(pieces[i:])
            parts.append(_one(rest))
            break
        parts.append(found)
        i += 1
    return parts
