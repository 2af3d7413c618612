"""The domain's errors: one type per failure a caller can act on.

API-facing errors carry the contract's ``code`` (see :mod:`appliance.domain.codes`);
the web layer turns them into JSON with the right HTTP status.
"""

from __future__ import annotations

from collections.abc import Sequence

from appliance.domain.codes import Code


class CartToCartError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(CartToCartError):
    """The configuration file is unusable; ``problems`` names every bad key at once."""

    def __init__(self, problems: Sequence[str], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        where = f" in {source}" if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s){where}:\n{lines}")


class StoreError(CartToCartError):
    """The database cannot be opened, migrated or written."""


class BackupError(CartToCartError):
    """A backup or restore cannot be done: the file, the database kind or its version is wrong."""


class SchemaTooNew(StoreError):
    """The database was last migrated by a newer CartToCart: this one must not touch it."""


class ApiError(CartToCartError):
    """A request the merchant API refuses, with its contract code."""

    def __init__(self, code: Code, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code.name} ({code.value}): {code.message_en}" + (f": {detail}" if detail else ""))


class NotFound(CartToCartError):
    """A card, token, payment or deposit named by an operator does not exist."""


class InvalidInput(CartToCartError):
    """An operator's input (CLI, dashboard) is malformed; the message says which and why."""


class InvalidTransition(CartToCartError):
    """A payment or deposit cannot move to the requested state from the one it is in."""


class ListenError(CartToCartError):
    """The web server cannot listen on its address: another program has it, or it is not this machine's."""


class ProvisionError(CartToCartError):
    """The settings file on the boot partition was not imported (an error file beside it says why)."""


class ClockError(CartToCartError):
    """The modem's clock could not be read or is not trustworthy."""


class LoginRefused(CartToCartError):
    """The dashboard's username or password is wrong (or no password has been set)."""


class TooManyAttempts(CartToCartError):
    """Too many failed logins from this address lately; ``retry_after`` seconds until the next try."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; try again in {retry_after} s")
