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


# ----- teaching the box (web/admin/teaching.py) --------------------------------------
WORDS |= {
    "teach": ("آموزش به دستگاه", "Teach the box"),
    "teach_link": ("آموزش", "Teach"),
    "kind_deposit": ("واریز", "deposit"),
    "kind_withdrawal": ("برداشت", "withdrawal"),
    "kind_other": ("غیرتراکنشی", "other"),
    "kind_unparsed": ("خوانده‌نشده", "unparsed"),
    "sender_trusted": ("فرستنده مورد اعتماد است.", "The sender is trusted."),
    "sender_untrusted": (
        "فرستنده در فهرست فرستنده‌های بانک نیست، یا مرکز پیامکش تازه است: پیام نگه داشته شده.",
        "The sender is on no bank's list, or came through a new SMSC: the message is held.",
    ),
    "smsc": ("مرکز پیامک", "SMSC"),
    "this_sender_is": ("این فرستنده بانک من است", "This sender is my bank"),
    "trust_explain": (
        "فرستنده برای بانک انتخاب‌شده مورد اعتماد می‌شود، همراه با مرکز پیامکی که این پیام از آن آمده."
        " پیام‌های نگه‌داشته‌اش بی‌درنگ دوباره بررسی می‌شوند و تطبیق با پرداخت‌ها با همان قواعد همیشگی است.",
        "The sender becomes trusted for the chosen bank, pinned with the SMSC this message came through."
        " Its held messages are checked again at once; matching to payments follows the usual rules.",
    ),
    "trust_button": ("اعتماد به این فرستنده", "Trust this sender"),
    "learn_format": ("یادگرفتن این قالب", "Learn this format"),
    "learn_explain": (
        "یافته‌های دستگاه را بررسی و در صورت نیاز اصلاح کنید. دستگاه با این پیام قالبی می‌سازد و همه پیامک‌های"
        " خوانده‌نشده را دوباره با آن می‌خواند."
        " قالب آموخته‌شده هرگز واریزی را که علامت یا مانده‌اش مخالف است تسویه نمی‌کند.",
        "Check what the box found and correct it if needed. The box makes a template from this message and reads"
        " every unparsed SMS again with it."
        " A learned template never settles a deposit its sign or balance contradicts.",
    ),
    "found": ("یافته‌های دستگاه", "What the box found"),
    "amount_candidates": ("مبلغ‌های محتمل", "Amount candidates"),
    "date_time": ("تاریخ و ساعت", "Date and time"),
    "evidence": ("نشانه‌های نوع", "Direction evidence"),
    "amount_rial": ("مبلغ (ریال)", "Amount (Rial)"),
    "balance_rial": ("مانده (ریال؛ خالی: چاپ نشده)", "Balance (Rial; empty: not printed)"),
    "account_printed": (
        "حساب یا کارت، همان‌طور که چاپ شده (خالی: چاپ نشده)",
        "Account or card as printed (empty: none)",
    ),
    "direction": ("نوع", "Direction"),
    "learn_button": ("ذخیره قالب و خواندن دوباره", "Save the template and read again"),
    "reread_count": ("{0} پیامک ذخیره‌شده دوباره خوانده شد.", "{0} stored SMS read again."),
    "by_operator": ("کاربر {0}", "operator {0}"),
    "by_cli": ("خط فرمان ({0})", "command line ({0})"),
    "ev_sender_trusted": ("اعتماد به فرستنده", "sender trusted"),
    "ev_format_learned": ("یادگیری قالب", "format learned"),
    "ev_reread": ("خواندن دوباره", "read again"),
    "ev_format_forgotten": ("کنار گذاشتن قالب", "format forgotten"),
    "ev_forgotten_detail": ("قالب {0} دیگر به کار نمی‌رود", "template {0} no longer used"),
    "ev_trusted_detail": ("فرستنده {0} از {1}؛ مرکز پیامک {2}", "sender {0} is {1}; SMSC {2}"),
    "ev_learned_detail": ("{0} به مبلغ {1} ریال؛ قالب {2}", "{0} of {1} Rial; template {2}"),
    "ev_reread_detail": ("از «{0}» به «{1}»", "from {0} to {1}"),
    "nothing_to_teach": (
        "این پیام خوانده شده و فرستنده‌اش مورد اعتماد است: چیزی برای آموزش نیست.",
        "This message was read and its sender is trusted: nothing to teach.",
    ),
    "trust_sender_first": (
        "فرستنده این پیام بانک شناخته‌شده‌ای نیست: اول بگویید فرستنده کدام بانک است.",
        "This message's sender is no known bank's: say which bank it is first.",
    ),
    "none_found": ("پیدا نشد", "not found"),
    "message_no": ("پیامک شماره {0}", "SMS {0}"),
    "bank_mellat": ("بانک ملت", "Bank Mellat"),
    "bank_melli": ("بانک ملی", "Bank Melli"),
    "bank_saderat": ("بانک صادرات", "Bank Saderat"),
    "bank_saman": ("بانک سامان", "Saman Bank"),
    "bank_tejarat": ("بانک تجارت", "Tejarat Bank"),
    "bank_sepah": ("بانک سپه", "Bank Sepah"),
    "bank_pasargad": ("بانک پاسارگاد", "Bank Pasargad"),
    "bank_resalat": ("بانک رسالت", "Resalat Bank"),
    "bank_parsian": ("بانک پارسیان", "Parsian Bank"),
    "bank_refah": ("بانک رفاه کارگران", "Refah Bank"),
    "bank_keshavarzi": ("بانک کشاورزی", "Bank Keshavarzi"),
    "bank_maskan": ("بانک مسکن", "Bank Maskan"),
    "bank_shahr": ("بانک شهر", "Bank Shahr"),
    "bank_blu": ("بلو بانک", "Blu Bank"),
    "bank_khavarmianeh": ("بانک خاورمیانه", "Middle East Bank"),
    "bank_mehr_iran": ("بانک قرض‌الحسنه مهر ایران", "Mehr Iran Bank"),
    "bank_eghtesad_novin": ("بانک اقتصاد نوین", "EN Bank"),
    "bank_ayandeh": ("بانک آینده", "Ayandeh Bank"),
    "bank_gardeshgari": ("بانک گردشگری", "Tourism Bank"),
    "bank_sina": ("بانک سینا", "Sina Bank"),
    "bank_karafarin": ("بانک کارآفرین", "Karafarin Bank"),
    "bank_post": ("پست بانک", "Post Bank"),
    "bank_day": ("بانک دی", "Day Bank"),
    "bank_iran_zamin": ("بانک ایران زمین", "Iran Zamin Bank"),
    "bank_sarmayeh": ("بانک سرمایه", "Sarmayeh Bank"),
    "bank_tosee_taavon": ("بانک توسعه تعاون", "Tose'e Ta'avon Bank"),
    "bank_tosee_saderat": ("بانک توسعه صادرات", "Export Development Bank"),
    "bank_ghavamin": ("بانک قوامین", "Ghavamin Bank"),
    "bank_other": ("بانک دیگر ({0})", "{0}"),
}


def translator(lang: str) -> Callable[..., str]:
    index = 1 if lang == "en" else 0

    def t(key: str, *args: object) -> str:
        words = WORDS.get(key)
        text = words[index] if words else key
        return text.format(*args) if args else text

    return t
