"""Alerts that reach the owner: conditions raised once, repeated while they last, resolved with a notice.

The box (:mod:`appliance.jobs`) gathers :class:`Facts` every minute;
:func:`conditions` turns them into the conditions that hold now, and
:meth:`AlertCenter.evaluate` compares them with the stored alerts: a new one is
raised (an ``alert_raised`` event and a notice on every channel), a lasting one
is repeated every ``alerts.repeat_minutes``, one whose cause is gone is
resolved (an ``alert_resolved`` event and a "resolved" notice). A condition
that could not be checked this time is left as it is.

Channels: an SMS to ``alerts.owner_phone`` sent through the modem (at most
``alerts.sms_daily_cap`` a Tehran day, forwarded messages included), a signed
webhook event (``alert.raised`` / ``alert.resolved`` / ``alert.test``) to every
token's URL, signed as payment webhooks are, and the dashboard's banner
(:meth:`AlertCenter.active`). Every notice is a row of ``owner_notice``: the
outbox and its log.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from appliance.domain.money import format_rial, rial_to_toman_text, to_persian_digits
from appliance.domain.reasons import say
from appliance.settings import Settings
from appliance.store import database as store
from appliance.store.models import Alert, ApiToken, OwnerNotice
from appliance.usecases.core import TEHRAN, UseCaseCore
from appliance.usecases.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Poster,
    http_post,
    signature,
)

log = logging.getLogger(__name__)

ACTIVE, RESOLVED = "active", "resolved"
SMS, WEBHOOK = "sms", "webhook"
PENDING, SENT, FAILED, CAPPED = "pending", "sent", "failed", "capped"
# Waits after a failed send; after the last one the notice is marked failed.
RETRY_SECONDS = (30, 120, 600, 1800, 3600)
TEST_MINUTES = 10  # the test alert's banner stays this long
DOWN_CHECKS = 2  # a modem counts as down once two checks in a row found it down

# Every kind of alert, with its Persian and English text; {placeholders} come from the alert's params.
TEXTS: dict[str, tuple[str, str]] = {
    "no_sms": (
        "هیچ پیامکی در {minutes} دقیقهٔ گذشته نرسیده و {pending} پرداخت در انتظار است.",
        "No SMS received for {minutes} minutes while {pending} payment(s) are pending.",
    ),
    "modem_down": (
        "مودم «{modem}» در دسترس نیست یا در شبکه ثبت نشده است.",
        "Modem '{modem}' is gone or not registered on the network.",
    ),
    "disk_low": (
        "فضای دیسک رو به پایان است: {free_mb} مگابایت آزاد مانده است.",
        "The disk is nearly full: {free_mb} MB free.",
    ),
    "sms_store": (
        "پیامک‌ها ذخیره نمی‌شوند (حافظهٔ سیم‌کارت پر است یا پایگاه داده نمی‌پذیرد).",
        "SMS cannot be stored (the SIM's storage is full or the database refuses them).",
    ),
    "clock": (
        "ساعت دستگاه قابل اعتماد نیست؛ پرداخت تازه پذیرفته نمی‌شود.",
        "The box's clock is not trusted; new payments are refused.",
    ),
    "webhooks": (
        "ارسال وب‌هوک به فروشگاه پیاپی ناموفق است ({failing} ارسال).",
        "Webhooks to the shop keep failing ({failing} deliveries).",
    ),
    "review_old": (
        "{count} واریز بیش از {minutes} دقیقه در صف بررسی مانده است.",
        "{count} deposit(s) have waited in the review queue over {minutes} minutes.",
    ),
    "sim_credit": (
        "اعتبار سیم‌کارت کم است: {credit} ریال ({toman} تومان).",
        "The SIM's credit is low: {credit} Rial ({toman} Toman).",
    ),
    "sim_validity": (
        "مهلت سیم‌کارت رو به پایان است: تا {until} ({days} روز دیگر).",
        "The SIM's validity is ending: until {until} ({days} days left).",
    ),
    "test": (
        "این یک هشدار آزمایشی است؛ همه چیز درست کار می‌کند.",
        "This is a test alert; everything works.",
    ),
}
RESOLVED_PREFIX = ("رفع شد: ", "Resolved: ")


@dataclass(frozen=True)
class Condition:
    """A condition that holds now (``active``) or was checked and does not (``active`` False)."""

    key: str
    kind: str
    active: bool
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """What the box knows this minute; ``None``: not checked this time (the alert is left as it is)."""

    now: dt.datetime
    pending_payments: int | None = None
    last_sms_at: dt.datetime | None = None
    receiving_since: dt.datetime | None = None  # when the box started listening (no alert before N minutes)
    modems: list[dict[str, Any]] | None = None  # name, down_checks (checks in a row it was found down)
    disk_free_mb: int | None = None
    sms_storable: bool | None = None
    clock_trusted: bool | None = None
    failing_webhooks: int | None = None
    oldest_review_at: dt.datetime | None = None
    review_count: int | None = None
    sim_credit_rial: int | None = None
    sim_valid_until: dt.date | None = None
    modem_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class AlertView:
    """An active alert as the dashboard shows it."""

    id: int
    kind: str
    text_fa: str
    text_en: str
    raised_at: dt.datetime
    params: dict[str, Any] = field(default_factory=dict)


def conditions(facts: Facts, settings: Settings) -> list[Condition]:
    """The conditions ``facts`` let the box judge, each active or not."""
    a = settings.alerts
    out: list[Condition] = []
    now = facts.now
    if facts.pending_payments is not None:
        limit = dt.timedelta(minutes=a.no_sms_minutes)
        known = [x for x in (facts.last_sms_at, facts.receiving_since) if x is not None]
        since = max(known) if known else None  # the last SMS, or when the box started listening
        quiet_minutes = int((now - since).total_seconds() // 60) if since else 0
        quiet = bool(facts.modem_names) and facts.pending_payments > 0 and since is not None and now - since >= limit
        out.append(Condition("no_sms", "no_sms", quiet, {"minutes": quiet_minutes, "pending": facts.pending_payments}))
    for modem in facts.modems or []:
        # Down at two checks in a row (a minute apart): a reconnect of a few seconds is not worth an SMS.
        down = modem.get("down_checks", DOWN_CHECKS) >= DOWN_CHECKS
        out.append(Condition(f"modem_down:{modem['name']}", "modem_down", down, {"modem": modem["name"]}))
    if facts.disk_free_mb is not None:
        low = facts.disk_free_mb < a.disk_min_free_mb
        out.append(Condition("disk_low", "disk_low", low, {"free_mb": facts.disk_free_mb}))
    if facts.sms_storable is not None:
        out.append(Condition("sms_store", "sms_store", not facts.sms_storable))
    if facts.clock_trusted is not None:
        out.append(Condition("clock", "clock", not facts.clock_trusted))
    if facts.failing_webhooks is not None:
        failing = facts.failing_webhooks >= a.webhook_failures
        out.append(Condition("webhooks", "webhooks", failing, {"failing": facts.failing_webhooks}))
    if facts.review_count is not None:
        old = facts.oldest_review_at is not None and now - facts.oldest_review_at >= dt.timedelta(
            minutes=a.review_minutes
        )
        out.append(
            Condition("review_old", "review_old", old, {"count": facts.review_count, "minutes": a.review_minutes})
        )
    if facts.sim_credit_rial is not None:
        low = facts.sim_credit_rial < a.credit_min_rial
        credit = facts.sim_credit_rial
        out.append(Condition("sim_credit", "sim_credit", low, {"credit": credit}))
    if facts.sim_valid_until is not None:
        days = (facts.sim_valid_until - now.astimezone(TEHRAN).date()).days
        ending = days < a.validity_min_days
        out.append(
            Condition(
                "sim_validity", "sim_validity", ending, {"until": facts.sim_valid_until.isoformat(), "days": days}
            )
        )
    return out


def render(kind: str, params: dict[str, Any] | None, language: str, resolved: bool = False) -> str:
    """The alert's sentence in ``fa`` (Persian digits, Jalali dates) or ``en``."""
    fa = language == "fa"
    template = TEXTS[kind][0 if fa else 1]
    values: dict[str, Any] = {}
    for name, value in (params or {}).items():
        values[name] = value
    if "credit" in values:
        credit = int(values["credit"])
        values["toman"] = rial_to_toman_text(credit)
        values["credit"] = format_rial(credit)
    if "until" in values and fa:
        import jdatetime

        day = dt.date.fromisoformat(str(values["until"]))
        values["until"] = jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d")
    try:
        text = template.format(**values)
    except (KeyError, ValueError):  # an alert stored by an older version with other params
        text = template.split("{")[0].rstrip(" :(")
    if fa:
        text = to_persian_digits(text.replace("toman", "تومان"))
        text = text.replace(",", "٬") if "credit" in (params or {}) else text
    return (RESOLVED_PREFIX[0 if fa else 1] + text) if resolved else text


