"""API tokens: made once and shown once, stored hashed, with scopes and an optional webhook URL."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from appliance.domain.errors import InvalidInput, NotFound
from appliance.domain.reasons import encode, reason
from appliance.domain.security import new_token, token_hash
from appliance.store import database as store
from appliance.store.models import ApiToken
from appliance.usecases.core import UseCaseCore

TOKEN_SCOPES = ("payments", "sms", "admin")


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
        return store.first(
            ApiToken, "SELECT * FROM api_token WHERE token_hash = ? AND revoked_at IS NULL", token_hash(token.strip())
        )

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
        return row

    def get_token(self, token_id: int) -> ApiToken:
        row = ApiToken.get_or_none(ApiToken.id == token_id)
        if row is None:
            raise NotFound(f"no token {token_id}")
        return row

    def token_names(self) -> dict[int, str]:
        """Every token's name by its id (revoked ones too: old records name them)."""
        return {t.id: t.name for t in ApiToken.select(ApiToken.id, ApiToken.name)}
