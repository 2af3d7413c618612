"""What reading one bank SMS gives: its kind and the fields a deposit carries."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Kind(str, enum.Enum):
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    OTHER = "other"  # OTP, advert, login/balance/fee notice, or a sender on no allow-list
    UNPARSED = "unparsed"  # the box is not sure what the message says; never a guess


# Money that arrives but is not a customer paying: interest, a reversal, a
# correction. It is a deposit (balance continuity needs it) but it never
# settles a payment, whatever a template says (issue 4, point 3).
NON_SETTLING_CHANNELS = frozenset({"interest", "correction", "reversal"})


@dataclass(frozen=True)
class ParsedSms:
    kind: Kind
    bank: str | None
    amount_rial: int | None = None
    balance_rial: int | None = None
    account: str | None = None
    counterpart_card: str | None = None
    bank_time: datetime | None = None
    channel: str | None = None
    # True only for a deposit that may settle a customer's payment: a trusted
    # sender, and not interest, a reversal or a correction.
    settles: bool = False
    sender_trusted: bool = False
    reason: str = ""