class AlertCenter:
    """Raise, repeat and resolve alerts; queue and deliver their notices (see the module docstring)."""

    def __init__(
        self,
        service: UseCaseCore,
        send_sms: Callable[[str, str], None] | None = None,
        poster: Poster = http_post,
        secret_for: Callable[[ApiToken], str] | None = None,
    ) -> None:
        self.service = service
        self.settings = service.settings
        self.clock = service.clock
        self.send_sms = send_sms  # through the modem; None: this process has no modem (the CLI)
        self.poster = poster
        self.secret_for = secret_for

    # ----- raising and resolving -----------------------------------------
    def evaluate(self, found: Iterable[Condition]) -> dict[str, list[str]]:
        """Compare the conditions with the stored alerts; returns the keys raised, repeated and resolved."""
        now = self.clock()
        changes: dict[str, list[str]] = {"raised": [], "repeated": [], "resolved": []}
        repeat = dt.timedelta(minutes=self.settings.alerts.repeat_minutes)
        self._expire_tests(now)
        for condition in found:
            with store.write():
                alert = self._active(condition.key)
                if condition.active and alert is None:
                    alert = self._raise(condition, now)
                    changes["raised"].append(condition.key)
                elif condition.active and alert is not None and now - alert.notified_at >= repeat:
                    alert.params, alert.notified_at, alert.repeats = condition.params, now, alert.repeats + 1
                    alert.save()
                    self._queue(alert, "repeat", now)
                    changes["repeated"].append(condition.key)
                elif not condition.active and alert is not None:
                    alert.state, alert.resolved_at = RESOLVED, now
                    alert.save()
                    resolved = say("alert_resolved", alert=alert.kind, **(alert.params or {}))
                    self.service.record_event(
                        "alert", alert.id, "alert_resolved", "box", resolved,
                        from_state=ACTIVE, to_state=RESOLVED, data={"key": alert.key}, now=now,
                    )  # fmt: skip
                    self._queue(alert, "resolved", now)
                    changes["resolved"].append(condition.key)
        for what, keys in changes.items():
            for key in keys:
                log.warning("alert %s: %s", key, what) if what != "resolved" else log.info("alert %s: resolved", key)
        return changes

    def _active(self, key: str) -> Alert | None:
        return Alert.select().where((Alert.key == key) & (Alert.state == ACTIVE)).order_by(Alert.id.desc()).first()

    def _raise(self, condition: Condition, now: dt.datetime) -> Alert:
        alert = Alert.create(
            key=condition.key, kind=condition.kind, state=ACTIVE, params=condition.params, raised_at=now,
            notified_at=now, repeats=0,
        )  # fmt: skip
        self.service.record_event(
            "alert", alert.id, "alert_raised", "box", say("alert", alert=condition.kind, **(condition.params or {})),
            to_state=ACTIVE, data={"key": condition.key, "params": condition.params}, now=now,
        )  # fmt: skip
        self._queue(alert, "raised", now)
        return alert

    def active(self) -> list[AlertView]:
        """The alerts in force, newest first, in both languages (the dashboard's banner)."""
        rows = Alert.select().where(Alert.state == ACTIVE).order_by(Alert.raised_at.desc(), Alert.id.desc())
        return [
            AlertView(
                a.id,
                a.kind,
                render(a.kind, a.params, "fa"),
                render(a.kind, a.params, "en"),
                a.raised_at,
                a.params or {},
            )
            for a in rows
        ]

    def history(self, limit: int = 50) -> list[Alert]:
        return list(Alert.select().order_by(Alert.id.desc()).limit(limit))

    # ----- notices --------------------------------------------------------
    def _queue(self, alert: Alert | None, purpose: str, now: dt.datetime, kind: str | None = None) -> list[int]:
        """One notice per channel (inside the caller's transaction)."""
        kind = kind or (alert.kind if alert else "test")
        params = alert.params if alert else {}
        a = self.settings.alerts
        resolved = purpose == "resolved"
        ids: list[int] = []
        if a.sms and a.owner_phone:
            text = f"{self._box_label()} {render(kind, params, a.language, resolved)}"
            ids.append(self._notice(SMS, purpose, a.owner_phone, text, now, alert=alert))
        if a.webhook:
            event = {"raised": "alert.raised", "repeat": "alert.raised", "resolved": "alert.resolved"}.get(
                purpose, "alert.test"
            )
            for token in self._webhook_tokens():
                body = {
                    "event": event,
                    "id": secrets.token_hex(8),
                    "alert_id": alert.id if alert else None,
                    "kind": kind,
                    "key": alert.key if alert else "test",
                    "params": params,
                    "text": {"fa": render(kind, params, "fa", resolved), "en": render(kind, params, "en", resolved)},
                    "box": self.settings.box.name,
                    "at": int(now.timestamp()),
                }
                text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
                ids.append(self._notice(WEBHOOK, purpose, token.webhook_url or "", text, now, alert=alert, token=token))
        return ids

    def queue_sms(self, purpose: str, text: str, sms_message_id: int | None = None) -> int | None:
        """An SMS to the owner that is not an alert (a forwarded message); None without an owner phone."""
        phone = self.settings.alerts.owner_phone
        if not phone:
            return None
        with store.write():
            return self._notice(SMS, purpose, phone, text, self.clock(), sms_message_id=sms_message_id)

    def _notice(
        self,
        channel: str,
        purpose: str,
        recipient: str,
        body: str,
        now: dt.datetime,
        *,
        alert: Alert | None = None,
        token: ApiToken | None = None,
        sms_message_id: int | None = None,
    ) -> int:
        return store.insert(
            OwnerNotice,
            dict(
                channel=channel, purpose=purpose, alert=alert.id if alert else None, sms_message_id=sms_message_id,
                recipient=recipient, token_id=token.id if token else None, body=body, state=PENDING, attempts=0,
                next_attempt_at=now, created_at=now,
            ),
        )  # fmt: skip

    def _webhook_tokens(self) -> list[ApiToken]:
        return list(
            ApiToken.select().where(
                ApiToken.webhook_url.is_null(False) & (ApiToken.webhook_url != "") & ApiToken.revoked_at.is_null()
            )
        )

    def _box_label(self) -> str:
        return f"[{self.settings.box.name}]"

    def send_test(self) -> list[int]:
        """``carttocart alert test``: a test alert on every channel (SMS, webhooks, the dashboard's banner).

        The banner's test alert resolves by itself after :data:`TEST_MINUTES` (without a notice)."""
        now = self.clock()
        with store.write():
            alert = self._active("test")
            if alert is None:
                alert = Alert.create(
                    key="test", kind="test", state=ACTIVE, params={}, raised_at=now, notified_at=now, repeats=0
                )
            ids = self._queue(alert, "test", now)
            self.service.record_event(
                "alert",
                alert.id,
                "alert_test",
                "operator",
                say("alert_test_sent", count=len(ids)),
                to_state=ACTIVE,
                now=now,
            )
        return ids

    def _expire_tests(self, now: dt.datetime) -> None:
        with store.write():
            for alert in Alert.select().where((Alert.kind == "test") & (Alert.state == ACTIVE)):
                if now - alert.raised_at >= dt.timedelta(minutes=TEST_MINUTES):
                    alert.state, alert.resolved_at = RESOLVED, now
                    alert.save()
                    self.service.record_event(
                        "alert", alert.id, "alert_resolved", "box", say("test_over"), from_state=ACTIVE,
                        to_state=RESOLVED, now=now,
                    )  # fmt: skip

    def notice(self, notice_id: int) -> OwnerNotice | None:
        return OwnerNotice.get_or_none(OwnerNotice.id == notice_id)

    # ----- delivery -------------------------------------------------------
    def sms_sent_today(self, purposes: tuple[str, ...] | None = None) -> int:
        """SMS to the owner sent (or being sent) since midnight in Tehran."""
        now = self.clock().astimezone(TEHRAN)
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)
        query = OwnerNotice.select().where(
            (OwnerNotice.channel == SMS) & (OwnerNotice.state == SENT) & (OwnerNotice.sent_at >= midnight)
        )
        if purposes:
            query = query.where(OwnerNotice.purpose.in_(list(purposes)))
        return query.count()

    def deliver_due(self, limit: int = 20, channels: tuple[str, ...] = (SMS, WEBHOOK)) -> int:
        """Send the due notices once (SMS through the modem, webhooks by HTTP); returns how many went out."""
        now = self.clock()
        due = list(
            OwnerNotice.select()
            .where(
                (OwnerNotice.state == PENDING)
                & (OwnerNotice.next_attempt_at <= now)
                & OwnerNotice.channel.in_(list(channels))
            )
            .order_by(OwnerNotice.id)
            .limit(limit)
        )
        sent = 0
        for notice in due:
            if notice.channel == SMS:
                if self.send_sms is None:
                    continue  # the running box sends it
                sent += self._deliver_sms(notice)
            else:
                sent += self._deliver_webhook(notice)
        return sent

    def _deliver_sms(self, notice: OwnerNotice) -> bool:
        cap = self.settings.alerts.sms_daily_cap
        if notice.purpose == "forward":
            cap = min(cap, self.settings.forwarding.daily_cap)
            used = self.sms_sent_today(("forward",))
            total = self.sms_sent_today()
            over = used >= cap or total >= self.settings.alerts.sms_daily_cap
        else:
            over = notice.purpose != "test" and self.sms_sent_today() >= cap
        if over:
            self._finish(notice, CAPPED, "the daily SMS cap is reached")
            log.warning("SMS notice %s not sent: the daily cap is reached", notice.id)
            return False
        assert self.send_sms is not None
        try:
            self.send_sms(notice.recipient, notice.body)
        except Exception as exc:  # the modem's failure (no network, busy, refused): retried with backoff
            self._retry(notice, f"{type(exc).__name__}: {exc}")
            return False
        self._finish(notice, SENT, None)
        return True

    def _deliver_webhook(self, notice: OwnerNotice) -> bool:
        token = ApiToken.get_or_none(ApiToken.id == notice.token_id)
        if token is None or self.secret_for is None:
            self._finish(notice, FAILED, "the token is gone")
            return False
        body = notice.body.encode("utf-8")
        stamp = int(self.clock().timestamp())
        event = json.loads(notice.body).get("event", "alert.raised")
        headers = {
            TIMESTAMP_HEADER: str(stamp),
            SIGNATURE_HEADER: signature(self.secret_for(token), stamp, body),
            DELIVERY_HEADER: f"alert-{notice.id}",
            "X-CartToCart-Event": event,
            "User-Agent": "CartToCart-Webhook/1",
        }
        result = self.poster(notice.recipient, body, headers, 10.0)
        if result.ok:
            self._finish(notice, SENT, None)
            return True
        self._retry(notice, result.error or f"HTTP {result.http_status}")
        return False

    def _finish(self, notice: OwnerNotice, state: str, error: str | None) -> None:
        now = self.clock()
        with store.write():
            OwnerNotice.update(
                state=state, attempts=notice.attempts + 1, sent_at=now if state == SENT else None, last_error=error
            ).where(OwnerNotice.id == notice.id).execute()

    def _retry(self, notice: OwnerNotice, error: str) -> None:
        attempts = notice.attempts + 1
        now = self.clock()
        log.warning("%s notice %s: attempt %d failed: %s", notice.channel, notice.id, attempts, error)
        with store.write():
            if attempts > len(RETRY_SECONDS):
                changes: dict[str, Any] = {"state": FAILED}
            else:
                changes = {"next_attempt_at": now + dt.timedelta(seconds=RETRY_SECONDS[attempts - 1])}
            OwnerNotice.update(attempts=attempts, last_error=error, **changes).where(
                OwnerNotice.id == notice.id
            ).execute()

    def notices(self, limit: int = 100) -> list[OwnerNotice]:
        """The outbox's log, newest first."""
        return list(OwnerNotice.select().order_by(OwnerNotice.id.desc()).limit(limit))


