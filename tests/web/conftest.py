import pytest


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """Web tests run on SQLite only; the store's behaviour on PostgreSQL is covered in tests/service."""
    return sqlite_url
