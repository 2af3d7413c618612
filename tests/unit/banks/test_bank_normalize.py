"""Normalisation: every spelling of the same message becomes one text, and no number changes meaning."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appliance.sms import normalize_digits, normalize_text
from appliance.sms.normalize import normalize_word

PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"


def test_digits_of_both_scripts_become_ascii() -> None:
    assert normalize_digits("۱۲۳۴۵۶۷۸۹۰ ١٢٣٤٥٦٧٨٩٠") == "1234567890 1234567890"
    assert normalize_digits("حساب ۰۲۱۳") == "حساب 0213"  # a leading zero stays


@pytest.mark.parametrize("separator", [",", "٬", "،", "٫"])
def test_every_thousands_separator_is_removed_from_a_well_grouped_number(separator: str) -> None:
    assert normalize_text(f"مبلغ 12{separator}750{separator}000 ریال") == "مبلغ 12750000 ریال"


@pytest.mark.parametrize("text", ["12,75,000", "1,2345", "12,750,00", "1234,567", ",750,000"])
def test_a_badly_grouped_number_keeps_its_separators(text: str) -> None:
    normalized = normalize_text(f"واریز {text}")
    assert "," in normalized


def test_dots_dashes_and_slashes_are_not_thousands_separators() -> None:
    text = "214.8000.13572468.1\n846-800-2275319-1\n031/000022815\n10.470.000"
    assert normalize_text(text) == text


def test_arabic_letters_become_persian() -> None:
    assert normalize_text("بانك ملي ايران") == "بانک ملی ایران"


def test_invisible_marks_and_kashida_are_removed() -> None:
    assert normalize_text("\u200fواریز\u200c5,000,000\u200e") == "واریز5000000"
    assert normalize_text("اصـلاحيه") == "اصلاحیه"
    assert normalize_text("1\u200c2,7\u202b50,000") == "12750000"


def test_line_breaks_and_spaces() -> None:
    assert normalize_text("  a  b \r\n\r\n c\t\rd \u00a0") == "a b\nc\nd"


def test_rial_sign_reads_as_rial() -> None:
    assert normalize_text("5,000﷼") == "5000ریال"


def test_words_compare_without_spaces() -> None:
    assert normalize_word("خرید اینترنتی") == normalize_word("خريداينترنتي")


@given(
    st.integers(min_value=0, max_value=10**15),
    st.sampled_from([",", "٬", "،", "٫"]),
    st.sampled_from(["0123456789", PERSIAN, ARABIC_INDIC]),
)
def test_any_grouped_amount_reads_as_its_value(value: int, separator: str, digits: str) -> None:
    printed = f"{value:,}".replace(",", separator).translate(str.maketrans("0123456789", digits))
    assert normalize_text(f"مانده:{printed}+") == f"مانده:{value}+"


@given(st.text(alphabet=st.sampled_from(list("ab ۱٬2,\u200c\u200fيك\n\r\t-ـ٫،")), max_size=40))
def test_normalisation_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
