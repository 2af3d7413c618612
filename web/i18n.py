"""The dashboard's words: Persian first, English available (``?lang=en``, kept in a cookie)."""

from __future__ import annotations

from collections.abc import Callable

LANGS = ("fa", "en")

WORDS: dict[str, tuple[str, str]] = {
    "dashboard": ("داشبورد", "Dashboard"),
    "login": ("ورود", "Log in"),
    "logout": ("خروج", "Log out"),
    "username": ("نام کاربری", "Username"),
    "password": ("گذرواژه", "Password"),
    "login_failed": ("نام کاربری یا گذرواژه نادرست است.", "Wrong username or password."),
    "too_many": (
        "تلاش‌های ناموفق زیاد بود؛ {0} ثانیه دیگر دوباره تلاش کنید.",
        "Too many failed attempts; try again in {0} s.",
    ),
    "no_password": (
        "هنوز گذرواژه‌ای تعیین نشده: روی دستگاه «carttocart admin set-password» را اجرا کنید.",
        "No password set yet: run `carttocart admin set-password` on the box.",
    ),
    "csrf": (
        "درخواست نامعتبر (توکن فرم). صفحه را دوباره باز کنید.",
        "Invalid request (form token). Reload the page and try again.",
    ),
    "health": ("وضعیت دستگاه", "Health"),
    "payments": ("پرداخت‌ها", "Payments"),
    "inbox": ("پیامک‌ها", "SMS inbox"),
    "review": ("بررسی", "Review"),
    "cards": ("کارت‌ها", "Cards"),
    "tokens": ("توکن‌ها", "Tokens"),
    "webhooks": ("وب‌هوک‌ها", "Webhooks"),
    "status": ("وضعیت", "Status"),
    "clock": ("ساعت", "Clock"),
    "clock_trusted": ("ساعت معتبر", "Clock trusted"),
    "receiving": ("دریافت پیامک", "Receiving SMS"),
    "recording": ("ذخیره پیامک", "Storing SMS"),
    "recording_down": (
        "پیامک‌های دریافتی ذخیره نمی‌شوند: روی سیم‌کارت می‌مانند و تا وقتی ذخیره دوباره ممکن نشود"
        " پرداخت جدید پذیرفته نمی‌شود.",
        "Received SMS cannot be stored: they stay on the SIM, and new payments are refused until storing works again.",
    ),
    "recording_full": ("دیسک یا پایگاه داده پر است", "the disk or the database is full"),
    "recording_locked": ("پایگاه داده قفل یا مشغول است", "the database is locked or busy"),
    "recording_failed": ("پایگاه داده خطا می‌دهد", "the database reports an error"),
    "reason": ("علت", "Reason"),
    "since": ("از", "Since"),
    "database": ("پایگاه داده", "Database"),
    "modem": ("مودم", "Modem"),
    "signal": ("آنتن", "Signal"),
    "registered": ("ثبت در شبکه", "Registered"),
    "operator": ("اپراتور", "Operator"),
    "storage": ("حافظه پیامک", "SMS storage"),
    "last_sms": ("آخرین پیامک", "Last SMS"),
    "no_modems": ("هنوز نمونه‌ای از مودم ثبت نشده.", "No modem sample yet."),
    "search": ("جستجو", "Search"),
    "fid": ("شماره فاکتور", "Invoice (fid)"),
    "amount": ("مبلغ", "Amount"),
    "price": ("قیمت", "Price"),
    "state": ("وضعیت", "State"),
    "any": ("همه", "any"),
    "created": ("ایجاد", "Created"),
    "expires": ("انقضا", "Expires"),
    "events": ("رویدادها", "Events"),
    "when": ("زمان", "When"),
    "who": ("توسط", "Who"),
    "why": ("دلیل", "Why"),
    "sender": ("فرستنده", "Sender"),
    "text": ("متن", "Text"),
    "parsed": ("برداشت", "Parsed"),
    "trust": ("اعتماد", "Trust"),
    "deposit": ("واریز", "Deposit"),
    "candidates": ("پرداخت‌های محتمل", "Possible payments"),
    "assign": ("تخصیص به پرداخت", "Assign to payment"),
    "accept_late": ("پذیرش پرداخت دیرهنگام", "Accept late payment"),
    "refund": ("ثبت بازپرداخت", "Mark refunded"),
    "dismiss": ("بستن با یادداشت", "Dismiss with a note"),
    "note": ("یادداشت", "Note"),
    "pay_id": ("شناسه پرداخت", "Payment id"),
    "nothing_to_review": ("چیزی برای بررسی نیست.", "Nothing to review."),
    "done": ("انجام شد.", "Done."),
    "number": ("شماره", "Number"),
    "holder": ("صاحب کارت", "Holder"),
    "bank": ("بانک", "Bank"),
    "account": ("حساب", "Account"),
    "today": ("امروز", "Today"),
    "ceiling": ("سقف", "Ceiling"),
    "active": ("فعال", "Active"),
    "disable": ("غیرفعال کن", "Disable"),
    "enable": ("فعال کن", "Enable"),
    "add_card": ("افزودن کارت", "Add a card"),
    "daily_limit": ("سقف روزانه (ریال)", "Daily ceiling (Rial)"),
    "daily_count": ("سقف تعداد روزانه", "Daily count ceiling"),
    "name": ("نام", "Name"),
    "scopes": ("دسترسی", "Scopes"),
    "webhook_url": ("نشانی وب‌هوک", "Webhook URL"),
    "webhook_secret": ("کلید امضای وب‌هوک", "Webhook signing secret"),
    "revoked": ("باطل", "revoked"),
    "token_once": (
        "این توکن فقط همین یک بار نمایش داده می‌شود؛ اکنون آن را در تنظیمات سایت بگذارید. توکن",
        "This token is shown only this once; put it in the site's settings now. Token",
    ),
    "add_token": ("ساخت توکن", "Make a token"),
    "revoke": ("باطل کن", "Revoke"),
    "attempts": ("تلاش‌ها", "Attempts"),
    "redeliver": ("ارسال دوباره", "Redeliver"),
    "last_error": ("آخرین خطا", "Last error"),
    "language": ("English", "فارسی"),
    "pending_payments": ("پرداخت‌های در انتظار", "Pending payments"),
    "to_review": ("در انتظار بررسی", "Waiting for review"),
    "yes": ("بله", "yes"),
    "no": ("خیر", "no"),
}


def translator(lang: str) -> Callable[..., str]:
    index = 1 if lang == "en" else 0

    def t(key: str, *args: object) -> str:
        words = WORDS.get(key)
        text = words[index] if words else key
        return text.format(*args) if args else text

    return t
