"""The dashboard's pages for split payments and suggestions: the partially paid payments' actions, the
suggested settlement of a near-miss deposit, and each card's capacity (``/admin/capacity``).

Beside :mod:`web.admin.dashboard` (its session, CSRF and rendering), so that module stays as it is.
"""

from __future__ import annotations

from typing import Any

import bottle

from appliance.usecases.operator_login import Session
from web.admin.dashboard import Dashboard, _required, fa_int
from web.rendering import redirect


def review_values(dashboard: Dashboard) -> dict[str, Any]:
    """What admin_review.tpl's split-payment parts need (its partially paid payments, each deposit's hint)."""
    service = dashboard.service
    return {
        "partial": service.partially_paid_payments(),
        "parts_of": service.payment_parts,
        "waiting": service.waiting_for_rest,
        "suggestion_of": service.suggestion_of,
    }


class SplitReview:
    def __init__(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        self.service = dashboard.service

    def install(self, app: bottle.Bottle) -> None:
        page = self.dashboard.page
        self.dashboard.review_extras.append(lambda: review_values(self.dashboard))
        app.route("/admin/review/partial/<action>", "POST", page(self.partial_action))
        app.route("/admin/review/suggested", "POST", page(self.settle_suggested))
        app.route("/admin/capacity", "GET", page(self.capacity))

    def partial_action(self, session: Session, action: str) -> None:
        forms = bottle.request.forms
        actor = f"operator:{session.username}"
        note = forms.getunicode("note", default="").strip()
        pay_id = _required(fa_int(forms.getunicode("pay_id", default="")), "payment id")
        if action == "accept":
            self.service.accept_partial(pay_id, actor, note)
        elif action == "wait":
            self.service.wait_for_rest(pay_id, actor, note)
        elif action == "refund":
            self.service.refund_partial(pay_id, actor, note)
        else:
            raise bottle.HTTPError(404)
        redirect("/admin/review?flash=done")

    def settle_suggested(self, session: Session) -> None:
        forms = bottle.request.forms
        deposit_id = _required(fa_int(forms.get("deposit_id", "")), "deposit")
        note = forms.getunicode("note", default="").strip()
        self.service.settle_suggestion(deposit_id, f"operator:{session.username}", note)
        redirect("/admin/review?flash=done")

    def capacity(self, session: Session) -> str:
        return self.dashboard._render("admin_capacity", session, rows=self.service.capacity())
