"""Trust checks on a parsed bank SMS (DESIGN: Trusting an SMS).

Pure functions over state the caller keeps in its database: the SMSCs seen
for a sender, the last balance of an account, the merchant's cards. Each
returns its reason so that the decision can be stored with the SMS.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from appliance.domain.reasons import encode, reason
from appliance.sms.model import Kind, ParsedSms
from appliance.sms.normalize import normalize_digits
from appliance.sms.senders import canonical_sender

BALANCE_POLICIES = ("warn", "strict")

# A partial account (Melli prints the last five digits) or a masked card must
# show at least this many digits to designate a card at all.
MIN_VISIBLE_DIGITS = 4
# An unmasked number this short is a tail (Melli's 30417, Bankino's 5531);
# longer ones are whole accounts and must match whole.
MAX_TAIL_DIGITS = 6
_MASK = re.compile(r"[*xX•]+")
_SEPARATORS = re.compile(r"[\s.\-/]")


@dataclass(frozen=True)
class TrustDecision:
    ok: bool
    hold: bool  # True: hold the deposit for the operator's review
    reason: str
    warning: bool = False  # settled, but the operator should know (a balance break under "warn")


def check_smsc(smsc: str | None, known_smscs: Collection[str]) -> TrustDecision:
    """The SMSC a sender's SMS come through: learned from the first ones, then enforced.

    A spoofed "bank" SMS usually arrives through a foreign SMSC, so a new SMSC
    for a known sender holds the deposit.
    """
    known = {canonical_sender(s) for s in known_smscs}
    if not known:
        if smsc:
            return TrustDecision(True, False, encode(reason("smsc_learned", smsc=smsc)))
        return TrustDecision(True, False, encode(reason("no_smsc_none_learned")))
    if not smsc:
        return TrustDecision(False, True, encode(reason("no_smsc_but_known")))
    if canonical_sender(smsc) in known:
        return TrustDecision(True, False, encode(reason("smsc_known", smsc=smsc)))
    return TrustDecision(False, True, encode(reason("smsc_new", smsc=smsc, known=", ".join(sorted(known_smscs)))))


def check_balance(previous_balance: int | None, parsed: ParsedSms, policy: str) -> TrustDecision:
    """Balance continuity: previous balance ± amount must be the balance the SMS prints."""
    if policy not in BALANCE_POLICIES:
        raise ValueError(f"balance policy must be one of {BALANCE_POLICIES}, got {policy!r}")
    if parsed.kind not in (Kind.DEPOSIT, Kind.WITHDRAWAL) or parsed.amount_rial is None:
        return TrustDecision(True, False, encode(reason("no_balance_check_movement")))
    if parsed.balance_rial is None:
        return TrustDecision(True, False, encode(reason("no_balance_printed")))
    if previous_balance is None:
        return TrustDecision(True, False, encode(reason("first_balance")))
    sign = 1 if parsed.kind is Kind.DEPOSIT else -1
    expected = previous_balance + sign * parsed.amount_rial
    arithmetic = dict(previous=previous_balance, op="+-"[sign < 0], amount=parsed.amount_rial, expected=expected)
    if expected == parsed.balance_rial:
        return TrustDecision(True, False, encode(reason("balance_continues", **arithmetic)))
    broken = reason("balance_break", **arithmetic, balance=parsed.balance_rial)
    if policy == "strict":
        return TrustDecision(False, True, encode(broken, reason("held_strict")))
    return TrustDecision(True, False, encode(broken, reason("warned_lenient")), warning=True)


def _digits(value: str) -> str:
    return "".join(c for c in normalize_digits(value) if c.isdigit())


def _masked_matches(head: str, tail: str, target: str) -> bool:
    # The stars stand for the hidden digits, however many a bank prints.
    return len(head) + len(tail) < len(target) and target.startswith(head) and target.endswith(tail)


def account_matches(printed: str | None, card_number: str, card_account: str | None) -> bool:
    """Does the account/card an SMS prints designate this merchant card?

    Whole forms (6204718359, 846-800-2275319-1, 214.8000.13572468.1) must equal
    the card's account or number digit for digit. A tail (Melli's 30417) must
    end the account or number. A masked form must agree on its visible digits
    at their ends: 603799*5182 and 6037-99**-****-1234 (head and tail), 2719* (Keshavarzi: the last four digits, then a
    star). Fewer than four visible digits designate nothing; ``None`` (the SMS
    prints no account) designates nothing either: the caller decides what an
    unidentified destination means.
    """
    if not printed:
        return False
    targets = [d for d in (_digits(card_number), _digits(card_account or "")) if d]
    compact = _SEPARATORS.sub("", normalize_digits(printed))
    if not compact or any(not (c.isdigit() or _MASK.fullmatch(c)) for c in compact):
        return False
    runs = _MASK.split(compact)
    visible = "".join(runs)
    if len(visible) < MIN_VISIBLE_DIGITS:
        return False
    if len(runs) == 1:
        if len(visible) <= MAX_TAIL_DIGITS:
            return any(t.endswith(visible) and len(t) > len(visible) or t == visible for t in targets)
        return visible in targets
    if len(runs) != 2:
        return False
    head, tail = runs
    if not tail and len(head) <= MAX_TAIL_DIGITS - 2:
        # Keshavarzi prints its own card as the last four digits followed by a star.
        return any(t.endswith(head) and len(t) > len(head) for t in targets)
    return any(_masked_matches(head, tail, t) for t in targets)
