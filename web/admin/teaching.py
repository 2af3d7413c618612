"""The dashboard's teaching actions on one stored SMS: "this sender is Bank X", "learn this format".

``GET /admin/sms/<id>/teach`` shows the message, what the box found in it and
the two forms; the POSTs call :class:`appliance.usecases.teaching.Teaching`
and come back to the page with what changed. Every decision is an event
(shown on the page) with the operator's name and the time.
"""

from __future__ import annotations

import datetime as dt
import html
from typing import Any
from urllib.parse import quote

import bottle

from appliance.domain.cards import bank_by_key
from appliance.domain.errors import InvalidInput, NotFound
from appliance.usecases.operator_login import Session
from appliance.usecases.teaching import Confirmed, Teaching, claimed_bank, is_held_for_sender
from web.admin.dashboard import Dashboard, fa_int
from web.i18n import WORDS, translator
from web.present import Present, data
from web.rendering import redirect

KINDS = ("deposit", "withdrawal", "other", "unparsed")


def jalali(value: dt.datetime | None, lang: str) -> str:
    """Jalali date and Tehran time, in the page's language and digits (as every dashboard page shows them)."""
    return Present(lang, dt.datetime.now(dt.UTC)).when(value)


def who(actor: str, t: Any) -> str:
    """HTML: ``operator:NAME`` (the dashboard) or ``operator:cli:USER`` (the command line), in the page's
    language; the name is data."""
    for prefix, key in (("operator:cli:", "by_cli"), ("operator:", "by_operator")):
        if actor.startswith(prefix):
            return html.escape(t(key, "\ue000")).replace("\ue000", data(actor.removeprefix(prefix)))
    return data(actor)


class TeachingPages:
    def __init__(self, dashboard: Dashboard, teaching: Teaching) -> None:
        self.dashboard = dashboard
        self.teaching = teaching

    def install(self, app: bottle.Bottle) -> None:
        page = self.dashboard.page
        app.route("/admin/sms/<message_id:int>/teach", "GET", page(self.show))
        app.route("/admin/sms/<message_id:int>/trust-sender", "POST", page(self.trust_sender))
        app.route("/admin/sms/<message_id:int>/learn", "POST", page(self.learn))

    def show(self, session: Session, message_id: int) -> str:
        try:
            message = self.teaching.message(message_id)
        except NotFound:
            raise bottle.HTTPError(404) from None
        proposal = self.teaching.propose(message_id) if message.kind == "unparsed" and message.bank else None
        events = self.dashboard.service.events_for("sms", message_id)
        return self.dashboard._render(
            "admin_teach",
            session,
            m=message,
            claimed=claimed_bank(message),
            can_trust=is_held_for_sender(message) or not message.trusted,
            proposal=proposal,
            banks=self.teaching.banks,
            events=events,
            jalali=jalali,
            who=who,
            bank_name=self._bank_namer(),
            changes=bottle.request.query.getunicode("changes", default=""),
        )

    def _bank_namer(self) -> Any:
        lang = self.dashboard._lang()
        t, page = translator(lang), Present(lang, dt.datetime.now(dt.UTC))

        def bank_name(key: str) -> str:
            if f"bank_{key}" in WORDS:
                return str(t(f"bank_{key}"))
            named = page.bank(key)  # the bank registry's name in the page's language
            return named if bank_by_key(key) else str(t("bank_other", key))

        return bank_name

    def _back(self, message_id: int, changed: int) -> None:
        redirect(f"/admin/sms/{message_id}/teach?flash=done&changes={quote(str(changed))}#events")

    def trust_sender(self, session: Session, message_id: int) -> None:
        bank = bottle.request.forms.getunicode("bank", default="").strip() or None
        taught = self.teaching.trust_sender(f"operator:{session.username}", message_id=message_id, bank=bank)
        self._back(message_id, len(taught.reread))

    def learn(self, session: Session, message_id: int) -> None:
        forms = bottle.request.forms
        amount = fa_int(forms.getunicode("amount", default=""))
        if amount is None:
            raise InvalidInput("give the amount the message moves, in Rial")
        direction = forms.getunicode("direction", default="")
        balance_text = forms.getunicode("balance", default="").strip()
        balance = fa_int(balance_text) if balance_text else None
        if balance_text and balance is None:
            raise InvalidInput("the balance must be a whole number of Rial (or empty: the message prints none)")
        account = forms.getunicode("account", default="").strip() or None
        taught = self.teaching.learn(
            message_id, Confirmed(amount, direction, balance, account), f"operator:{session.username}"
        )
        self._back(message_id, len(taught.reread))
