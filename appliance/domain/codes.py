"""Every ``code`` the merchant API answers with, its HTTP status and its messages.

The first block is the seed contract (``docs/api.md``): its codes and HTTP
statuses never change, including its use of 500 for validation errors.
Codes added by CartToCart come after it and never reuse a seed value.
"""

from __future__ import annotations

import enum


class Code(enum.Enum):
    """A contract code. ``value`` is the number sent as ``code`` in the JSON body."""

    def __new__(cls, value: int, http_status: int, message_en: str, message_fa: str) -> Code:
        member = object.__new__(cls)
        member._value_ = value
        member.http_status = http_status
        member.message_en = message_en
        member.message_fa = message_fa
        return member

    http_status: int
    message_en: str
    message_fa: str

    # --- the seed contract ---
    NOT_FOUND = (404, 404, "The page or endpoint does not exist.", "صفحه یا سرویس وجود ندارد.")
    METHOD_NOT_ALLOWED = (405, 405, "Wrong HTTP method.", "متد درخواست نادرست است.")
    FORBIDDEN = (
        403,
        403,
        "No access: the token header is missing or wrong.",
        "دسترسی ندارید: توکن ارسال نشده یا نادرست است.",
    )
    PRICE_NOT_NUMBER = (0, 500, "The amount sent is not a number.", "مبلغ ارسالی عدد نیست.")
    CARD_INVALID = (
        -3,
        500,
        "Card number not sent, or not a valid card number.",
        "شماره کارت ارسال نشده یا معتبر نیست.",
    )
    CARD_ALREADY_SET = (
        -2,
        500,
        "A card number is already registered for this transaction.",
        "برای این تراکنش قبلا شماره کارت ثبت شده است.",
    )
    PAYMENT_FINAL = (
        -1,
        500,
        "The transaction is final; a card number can no longer be set.",
        "تراکنش نهایی شده و دیگر نمی‌توان شماره کارت ثبت کرد.",
    )
    PRICE_TOO_LOW = (
        1,
        500,
        "The amount is below 1,000 Toman (10,000 Rial).",
        "مبلغ کمتر از ۱۰۰۰ تومان (۱۰٬۰۰۰ ریال) است.",
    )
    FID_MISSING = (2, 500, "Invoice number (fid) not sent.", "شماره فاکتور ارسال نشده است.")
    FID_DUPLICATE = (3, 500, "Invoice number (fid) already used.", "شماره فاکتور تکراری است.")
    PAY_ID_MISSING = (4, 500, "pay_id not sent.", "شناسه پرداخت (pay_id) ارسال نشده است.")
    PAY_ID_UNKNOWN = (5, 500, "pay_id is wrong or does not exist.", "شناسه پرداخت نادرست است یا وجود ندارد.")
    EXPIRED = (6, 500, "The transaction's time is over; it has expired.", "زمان تراکنش به پایان رسیده و منقضی شده است.")
    NOT_PAID_YET = (7, 200, "The payment still has time but has not been paid yet.", "پرداخت هنوز انجام نشده است.")
    VERIFIED_FIRST = (201, 200, "Payment is complete.", "پرداخت با موفقیت انجام شد.")
    VERIFIED_AGAIN = (200, 200, "Payment is complete (already verified).", "پرداخت قبلا تایید شده است.")
    PAYER_CARD_MISMATCH = (
        199,
        200,
        "Paid, but from a card other than the registered one.",
        "پرداخت انجام شد، اما از کارتی غیر از کارت ثبت‌شده.",
    )

    # --- added by CartToCart (never a seed value) ---
    NO_FREE_AMOUNT = (
        8,
        503,
        "No unique amount is free for this price right now; try again later.",
        "در حال حاضر مبلغ یکتای آزادی برای این قیمت نیست؛ بعدا تلاش کنید.",
    )
    NO_CARD_AVAILABLE = (
        9,
        503,
        "No destination card is available (none active, or all at their daily ceiling).",
        "هیچ کارت مقصدی در دسترس نیست (کارت فعالی نیست یا همه به سقف روزانه رسیده‌اند).",
    )
    RECEIVING_DOWN = (
        10,
        503,
        "The box cannot receive bank SMS right now, so it takes no new payments.",
        "دستگاه در حال حاضر پیامک بانک دریافت نمی‌کند و پرداخت جدید نمی‌پذیرد.",
    )
    CLOCK_UNTRUSTED = (
        11,
        503,
        "The box's clock is not trusted yet, so it takes no new payments.",
        "ساعت دستگاه هنوز معتبر نیست و پرداخت جدید پذیرفته نمی‌شود.",
    )
    EXPIRE_MINUTES_INVALID = (
        12,
        400,
        "expire_minutes is not a whole number within the allowed range.",
        "expire_minutes عدد صحیح در محدوده مجاز نیست.",
    )
    CALLBACK_INVALID = (
        13,
        400,
        "callback is not an http(s) URL.",
        "آدرس بازگشت (callback) یک نشانی http(s) معتبر نیست.",
    )
    PHONE_INVALID = (14, 400, "phone is not a valid mobile number.", "شماره موبایل معتبر نیست.")
    FID_INVALID = (15, 400, "fid is not a positive whole number.", "شماره فاکتور یک عدد صحیح مثبت نیست.")
    BODY_TOO_LARGE = (16, 413, "The request body is too large.", "حجم درخواست بیش از حد مجاز است.")
    BODY_MALFORMED = (
        17,
        400,
        "The request body cannot be read (malformed JSON or form).",
        "بدنه درخواست قابل خواندن نیست.",
    )
    PRICE_TOO_HIGH = (18, 400, "The amount is above the box's maximum.", "مبلغ از حداکثر مجاز بیشتر است.")
    SCOPE_DENIED = (19, 403, "This token may not use this endpoint.", "این توکن اجازه استفاده از این سرویس را ندارد.")
    SMS_INVALID = (20, 400, "The SMS sent is missing its sender or text.", "پیامک ارسالی فرستنده یا متن ندارد.")
    INTERNAL = (
        21,
        500,
        "Internal error; nothing was changed. Try again.",
        "خطای داخلی؛ چیزی تغییر نکرد. دوباره تلاش کنید.",
    )
    RECORDING_DOWN = (
        22,
        503,
        "The box cannot store the bank SMS it receives right now (its database refuses them), "
        "so it takes no new payments.",
        "دستگاه در حال حاضر نمی‌تواند پیامک‌های بانک را ذخیره کند (پایگاه داده آن‌ها را نمی‌پذیرد) و پرداخت جدید نمی‌پذیرد.",
    )
