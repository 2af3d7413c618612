"""The banks package's one error a caller can act on: a dialect that cannot be used."""

from __future__ import annotations

from appliance.domain.errors import CartToCartError


class TemplateError(CartToCartError):
    """A bank template (built-in or operator-added) or a sender list is unusable.

    ``source`` names the file (or setting) so that an operator knows what to fix.
    """

    def __init__(self, message: str, source: str = "") -> None:
        self.source = source
        super().__init__(f"{source}: {message}" if source else message)
