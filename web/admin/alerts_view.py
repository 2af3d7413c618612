"""The dashboard's alert banner (on every page) and its alerts page: active alerts, the owner's notices.

Additive to :mod:`web.admin.dashboard`: ``_render`` passes :func:`banner` to every
page (``admin_alerts_banner.tpl``, included by ``admin_base.tpl``), and
:func:`install` adds ``/admin/alerts``. Texts come from
:mod:`appliance.usecases.alerts` in the page's language.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import bottle
import jdatetime

from appliance.usecases.alerts import AlertCenter
from web import fa
from web.i18n import WORDS, translator
from web.present import Present


def when(value: dt.datetime | None, lang: str) -> str:
    """Jalali date and Tehran time, in the page's language and digits (as every dashboard page shows them)."""
    return Present(lang, dt.datetime.now(dt.UTC)).when(value)


def word(key: str, lang: str) -> str:
    """The outbox's words (channel, purpose, state) in the page's language (web/i18n.py)."""
    return translator(lang)(f"outbox.{key}") if f"outbox.{key}" in WORDS else key


def banner(service: Any, lang: str) -> list[dict[str, str]]:
    """The active alerts as the banner shows them (an empty list on any trouble: the page still renders)."""
    try:
        active = AlertCenter(service).active()
    except Exception:  # the banner must never take a page down; the alerts page shows the error
        return []
    page = Present(lang, dt.datetime.now(dt.UTC))
    return [{"kind": a.kind, "html": page.alert(a.kind, a.params), "since": when(a.raised_at, lang)} for a in active]


def install(app: bottle.Bottle, dashboard: Any) -> None:
    """Add ``/admin/alerts`` to the dashboard (``dashboard`` is the :class:`web.admin.dashboard.Dashboard`)."""

    def alerts_page(session: Any) -> str:
        lang = dashboard._lang()
        center = AlertCenter(dashboard.service)
        return dashboard._render(
            "admin_alerts",
            session,
            title=translator(lang)("al.title"),
            history=center.history(30),
            balance=_balance(lang),
            notices=center.notices(50),
            render_alert=lambda a: _alert_text(a, lang),
            word=lambda k: word(k, lang),
            when=lambda v: when(v, lang),
        )

    app.route("/admin/alerts", "GET", dashboard.page(alerts_page))


def _alert_text(alert: Any, lang: str) -> str:
    """HTML of an alert's sentence (its modem's name marked as data)."""
    return Present(lang, dt.datetime.now(dt.UTC)).alert(alert.kind, alert.params)


def _balance(lang: str) -> dict[str, str] | None:
    """The SIM's last USSD balance answer as the page shows it (credit in Rial with Toman, validity in Jalali)."""
    from appliance.usecases import sim_balance

    row = sim_balance.latest()
    if row is None:
        return None
    page = Present(lang, dt.datetime.now(dt.UTC))
    credit = page.rial(row.credit_rial)
    until = "—"
    if row.valid_until is not None:
        day = row.valid_until
        until = (
            day.isoformat()
            if lang == "en"
            else fa.fa_digits(jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d"))
        )
    return {"modem": row.modem, "credit": credit, "until": until, "at": when(row.at, lang), "reply": row.reply or ""}