def store_facts(settings: Settings, now: dt.datetime) -> dict[str, Any]:
    """The facts the store holds: pending payments, the last SMS, webhooks, the review queue, the SIM balance."""
    from appliance.store.models import Deposit, Payment, SmsPart, WebhookDelivery
    from appliance.usecases import sim_balance
    from appliance.usecases.core import DepositState

    last_part = SmsPart.select(SmsPart.received_at).order_by(SmsPart.received_at.desc()).first()
    review = Deposit.select().where(Deposit.state.in_(list(DepositState.REVIEW)))
    oldest = review.order_by(Deposit.received_at).first()
    attempted = list(
        WebhookDelivery.select(WebhookDelivery.state)
        .where(WebhookDelivery.attempts > 0)
        .order_by(WebhookDelivery.id.desc())
        .limit(settings.alerts.webhook_failures)
    )
    failing = 0
    for delivery in attempted:  # newest first, up to the first one that got through
        if delivery.state == "delivered":
            break
        failing += 1
    balance = sim_balance.latest()
    return {
        "pending_payments": Payment.select().where(Payment.state == "pending").count(),
        "last_sms_at": last_part.received_at if last_part else None,
        "failing_webhooks": failing,
        "review_count": review.count(),
        "oldest_review_at": oldest.received_at if oldest else None,
        "sim_credit_rial": balance.credit_rial if balance else None,
        "sim_valid_until": balance.valid_until if balance else None,
    }
