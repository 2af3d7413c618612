"""Reading Iranian bank SMS: normalisation, one dialect per bank, and the trust checks.

``SmsReader().parse(sender, text, smsc_time)`` turns one SMS into a
:class:`ParsedSms`; :mod:`appliance.sms.trust` holds the checks the caller
applies with the state it keeps (SMSCs seen, previous balance, its cards).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from appliance.sms.errors import TemplateError
    from appliance.sms.model import NON_SETTLING_CHANNELS, Kind, ParsedSms
    from appliance.sms.normalize import normalize_digits, normalize_text
    from appliance.sms.reader import SmsReader
    from appliance.sms.trust import TrustDecision, account_matches, check_balance, check_smsc

# Each name, from the module that defines it; loaded on first use, so that importing one submodule
# (the trust rules, say) does not load the reader and its templates.
_HOME = {
    "TemplateError": "errors",
    "NON_SETTLING_CHANNELS": "model",
    "Kind": "model",
    "ParsedSms": "model",
    "normalize_digits": "normalize",
    "normalize_text": "normalize",
    "SmsReader": "reader",
    "TrustDecision": "trust",
    "account_matches": "trust",
    "check_balance": "trust",
    "check_smsc": "trust",
}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)


__all__ = [
    "Kind",
    "NON_SETTLING_CHANNELS",
    "ParsedSms",
    "SmsReader",
    "TemplateError",
    "TrustDecision",
    "account_matches",
    "check_balance",
    "check_smsc",
    "normalize_digits",
    "normalize_text",
]
