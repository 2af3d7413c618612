"""The API token cache: a token found is kept a moment; a change through this process is seen at once."""

from __future__ import annotations

import sqlite3

import pytest

from appliance.domain.security import token_hash
from appliance.usecases import api_tokens


class Ticks:
    """The cache's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def ticks(monkeypatch: pytest.MonkeyPatch) -> Ticks:
    clock = Ticks()
    monkeypatch.setattr(api_tokens._tokens, "now", clock)
    api_tokens._tokens.clear()
    return clock


def _database_file(url: str) -> str:
    return url[len("sqlite:///") :]


def test_revoked_here_is_refused_at_once(make_service, sqlite_url, ticks):
    service = make_service(sqlite_url)
    _, token = service.add_token("shop")
    assert service.authenticate(token) is not None
    service.revoke_token("shop")
    assert service.authenticate(token) is None


def test_revoked_by_another_process_is_refused_once_the_moment_is_over(make_service, sqlite_url, ticks):
    service = make_service(sqlite_url)
    _, token = service.add_token("shop")
    assert service.authenticate(token).name == "shop"
    with sqlite3.connect(_database_file(sqlite_url)) as other:  # the CLI's `token revoke`, say
        other.execute("UPDATE api_token SET revoked_at = '2026-01-01 00:00:00' WHERE name = 'shop'")
    ticks.value += api_tokens.TOKEN_CACHE_SECONDS
    assert service.authenticate(token) is None


def test_a_token_added_by_another_process_works_at_once(make_service, sqlite_url, ticks):
    service = make_service(sqlite_url)
    assert service.authenticate("shop-token-made-elsewhere") is None
    with sqlite3.connect(_database_file(sqlite_url)) as other:  # the CLI's `token add`, say
        other.execute(
            "INSERT INTO api_token (name, token_hash, prefix, scopes, created_at) VALUES (?, ?, ?, ?, ?)",
            ("shop", token_hash("shop-token-made-elsewhere"), "shop-tok", "payments", "2026-01-01 00:00:00"),
        )
    assert service.authenticate("shop-token-made-elsewhere").name == "shop"  # a miss was not remembered
