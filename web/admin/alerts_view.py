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
from web.present import Present

# The outbox's words per language (channel, purpose, state): no English reaches a Persian page.
WORDS = {
    "sms": ("پیامک", "SMS"),
    "webhook": ("وب‌هوک", "webhook"),
    "raised": ("هشدار", "alert"),
    "repeat": ("تکرار", "repeat"),
    "resolved": ("رفع شد", "resolved"),
    "test": ("آزمایشی", "test"),
    "forward": ("بازارسال", "forwarded"),
    "pending": ("در صف", "queued"),
    "sent": ("فرستاده شد", "sent"),
    "failed": ("ناموفق", "failed"),
    "capped": ("سقف روزانه", "daily cap"),
}


def when(value: dt.datetime | None, lang: str) -> str:
    """Jalali date and Tehran time, in the page's language and digits (as every dashboard page shows them)."""
    return Present(lang, dt.datetime.now(dt.UTC)).when(value)


def word(key: str, lang: str) -> str:
    pair = WORDS.get(key)
    return pair[1 if lang == "en" else 0] if pair else key


def banner(service: Any, lang: str) -> list[dict[str, str]]:
    """The active alerts as the banner shows them (an empty list on any trouble: the page still renders)."""
    try:
        active = AlertCenter(service).active()
    except Exception:  # the banner must never take a page down; the alerts page shows the error
        return []
    return [
        {"kind": a.kind, "text": a.text_en if lang == "en" else a.text_fa, "since": when(a.raised_at, lang)}
        for a in active
    ]


def install(app: bottle.Bottle, dashboard: Any) -> None:
    """Add ``/admin/alerts`` to the dashboard (``dashboard`` is the :class:`web.admin.dashboard.Dashboard`)."""

    def alerts_page(session: Any) -> str:
        lang = dashboard._lang()
        center = AlertCenter(dashboard.service)
        return dashboard._render(
            "admin_alerts",
            session,
            title="هشدارها" if lang == "fa" else "Alerts",
            history=center.history(30),
            balance=_balance(lang),
            notices=center.notices(50),
            render_alert=lambda a: _alert_text(a, lang),
            word=lambda k: word(k, lang),
            when=lambda v: when(v, lang),
        )

    app.route("/admin/alerts", "GET", dashboard.page(alerts_page))


def _alert_text(alert: Any, lang: str) -> str:
    from appliance.usecases.alerts import render

    return render(alert.kind, alert.params, lang)


def _balance(lang: str) -> dict[str, str] | None:
    """The SIM's last USSD balance answer as the page shows it (credit in Rial with Toman, validity in Jalali)."""
    from appliance.domain.money import format_rial, rial_to_toman_text
    from appliance.usecases import sim_balance

    row = sim_balance.latest()
    if row is None:
        return None
    en = lang == "en"
    credit = "—"
    if row.credit_rial is not None:
        toman = rial_to_toman_text(row.credit_rial)
        credit = (
            f"{format_rial(row.credit_rial)} Rial ({toman} Toman)"
            if en
            else f"{format_rial(row.credit_rial, persian=True)} ریال ({fa.fa_digits(toman.replace(',', '٬'))} تومان)"
        )
    until = "—"
    if row.valid_until is not None:
        day = row.valid_until
        until = day.isoformat() if en else fa.fa_digits(jdatetime.date.fromgregorian(date=day).strftime("%Y/%m/%d"))
    return {"modem": row.modem, "credit": credit, "until": until, "at": when(row.at, lang), "reply": row.reply or ""}
