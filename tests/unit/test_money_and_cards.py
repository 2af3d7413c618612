import pytest

from appliance.domain.cards import (
    InvalidCardNumber,
    bank_for_card,
    group_card,
    luhn_valid,
    mask_card,
    normalize_card_number,
    visible_digits_agree,
)
from appliance.domain.money import format_rial, parse_whole_number, rial_to_toman_text
from appliance.sms import account_matches


@pytest.mark.parametrize(
    "text, expected",
    [
        ("120000", 120000),
        ("۱۲۰۰۰۰", 120000),
        ("١٢٠٠٠٠", 120000),
        ("120,000", 120000),
        ("۱۲۰٬۰۰۰", 120000),
        ("120،000", 120000),
        (" 120000 ", 120000),
        ("\u200f۱۲۰۰۰۰", 120000),
        (120000, 120000),
        ("-5", -5),
    ],
)
def test_whole_numbers_in_every_script(text, expected):
    assert parse_whole_number(text) == expected


@pytest.mark.parametrize("bad", ["", "12.5", "12,5a", "abc", None, True, 12.0, [1], "1 2 3x"])
def test_not_whole_numbers_are_refused(bad):
    with pytest.raises(ValueError):
        parse_whole_number(bad)


def test_money_formatting():
    assert format_rial(1234500) == "1,234,500"
    assert format_rial(1234500, persian=True) == "۱٬۲۳۴٬۵۰۰"
    assert rial_to_toman_text(123450) == "12,345"
    assert rial_to_toman_text(123455) == "12,345.5"


def test_card_numbers():
    assert luhn_valid("6037991234567893")
    assert not luhn_valid("6037991234567894")
    assert normalize_card_number("۶۰۳۷-۹۹۱۲-۳۴۵۶-۷۸۹۳") == "6037991234567893"
    with pytest.raises(InvalidCardNumber, match="Luhn"):
        normalize_card_number("6037991234567894")
    with pytest.raises(InvalidCardNumber, match="16 digits"):
        normalize_card_number("603799123456789")
    assert bank_for_card("6037991234567893").key == "melli"
    assert bank_for_card("6104337890123456").key == "mellat"
    assert bank_for_card("1111111111111111") is None
    assert mask_card("6037991234567893") == "6037-99**-****-7893"
    assert group_card("6037991234567893") == "6037 9912 3456 7893"


@pytest.mark.parametrize(
    "shown, agrees",
    [
        ("603799******7893", True),
        ("6037-99**-****-7893", True),
        ("7893", True),
        ("*7893", True),
        ("603799******7894", False),
        ("7894", False),
        ("610433*7893", False),
        ("", True),
    ],
)
def test_masked_payer_cards(shown, agrees):
    assert visible_digits_agree(shown, "6037991234567893") is agrees


@pytest.mark.parametrize(
    "printed, matches",
    [
        ("6204718359", True),
        ("620-4718-359", True),
        ("4718359", False),
        ("۶۲۰۴۷۱۸۳۵۹", True),
        ("6204718358", False),
        ("8359", True),
        ("359", False),
        ("", False),
        (None, False),
        ("610433*3456", True),
        ("610433*3457", False),
    ],
)
def test_account_designates_card(printed, matches):
    assert account_matches(printed, "6104337890123456", "6204718359") is matches
