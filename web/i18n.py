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
    # split payments, suggestions, capacity (docs/split-payments.md, docs/customer-mistakes.md)
    "partially_paid": ("پرداخت‌های ناقص (مهلت تمام شد)", "Partially paid (time over)"),
    "paid_of": (
        "رسیده {0} از {1} ریال؛ کسری {2} ریال ({3} تومان)",
        "{0} of {1} Rial received; {2} Rial ({3} Toman) missing",
    ),
    "part_n": ("واریز {0}", "Transfer {0}"),
    "part_paid": ("✓ رسید", "✓ received"),
    "part_open": ("نرسیده", "not received"),
    "accept_partial": ("پذیرش به‌عنوان پرداخت‌شده", "Accept as paid"),
    "wait_rest": ("منتظر بقیه می‌مانیم", "Wait for the rest"),
    "waiting_rest": ("منتظر بقیه واریزها", "waiting for the rest"),
    "refund_partial": ("بازپرداخت واریزهای رسیده", "Refund what was received"),
    "suggested": ("پرداخت محتمل", "Most likely payment"),
    "difference": ("اختلاف", "difference"),
    "settle_suggested": ("تسویه با همین پرداخت", "Settle with this payment"),
    "rule_offset_dropped": ("مبلغ بدون رقم‌های یکتا واریز شده", "the offset was dropped"),
    "rule_toman": ("مبلغ به تومان به‌جای ریال واریز شده", "sent in Toman instead of Rial"),
    "rule_rounded": ("مبلغ گرد شده", "the amount was rounded"),
    "rule_two_transfers": (
        "دو واریز که با هم مبلغ دقیق را می‌سازند؛ همراه واریز",
        "two transfers that make the exact amount, with deposit",
    ),
    "capacity": ("ظرفیت کارت‌ها", "Card capacity"),
    "free_amounts": ("مبلغ‌های یکتای آزاد", "Free unique amounts"),
    "received_today": ("دریافتی امروز", "Received today"),
    "open_on_card": ("در انتظار روی این کارت", "Open on this card"),
    "daily_ceiling": ("سقف روزانه", "Daily ceiling"),
    "no_ceiling": ("بدون سقف", "no ceiling"),
    "left_today": ("مانده تا سقف امروز", "Left under today's ceiling"),
    "capacity_note": (
        "مبلغ‌ها به ریال. «مبلغ‌های یکتای آزاد»: چند پرداخت دیگر با شلوغ‌ترین قیمت اکنون جا دارد؛ "
        "تا وقتی هر پرداخت به یک کارت بسته نشود، همه کارت‌ها این عدد را با هم شریک‌اند.",
        "Amounts in Rial. Free unique amounts: how many more payments of the busiest price fit now; "
        "unless each payment is pinned to one card, all cards share this figure.",
    ),
}


def translator(lang: str) -> Callable[..., str]:
    index = 1 if lang == "en" else 0

    def t(key: str, *args: object) -> str:
        words = WORDS.get(key)
        text = words[index] if words else key
        return text.format(*args) if args else text

    return t
