"""Splitting a big price into parts: each one transfer the customer's bank allows (docs/split-payments.md).

A price above ``max_transfer`` becomes ``n`` parts, the fewest such that every
part's unique amount (its price plus an offset of at most ``max_offset``) stays
within ``max_transfer``. The parts' prices are as equal as they can be and,
where possible, whole thousands of Toman (10,000 Rial), because customers type
these numbers; the last part takes the remainder. This module only plans:
:mod:`appliance.usecases.split_checkout` reserves the amounts and picks the cards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

ROUND_TO = 10_000  # Rial: a thousand Toman


class CannotSplit(ValueError):
    """The price cannot be split with these settings (``max_transfer`` leaves no room above the offsets)."""


def part_prices(price: int, max_transfer: int, max_offset: int) -> list[int]:
    """The parts' prices (summing to ``price``); ``[price]`` when the price is not above ``max_transfer``
    (prices at or below it are one transfer, exactly as without this setting) or it is 0 (never split)."""
    if max_transfer <= 0 or price <= max_transfer:
        return [price]
    room = max_transfer - max_offset  # the largest part price whose amount is still one transfer
    if room <= 0:
        raise CannotSplit(f"max_transfer {max_transfer} leaves no room above the largest offset {max_offset}")
    count = -(-price // room)
    rounded = -(-price // (count * ROUND_TO)) * ROUND_TO
    base = rounded if rounded <= room and price - (count - 1) * rounded > 0 else -(-price // count)
    return [base] * (count - 1) + [price - (count - 1) * base]


def assign_cards(prices: Sequence[int], headroom: Mapping[int, int | None], max_offset: int) -> list[int] | None:
    """A card id per part, so that no card receives more today than its ceiling allows.

    ``headroom`` is each usable card's Rial left under its daily ceiling (None: no ceiling), in the
    order of preference. Parts go to the card with the most room left, so they spread over the cards
    (a customer's own bank also caps what one card may send to one account). None when they cannot fit.
    """
    left = dict(headroom)
    order = list(headroom)
    unlimited = 1 << 62

    def room(card: int) -> int:
        value = left[card]
        return unlimited if value is None else value

    chosen: list[int] = []
    for price in prices:
        need = price + max_offset
        fits = [c for c in order if room(c) >= need]
        if not fits:
            return None
        # The least used so far first (spread), then the most room, then the operator's order.
        card = min(fits, key=lambda c: (chosen.count(c), -room(c), order.index(c)))
        chosen.append(card)
        value = left[card]
        if value is not None:
            left[card] = value - need
    return chosen
