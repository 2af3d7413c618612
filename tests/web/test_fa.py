"""Persian presentation of amounts, card numbers and the countdown."""

from __future__ import annotations

from web import fa
from web.pay.payment_page import callback_url


def test_amounts_in_persian():
    assert fa.fa_grouped(1_200_010) == "۱٬۲۰۰٬۰۱۰"
    assert fa.fa_toman(1_200_010) == "۱۲۰٬۰۰۱"
    assert fa.fa_toman(120_015) == "۱۲٬۰۰۱٫۵"  # not a whole Toman: the tenth is kept
    assert fa.grouped(120_010) == "120,010"


def test_cards_and_clock():
    assert fa.card_groups("6104337890123456") == "6104 3378 9012 3456"
    assert fa.fa_clock(899) == "۱۴:۵۹"
    assert fa.fa_clock(3725) == "۱:۰۲:۰۵"
    assert fa.fa_clock(-5) == "۰۰:۰۰"


def test_the_callback_keeps_the_shops_query():
    class P:
        id, fid, callback = 17, 42, "https://shop.example/back?order=7#top"

    assert callback_url(P, "paid") == "https://shop.example/back?order=7&pay_id=17&fid=42&status=paid#top"
    P.callback = None
    assert callback_url(P, "paid") is None
