"""API tokens: made once and shown once, stored hashed, with scopes and an optional webhook URL."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from appliance.domain.errors import InvalidInput, NotFound
from appliance.domain.reasons import encode, reason
from appliance.domain.security import new_token, token_hash
from appliance.store import database as store
from appliance.store.models import ApiToken
from appliance.usecases.core import UseCaseCore

TOKEN_SCOPES = ("payments", "sms", "admin")

#: How long a token once found is taken as valid without reading it again (seconds). A token revoked
#: through this process (the dashboard, a test's service) is refused at once; one revoked by another
#: process on the same database (the ``carttocart token revoke`` command, another box of a fleet) is
#: refused at most this long later. Unknown tokens are never remembered: a token just added works at once.
TOKEN_CACHE_SECONDS = 1.0


class _TokenCache:
    """Tokens found recently, by (database, hash): every API request starts with this lookup."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.now = now
        self.found: dict[tuple[int, str], tuple[float, ApiToken]] = {}

    def get(self, key: tuple[int, str]) -> ApiToken | None:
        hit = self.found.get(key)
        if hit is None or self.now() - hit[0] >= TOKEN_CACHE_SECONDS:
            return None
        return hit[1]

    def put(self, key: tuple[int, str], token: ApiToken) -> None:
        if len(self.found) > 1000:  # a handful of shops' tokens; never grows without bound
            self.found.clear()
        self.found[key] = (self.now(), token)

    def clear(self) -> None:
        self.found.clear()


_tokens = _TokenCache()


class TokenCases(UseCaseCore):
    def add_token(
        self, name: str, scopes: Sequence[str] = ("payments",), webhook_url: str | None = None, actor: str = "operator"
    ) -> tuple[ApiToken, str]:
        name = name.strip()
        if not name:
            raise InvalidInput("a token needs a name")
        unknown = [s for s in scopes if s not in TOKEN_SCOPES]
        if unknown or not scopes:
            raise InvalidInput(f"unknown scope(s) {unknown}; choose from {', '.join(TOKEN_SCOPES)}")
        if webhook_url:
            parts = urlsplit(webhook_url)
            if parts.scheme not in ("http", "https") or not parts.netloc or len(webhook_url) > 500:
                raise InvalidInput(f"the webhook URL must be http(s)://…, not {webhook_url!r}")
        token = new_token()
        now = self.clock()
        with store.write():
            if ApiToken.get_or_none(ApiToken.name == name):
                raise InvalidInput(f"a token named {name!r} exists already")
            row = ApiToken.create(
                name=name,
                token_hash=token_hash(token),
                prefix=token[:8],
                scopes=",".join(scopes),
                webhook_url=webhook_url,
                created_at=now,
            )
            self.record_event(
                "token", row.id, "token_added", actor, encode(reason("scopes", scopes=",".join(scopes))), now=now
            )
        return row, token

    def authenticate(self, token: str | None, scope: str = "payments") -> ApiToken | None:
        """The active token with this value, or None. ``scope`` is checked by :meth:`has_scope`."""
        if not token:
            return None
        key = (id(store.database.obj), token_hash(token.strip()))
        found: ApiToken | None = _tokens.get(key)
        if found is None:
            found = store.first(ApiToken, "SELECT * FROM api_token WHERE token_hash = ? AND revoked_at IS NULL", key[1])
            if found is not None:
                _tokens.put(key, found)
        return found

    @staticmethod
    def has_scope(token: ApiToken, scope: str) -> bool:
        scopes = token.scopes.split(",")
        return scope in scopes or "admin" in scopes

    def list_tokens(self) -> list[ApiToken]:
        return list(ApiToken.select().order_by(ApiToken.id))

    def revoke_token(self, name: str, actor: str = "operator") -> ApiToken:
        now = self.clock()
        with store.write():
            row = ApiToken.get_or_none(ApiToken.name == name)
            if row is None:
                raise NotFound(f"no token named {name!r}")
            if row.revoked_at is None:
                row.revoked_at = now
                row.save()
                self.record_event("token", row.id, "token_revoked", actor, now=now)
        _tokens.clear()  # once committed: the next request reads the token again, and is refused
        return row

    def get_token(self, token_id: int) -> ApiToken:
        row = ApiToken.get_or_none(ApiToken.id == token_id)
        if row is None:
            raise NotFound(f"no token {token_id}")
        return row

    def token_names(self) -> dict[int, str]:
        """Every token's name by its id (revoked ones too: old records name them)."""
        return {t.id: t.name for t in ApiToken.select(ApiToken.id, ApiToken.name)}
