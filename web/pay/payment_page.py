"""The customer's payment page: ``/pay/<id>/<signature>`` (the ``link`` of ``create``).

Server-rendered so it works without JavaScript (a refresh every 15 s);
``pay.js`` adds copy buttons, the live countdown and follows the payment
through ``.../status``. When paid (or expired) it sends the customer to the
shop's ``callback`` with ``pay_id``, ``fid`` and ``status`` (DESIGN.md
"Telling the shop").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import bottle

from appliance.domain.errors import ApiError
from appliance.domain.payments import State, effective_state
from appliance.domain.security import verify
from appliance.usecases.payment_watch import PaymentWatch
from appliance.usecases.records import Payment
from appliance.usecases.service import PaymentService
from web import fa
from web.api.fields import parse_card
from web.api.merchant import json_response
from web.rendering import redirect, render

log = logging.getLogger(__name__)

DemoBank = Callable[[int], str]

# What the page (and the callback's ``status``) says for each state.
PAGE_STATE = {
    State.PENDING: "pending",
    State.PAID: "paid",
    State.VERIFIED: "paid",
    State.EXPIRED: "expired",
    State.PAID_LATE: "late",
    State.REFUNDED: "expired",
    State.PARTIALLY_PAID: "partial",
}
CALLBACK_STATUS = {"paid": "paid", "expired": "expired", "late": "expired", "partial": "expired"}


def _wait_seconds(value: str) -> int:
    """``?wait=``: whole seconds from 0 to MAX_WAIT_SECONDS; anything else is no wait."""
    return min(int(value), MAX_WAIT_SECONDS) if value.isascii() and value.isdigit() else 0


def callback_url(payment: Payment, status: str) -> str | None:
    """The shop's callback with pay_id, fid and status added to its own query."""
    if not payment.callback:
        return None
    parts = urlsplit(payment.callback)
    extra = urlencode({"pay_id": payment.id, "fid": payment.fid, "status": status})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


# The longest a status request waits for its payment to change (a long poll); proxies often cut at 30 s.
MAX_WAIT_SECONDS = 25


class PaymentPages:
    def __init__(
        self, service: PaymentService, demo_bank: DemoBank | None = None, watch: PaymentWatch | None = None
    ) -> None:
        self.service = service
        self.demo_bank = demo_bank if service.settings.box.demo else None
        self.watch = watch

    def install(self, app: bottle.Bottle) -> None:
        app.route("/pay/<pay_id:int>/<sig>", "GET", self.page)
        app.route("/pay/<pay_id:int>/<sig>/status", "GET", self.status)
        app.route("/pay/<pay_id:int>/<sig>/card", "POST", self.set_card)
        app.route("/pay/<pay_id:int>/<sig>/demo", "POST", self.demo_pay)

    def _payment(self, pay_id: int, sig: str) -> Payment:
        if not verify(self.service.secret, f"payment:{pay_id}", sig):
            raise bottle.HTTPError(404)
        payment = self.service.find_payment(pay_id)
        if payment is None:
            raise bottle.HTTPError(404)
        return payment

    def _view_state(self, payment: Payment) -> tuple[str, int]:
        now = self.service.clock()
        state = effective_state(State(payment.state), payment.expires_at, now)
        return PAGE_STATE[state], max(0, int((payment.expires_at - now).total_seconds()))

    def page(self, pay_id: int, sig: str) -> str:
        payment = self._payment(pay_id, sig)
        view, seconds_left = self._view_state(payment)
        base = f"/pay/{pay_id}/{sig}"
        cards = [
            {"number": c.number, "groups": fa.card_groups(c.number), "holder": c.holder, "bank": c.bank}
            for c in self.service.payment_cards(payment)
        ]
        notice = bottle.request.query.get("notice", "")
        parts = self._parts(payment, {c["number"]: c for c in cards})
        return render(
            "pay",
            payment=payment,
            view=view,
            seconds_left=seconds_left,
            cards=cards,
            parts=parts,
            paid_rial=sum(p["amount"] for p in parts if p["paid"]),
            base=base,
            box_name=self.service.settings.box.name,
            fa=fa,
            notice=notice,
            ask_card=(self.service.settings.payments.ask_payer_card and view == "pending" and not payment.payer_card),
            demo=self.demo_bank is not None and view == "pending",
            back=callback_url(payment, CALLBACK_STATUS.get(view, "")) if view != "pending" else None,
        )

    def _parts(self, payment: Payment, cards: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """A split payment's parts as the page shows them (docs/split-payments.md); [] for one transfer."""
        offered = {c.id: c.number for c in self.service.payment_cards(payment)}
        return [
            {"seq": p.seq, "amount": p.amount, "card": cards[offered[p.card_id]], "paid": p.paid_at is not None}
            for p in self.service.payment_parts(payment)
        ]

    def _paid_parts(self, pay_id: int) -> list[bool]:
        return [p.paid_at is not None for p in self.service.payment_parts(pay_id)]

    def status(self, pay_id: int, sig: str) -> str:
        """The payment's state for the page. With ``?wait=N`` (seconds, at most 25) a pending payment's
        answer waits until it changes or the time passes (``waited``: false when no waiting slot was free,
        and the page polls instead)."""
        payment = self._payment(pay_id, sig)
        view, seconds_left = self._view_state(payment)
        wait = _wait_seconds(bottle.request.query.get("wait", ""))
        waited = False
        # A split payment's page says how many parts it shows paid (?paid=N): a part paid ends the wait too.
        shown_paid = bottle.request.query.get("paid", "")
        if view == "pending" and wait and self.watch is not None:

            def settled() -> bool:
                current = self.service.find_payment(pay_id)
                if current is None or self._view_state(current)[0] != "pending":
                    return True
                return shown_paid.isdigit() and sum(self._paid_parts(pay_id)) != int(shown_paid)

            waited = self.watch.wait(pay_id, settled, min(wait, seconds_left + 1))
            if waited:
                payment = self._payment(pay_id, sig)
                view, seconds_left = self._view_state(payment)
        body: dict[str, Any] = {"state": view, "seconds_left": seconds_left, "waited": waited}
        parts = self._paid_parts(pay_id)
        if parts:
            body["parts_paid"] = parts
        if view != "pending":
            body["callback"] = callback_url(payment, CALLBACK_STATUS[view])
        return json_response(body)

    def set_card(self, pay_id: int, sig: str) -> None:
        """The payer's card (payments.ask_payer_card), with the rules of ``setCard``."""
        self._payment(pay_id, sig)
        notice = "card_saved"
        try:
            card = parse_card(bottle.request.forms.getunicode("card", default=""))
            self.service.set_payer_card(pay_id, card)
        except ApiError as exc:
            log.info("payment page %s: card refused (%s)", pay_id, exc.code.name)
            notice = f"card_error_{exc.code.value}"
        redirect(f"/pay/{pay_id}/{sig}?notice={notice}")

    def demo_pay(self, pay_id: int, sig: str) -> None:
        """Demo mode only: the simulated bank sends this payment's deposit SMS."""
        payment = self._payment(pay_id, sig)
        if self.demo_bank is None:
            raise bottle.HTTPError(404)
        if self._view_state(payment)[0] == "pending":
            text = self.demo_bank(pay_id)
            log.warning("demo: the simulated bank sent a deposit SMS for payment %s: %r", pay_id, text)
        redirect(f"/pay/{pay_id}/{sig}?notice=demo_sent")
