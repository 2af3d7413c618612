"""Reading Iranian bank SMS: normalisation, one dialect per bank, and the trust checks.

``SmsReader().parse(sender, text, smsc_time)`` turns one SMS into a
:class:`ParsedSms`; :mod:`appliance.sms.trust` holds the checks the caller
applies with the state it keeps (SMSCs seen, previous balance, its cards).
"""

from appliance.sms.errors import TemplateError
from appliance.sms.model import NON_SETTLING_CHANNELS, Kind, ParsedSms
from appliance.sms.normalize import normalize_digits, normalize_text
from appliance.sms.reader import SmsReader
from appliance.sms.trust import TrustDecision, account_matches, check_balance, check_smsc

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
