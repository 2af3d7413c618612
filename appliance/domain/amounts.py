"""Choosing a payment's unique amount: ``amount = price + offset``.

The smallest free offset in ``[min_offset, max_offset]`` in steps of
``offset_step`` (DESIGN.md "Payments"). This module only chooses; the
database's unique index on active reservations decides races (see
:func:`appliance.usecases.service.PaymentService.create`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class OffsetRange:
    min_offset: int = 10
    max_offset: int = 9990
    step: int = 10

    def offsets(self) -> Iterator[int]:
        return iter(range(self.min_offset, self.max_offset + 1, self.step))

    @property
    def capacity(self) -> int:
        """How many payments of one price can be pending at once on one scope."""
        return len(range(self.min_offset, self.max_offset + 1, self.step))


def free_amounts(price: int, held: Collection[int], offsets: OffsetRange) -> Iterator[int]:
    """Candidate amounts for ``price``, smallest first, skipping those already held."""
    for offset in offsets.offsets():
        amount = price + offset
        if amount not in held:
            yield amount
