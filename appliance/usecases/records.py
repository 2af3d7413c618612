"""The records the use cases hand out (rows of the store), named for callers' type hints.

Callers (the web app, the CLI) read their fields; they never query or save
them: every change goes through a use case.
"""

from appliance.store.models import ApiToken, Card, Deposit, Event, ModemSample, Payment, SmsMessage, WebhookDelivery

__all__ = ["ApiToken", "Card", "Deposit", "Event", "ModemSample", "Payment", "SmsMessage", "WebhookDelivery"]
