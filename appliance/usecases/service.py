"""The box's use cases in one object: what the web app, the CLI and the jobs call.

:class:`PaymentService` joins the families, each in its own module: tokens
(:mod:`~appliance.usecases.api_tokens`), cards (:mod:`~appliance.usecases.card_registry`),
checkout (:mod:`~appliance.usecases.checkout`), deposits (:mod:`~appliance.usecases.deposits`)
and the review queue (:mod:`~appliance.usecases.review`). They share
:class:`~appliance.usecases.core.UseCaseCore` (settings, clock, events, link key).
"""

from __future__ import annotations

from appliance.usecases.api_tokens import TOKEN_SCOPES, TokenCases
from appliance.usecases.checkout import CheckResult, CreatedPayment, CreateRequest
from appliance.usecases.core import DepositState, Gates, utcnow
from appliance.usecases.deposits import DepositOutcome, NewDeposit
from appliance.usecases.review import SuggestionCases

__all__ = [
    "TOKEN_SCOPES",
    "CheckResult",
    "CreateRequest",
    "CreatedPayment",
    "DepositOutcome",
    "DepositState",
    "Gates",
    "NewDeposit",
    "PaymentService",
    "utcnow",
]


class PaymentService(SuggestionCases, TokenCases):
    """Payments, deposits and their review, cards and tokens, over the store, with an injected clock."""
