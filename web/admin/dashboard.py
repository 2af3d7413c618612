"""The operator's dashboard under ``/admin``: health, payments, SMS inbox, review queue, cards, tokens, webhooks.

Behind a login (appliance.usecases.operator_login): the session cookie is HttpOnly,
SameSite=Strict, and Secure when the box is served over https; every POST
carries the session's CSRF token (and a foreign Origin is refused); failed
logins are rate-limited per address. Pages are Persian first; ``?lang=en``.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import bottle

from appliance.domain.cards import mask_card
from appliance.domain.errors import CartToCartError, InvalidInput, LoginRefused, NotFound, TooManyAttempts
from appliance.domain.jalali import JalaliDateError, jalali_text, parse_jalali, tehran_day
from appliance.domain.payments import State
from appliance.usecases import export as exports
from appliance.usecases import glance as glances
from appliance.usecases import overview as views
from appliance.usecases.operator_login import SESSION_LIFETIME, Accounts, Session
from appliance.usecases.service import DepositState, PaymentService
from appliance.usecases.webhooks import WebhookQueue
from web import charts, fa
from web.admin import alerts_view
from web.i18n import LANGS, translator
from web.present import Present
from web.rendering import redirect, render

log = logging.getLogger(__name__)

SESSION_COOKIE = "c2c_session"
LOGIN_COOKIE = "c2c_login"  # double-submit token of the login form (there is no session yet)
LANG_COOKIE = "c2c_lang"
TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))


class Forbidden(Exception):
    """A POST without the right CSRF token or from a foreign origin."""


def local_time(value: dt.datetime | None) -> str:
    return value.astimezone(TEHRAN).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def recording_view(recording: dict[str, Any]) -> dict[str, Any]:
    """The health's ``recording`` for the overview: ok, since (a datetime) and the error, with a word key for it.

    The Persian page names the kind of error in Persian (``reason``) instead of the database's English text.
    """
    error = recording.get("error") or ""
    lowered = error.lower()
    if "full" in lowered or "no space" in lowered:
        reason = "recording_full"
    elif "locked" in lowered or "busy" in lowered:
        reason = "recording_locked"
    else:
        reason = "recording_failed"
    since = recording.get("since")
    return {
        "ok": recording.get("ok", True),
        "since": dt.datetime.fromisoformat(since) if since else None,
        "error": error,
        "reason": reason,
    }


class Dashboard:
    def __init__(self, service: PaymentService, webhooks: WebhookQueue, health: Callable[[], dict[str, Any]]) -> None:
        self.service = service
        self.webhooks = webhooks
        self.health = health
        self.accounts = Accounts(service.clock)
        # More values for the review page, from the pages beside this one (web.admin.split_review).
        self.review_extras: list[Callable[[], dict[str, Any]]] = []

    # ----- plumbing -------------------------------------------------------
    def install(self, app: bottle.Bottle) -> None:
        app.route("/admin/login", "GET", self.login_form)
        app.route("/admin/login", "POST", self.login)
        app.route("/admin/logout", "POST", self.page(self.logout))
        app.route("/admin", "GET", self.page(self.overview))
        app.route("/admin/payments", "GET", self.page(self.payments))
        app.route("/admin/payments/<pay_id:int>", "GET", self.page(self.payment))
        app.route("/admin/sms", "GET", self.page(self.inbox))
        app.route("/admin/review", "GET", self.page(self.review))
        app.route("/admin/review/<action>", "POST", self.page(self.review_action))
        app.route("/admin/cards", "GET", self.page(self.cards))
        app.route("/admin/cards", "POST", self.page(self.add_card))
        app.route("/admin/cards/<card_id:int>/active", "POST", self.page(self.card_active))
        app.route("/admin/tokens", "GET", self.page(self.tokens))
        app.route("/admin/tokens", "POST", self.page(self.add_token))
        app.route("/admin/tokens/<token_id:int>/revoke", "POST", self.page(self.revoke_token))
        app.route("/admin/webhooks", "GET", self.page(self.deliveries))
        app.route("/admin/webhooks/<delivery_id:int>/redeliver", "POST", self.page(self.redeliver))
        app.route("/admin/export", "GET", self.page(self.export_form))
        app.route("/admin/export/<what:re:payments|deposits>.csv", "GET", self.page(self.export_csv))
        alerts_view.install(app, self)

    def _lang(self) -> str:
        chosen = bottle.request.query.get("lang")
        if chosen in LANGS:
            bottle.response.set_cookie(LANG_COOKIE, chosen, path="/admin", max_age=365 * 86400, samesite="lax")
            return chosen
        saved = bottle.request.get_cookie(LANG_COOKIE)
        return saved if saved in LANGS else "fa"

    def _secure(self) -> bool:
        public = self.service.settings.server.public_url
        return bottle.request.urlparts.scheme == "https" or public.startswith("https://")

    def _render(self, name: str, session: Session | None, status: int = 200, **values: Any) -> str:
        lang = self._lang()
        return render(
            name,
            status=status,
            t=translator(lang),
            lang=lang,
            session=session,
            fa=fa,
            p=Present(lang, self.service.clock()),
            charts=charts,
            local_time=local_time,
            mask_card=mask_card,
            path=bottle.request.path,
            flash=bottle.request.query.get("flash", ""),
            box_name=self.service.settings.box.name,
            owner_alerts=alerts_view.banner(self.service, lang) if session else [],
            **values,
        )

    def _check_origin(self) -> None:
        try:
            origin = bottle.request.get_header("Origin")
        except UnicodeDecodeError:
            raise Forbidden("an Origin that is not UTF-8") from None
        if origin and origin != "null" and urlsplit(origin).netloc != bottle.request.urlparts.netloc:
            raise Forbidden(f"foreign origin {origin}")

    def page(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """Require a session; on POST also the CSRF token. Operator errors come back as a flash message."""

        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            session = self.accounts.session(bottle.request.get_cookie(SESSION_COOKIE))
            if session is None:
                redirect("/admin/login?next=" + quote(bottle.request.fullpath))
            if bottle.request.method == "POST":
                try:
                    self._check_origin()
                    sent = bottle.request.forms.get("csrf", "")
                    if not secrets.compare_digest(sent.encode(), session.csrf.encode()):
                        raise Forbidden("missing or wrong CSRF token")
                except Forbidden as exc:
                    log.warning("dashboard: refused %s %s: %s", bottle.request.method, bottle.request.path, exc)
                    return self._render("admin_error", session, status=403, message_key="csrf")
                try:
                    return handler(session, *args, **kwargs)
                except CartToCartError as exc:
                    back = bottle.request.forms.getunicode("back", default="") or "/admin"
                    if not back.startswith("/admin"):
                        back = "/admin"
                    flash = f"error:{type(exc).__name__}:{exc}"
                    redirect(f"{back}{'&' if '?' in back else '?'}flash=" + quote(flash))
            return handler(session, *args, **kwargs)

        return wrapper

    # ----- login ------------------------------------------------------------
    def login_form(self, error: str = "", status: int = 200, retry: int = 0) -> str:
        nonce = secrets.token_urlsafe(24)
        bottle.response.set_cookie(
            LOGIN_COOKIE,
            nonce,
            path="/admin/login",
            httponly=True,
            samesite="strict",
            secure=self._secure(),
            max_age=3600,
        )
        return self._render(
            "admin_login",
            None,
            status=status,
            nonce=nonce,
            error=error,
            retry=retry,
            has_password=self.accounts.has_password(),
            next=bottle.request.query.get("next", "/admin"),
        )

    def login(self) -> str:
        forms = bottle.request.forms
        nonce = bottle.request.get_cookie(LOGIN_COOKIE) or ""
        if not nonce or not secrets.compare_digest(forms.get("csrf", "").encode(), nonce.encode()):
            return self._render("admin_error", None, status=403, message_key="csrf")
        address = bottle.request.remote_addr or "?"
        try:
            cookie, session = self.accounts.login(
                forms.getunicode("username", default=""), forms.getunicode("password", default=""), address
            )
        except TooManyAttempts as exc:
            log.warning("dashboard: login rate-limited for %s", address)
            bottle.response.set_header("Retry-After", str(exc.retry_after))
            return self.login_form("too_many", 429, exc.retry_after)
        except LoginRefused:
            log.warning("dashboard: failed login from %s", address)
            return self.login_form("login_failed", 403)
        log.info("dashboard: %s logged in from %s", session.username, address)
        bottle.response.delete_cookie(LOGIN_COOKIE, path="/admin/login")
        # A relative lifetime: the browser's clock and the box's may disagree (a Pi without a
        # real-time clock before NTP); the store still refuses the session once it expires.
        bottle.response.set_cookie(
            SESSION_COOKIE,
            cookie,
            path="/",
            httponly=True,
            samesite="strict",
            secure=self._secure(),
            max_age=int(SESSION_LIFETIME.total_seconds()),
        )
        target = forms.get("next", "/admin")
        redirect(target if target.startswith("/admin") and not target.startswith("/admin/login") else "/admin")
        return ""

    def logout(self, session: Session) -> None:
        self.accounts.logout(bottle.request.get_cookie(SESSION_COOKIE))
        bottle.response.delete_cookie(SESSION_COOKIE, path="/")
        redirect("/admin/login")

    # ----- pages --------------------------------------------------------------
    def overview(self, session: Session) -> str:
        now = self.service.clock()
        health = self.health()
        return self._render(
            "admin_overview",
            session,
            health=health,
            recording=recording_view(health["recording"]),
            modems=views.modems(now),
            last_sms=views.last_sms(),
            counts=views.counts(self.service),
            now=now,
            glance=glances.glance(self.service, now),
        )

    def payments(self, session: Session) -> str:
        query = bottle.request.query
        fid = fa_int(query.get("fid", ""))
        amount = fa_int(query.get("amount", ""))
        state = query.get("state", "")
        found = self.service.list_payments(
            state=state if state in {s.value for s in State} else None, fid=fid, amount=amount, limit=100
        )
        return self._render(
            "admin_payments",
            session,
            payments=found,
            states=[s.value for s in State],
            q={"fid": query.get("fid", ""), "amount": query.get("amount", ""), "state": state},
        )

    def payment(self, session: Session, pay_id: int) -> str:
        payment = self.service.find_payment(pay_id)
        if payment is None:  # a page in the operator's language, not the API's JSON 404
            return self._render("admin_error", session, status=404, message_key="err.NotFound")
        return self._render(
            "admin_payment",
            session,
            payment=payment,
            events=self.service.events_for("payment", pay_id),
            deposits=self.service.payment_deposits(payment),
            cards=self.service.payment_cards(payment),
        )

    def inbox(self, session: Session) -> str:
        kind = bottle.request.query.get("kind") or None
        return self._render("admin_sms", session, messages=views.inbox(kind), kind=kind or "")

    def review(self, session: Session) -> str:
        query = bottle.request.query
        state = query.get("state", "")
        states = (state,) if state in DepositState.REVIEW else DepositState.REVIEW
        first, last, bad_date = _day_filter(query.getunicode("from", default=""), query.getunicode("to", default=""))
        items = glances.review_queue(self.service, glances.ReviewFilter(states, first, last))
        events = {i.deposit.id: self.service.events_for("deposit", i.deposit.id) for i in items}
        cards = {p.id: self.service.payment_cards(p) for i in items for p in i.candidates}
        extra: dict[str, Any] = {}
        for more in self.review_extras:
            extra.update(more())
        return self._render(
            "admin_review",
            session,
            items=items,
            events=events,
            candidate_cards=cards,
            actions=REVIEW_ACTIONS,
            states=DepositState.REVIEW,
            q={"state": state, "from": query.getunicode("from", default=""), "to": query.getunicode("to", default="")},
            bad_date=bad_date,
            **extra,
        )

    def review_action(self, session: Session, action: str) -> None:
        forms = bottle.request.forms
        actor = f"operator:{session.username}"
        note = forms.getunicode("note", default="").strip()
        deposit_id = fa_int(forms.get("deposit_id", ""))
        pay_id = fa_int(forms.getunicode("pay_id", default=""))
        if action == "assign":
            self.service.assign_deposit(_required(deposit_id, "deposit"), _required(pay_id, "payment id"), actor, note)
        elif action == "accept-late":
            self.service.accept_late(_required(pay_id, "payment id"), actor, note)
        elif action == "refund":
            self.service.refund(deposit_id=_required(deposit_id, "deposit"), actor=actor, note=note)
        elif action == "dismiss":
            self.service.dismiss_deposit(_required(deposit_id, "deposit"), actor, note)
        else:
            raise bottle.HTTPError(404)
        redirect("/admin/review?flash=done")

    def export_form(self, session: Session) -> str:
        today = jalali_text(tehran_day(self.service.clock()))
        return self._render("admin_export", session, today=today)

    def export_csv(self, session: Session, what: str) -> str:
        query = bottle.request.query
        try:
            first, last = exports.date_range(query.getunicode("from", default=""), query.getunicode("to", default=""))
        except InvalidInput as exc:
            return self._render("admin_export", session, status=400, today=query.get("to", ""), error=str(exc))
        lang = self._lang()
        body = (exports.payments_csv if what == "payments" else exports.deposits_csv)(first, last, lang)
        bottle.response.content_type = "text/csv; charset=utf-8"
        bottle.response.set_header("Cache-Control", "no-store")
        bottle.response.set_header("X-Content-Type-Options", "nosniff")
        name = f"{what}-{jalali_text(first).replace('/', '')}-{jalali_text(last).replace('/', '')}.csv"
        bottle.response.set_header("Content-Disposition", f'attachment; filename="{name}"')
        return body

    def cards(self, session: Session) -> str:
        return self._render("admin_cards", session, cards=views.cards(self.service, self.service.clock()))

    def add_card(self, session: Session) -> None:
        forms = bottle.request.forms
        self.service.add_card(
            forms.getunicode("number", default=""),
            forms.getunicode("holder", default=""),
            bank=forms.getunicode("bank", default="").strip() or None,
            account=forms.getunicode("account", default="").strip() or None,
            daily_limit_rial=fa_int(forms.getunicode("daily_limit", default="")),
            daily_limit_count=fa_int(forms.getunicode("daily_count", default="")),
            actor=f"operator:{session.username}",
        )
        redirect("/admin/cards?flash=done")

    def card_active(self, session: Session, card_id: int) -> None:
        active = bottle.request.forms.get("active") == "1"
        try:
            card = self.service.get_card(card_id)
        except NotFound:
            raise bottle.HTTPError(404) from None
        # By full number: a short reference would also match cards whose number ends with these digits.
        self.service.set_card_active(card.number, active, actor=f"operator:{session.username}")
        redirect("/admin/cards?flash=done")

    def tokens(self, session: Session) -> str:
        tokens = self.service.list_tokens()
        secrets_by_token = {t.id: self.webhooks.secret_for(t) for t in tokens if t.webhook_url}
        return self._render("admin_tokens", session, tokens=tokens, webhook_secrets=secrets_by_token, new_token=None)

    def add_token(self, session: Session) -> str:
        """A new token, shown once on the answer page (only its hash is kept)."""
        forms = bottle.request.forms
        scopes = [s for s in forms.getall("scope") if s] or ["payments"]
        url = forms.getunicode("webhook_url", default="").strip() or None
        row, value = self.service.add_token(
            forms.getunicode("name", default=""), scopes, url, actor=f"operator:{session.username}"
        )
        tokens = self.service.list_tokens()
        secrets_by_token = {t.id: self.webhooks.secret_for(t) for t in tokens if t.webhook_url}
        return self._render(
            "admin_tokens", session, tokens=tokens, webhook_secrets=secrets_by_token, new_token=(row.name, value)
        )

    def revoke_token(self, session: Session, token_id: int) -> None:
        try:
            token = self.service.get_token(token_id)
        except NotFound:
            raise bottle.HTTPError(404) from None
        self.service.revoke_token(token.name, actor=f"operator:{session.username}")
        redirect("/admin/tokens?flash=done")

    def deliveries(self, session: Session) -> str:
        rows = self.webhooks.list_deliveries()
        tokens = self.service.token_names()
        attempts = {d.id: self.webhooks.attempts(d.id) for d in rows}
        return self._render("admin_webhooks", session, deliveries=rows, tokens=tokens, attempts=attempts)

    def redeliver(self, session: Session, delivery_id: int) -> None:
        self.webhooks.redeliver(delivery_id, f"operator:{session.username}")
        redirect("/admin/webhooks?flash=done")


# The review item's actions, in order: (template, deposit states it applies to). Another action is one more
# row here and one more web/views/review_action_<name>.tpl (trust this sender, learn this format, ...).
REVIEW_ACTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("assign", DepositState.ASSIGNABLE),
    ("accept_late", (DepositState.LATE,)),
    ("refund", DepositState.REVIEW),
    ("dismiss", DepositState.ASSIGNABLE),
]


def _day_filter(first: str, last: str) -> tuple[dt.date | None, dt.date | None, bool]:
    """The review filter's Jalali days (either may be empty); the flag says one could not be read."""
    days: list[dt.date | None] = []
    bad = False
    for text in (first, last):
        try:
            days.append(parse_jalali(text) if text.strip() else None)
        except JalaliDateError:
            days.append(None)
            bad = True
    return days[0], days[1], bad


def fa_int(text: str) -> int | None:
    """A whole number typed by a person: Persian or Latin digits, separators ignored; None when empty."""
    digits = "".join(
        ch for ch in text.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")) if ch.isdigit()
    )
    return int(digits) if digits else None


def _required(value: int | None, what: str) -> int:
    if value is None:
        raise InvalidInput(f"the {what} is required")
    return value
