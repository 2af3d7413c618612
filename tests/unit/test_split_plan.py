"""Planning a split payment: the parts' prices, the cards they go to, and the setting that turns it on."""

from __future__ import annotations

import pytest

from appliance.domain.errors import ConfigError
from appliance.domain.parts import CannotSplit, assign_cards, part_prices
from appliance.settings import settings_from_mapping

MAX = 100_000_000


def test_at_or_below_the_largest_transfer_there_is_one_part():
    assert part_prices(MAX, MAX, 9990) == [MAX]
    assert part_prices(120_000, MAX, 9990) == [120_000]
    assert part_prices(3 * MAX, 0, 9990) == [3 * MAX]  # 0: never split


@pytest.mark.parametrize("price", [MAX + 1, 250_000_000, 400_000_000, 123_456_789, 999_999_999])
def test_parts_add_up_and_each_fits_one_transfer_with_its_offset(price):
    prices = part_prices(price, MAX, 9990)
    assert sum(prices) == price
    assert len(prices) >= 2
    assert all(0 < p and p + 9990 <= MAX for p in prices)
    assert len(prices) == -(-price // (MAX - 9990))  # the fewest parts that fit


def test_parts_are_whole_thousands_of_toman_when_they_can_be():
    assert part_prices(250_000_000, MAX, 9990) == [83_340_000, 83_340_000, 83_320_000]


def test_no_room_above_the_offsets_cannot_split():
    with pytest.raises(CannotSplit):
        part_prices(50_000, 9990, 9990)


def test_cards_are_spread_and_never_over_their_room():
    assert assign_cards([80, 80, 80], {1: None, 2: None}, 10) == [1, 2, 1]
    assert assign_cards([80, 80, 80], {1: 270, 2: 90}, 10) == [1, 2, 1]
    assert assign_cards([80, 80, 80], {1: 100, 2: 90}, 10) is None
    assert assign_cards([80], {}, 10) is None


def test_the_setting_is_checked_with_its_key():
    with pytest.raises(ConfigError) as info:
        settings_from_mapping({"payments": {"max_transfer_rial": 5000}})
    assert any(p.startswith("payments.max_transfer_rial:") for p in info.value.problems)
    with pytest.raises(ConfigError) as info:
        settings_from_mapping({"payments": {"max_transfer_rial": "ten million"}})
    assert any(p.startswith("payments.max_transfer_rial:") for p in info.value.problems)
    assert settings_from_mapping({"payments": {"max_transfer_rial": MAX}}).payments.max_transfer_rial == MAX
