"""Shared fixtures: settings over real SQLite files or a scratch PostgreSQL database, a fake clock,
and a real HTTP server on loopback."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import threading
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from appliance.runtime import open_store
from appliance.settings import Settings, settings_from_mapping
from appliance.store import database as store
from appliance.usecases.service import PaymentService

UTC = dt.UTC
PG_ADMIN = os.environ.get("CARTTOCART_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


class FakeClock:
    """A clock the test moves by hand: expiry and quarantine without waiting."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> dt.datetime:
        with self._lock:
            return self.now

    def advance(self, **delta: float) -> dt.datetime:
        with self._lock:
            self.now += dt.timedelta(**delta)
            return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# --- databases -----------------------------------------------------------


def _pg_admin_connection():  # type: ignore[no-untyped-def]
    from urllib.parse import urlsplit

    import psycopg2

    from appliance.store.database import open_database  # noqa: F401 (keeps the import cost here)

    parts = urlsplit(PG_ADMIN)
    conn = psycopg2.connect(
        dbname=parts.path.lstrip("/"),
        user=parts.username,
        host=parts.hostname,
        port=parts.port or 5432,
        connect_timeout=3,
    )
    conn.autocommit = True
    return conn


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A scratch database on the local PostgreSQL server for this run; skipped when there is none."""
    try:
        conn = _pg_admin_connection()
    except Exception as exc:  # noqa: BLE001 -- any failure means "no server here"
        pytest.skip(
            f"PostgreSQL is not reachable at {PG_ADMIN} ({exc.__class__.__name__}: {exc}); "
            "set CARTTOCART_TEST_PG to a server URL to run the PostgreSQL tests"
        )
    name = f"carttocart_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def _reset_pg(url: str) -> None:
    db = store.database.obj
    db.execute_sql("DROP SCHEMA public CASCADE")
    db.execute_sql("CREATE SCHEMA public")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Both stores: a real SQLite file, and a fresh schema in the scratch PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'carttocart.db'}"
    url = request.getfixturevalue("pg_server")
    from appliance.store.database import open_database

    db = open_database(url)
    with db.connection_context():
        _reset_pg(url)
    db.close()
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'carttocart.db'}"


def make_settings(db_url: str, **sections: dict[str, Any]) -> Settings:
    data: dict[str, Any] = {
        "database": {"url": db_url},
        "security": {"secret_key": "test-secret-key-that-is-long-enough-0123456789"},
    }
    for name, values in sections.items():
        if isinstance(values, list):  # [[modems]]
            data[name] = values
        else:
            data.setdefault(name, {}).update(values)
    return settings_from_mapping(data)


@pytest.fixture
def make_service(clock: FakeClock) -> Iterator[Callable[..., PaymentService]]:
    opened = []

    def factory(db_url: str, **sections: dict[str, Any]) -> PaymentService:
        settings = make_settings(db_url, **sections)
        db = open_store(settings)
        opened.append(db)
        return PaymentService(settings, clock=clock)

    yield factory
    for db in opened:
        if not db.is_closed():
            db.close()


@pytest.fixture
def service(make_service: Callable[..., PaymentService], db_url: str) -> PaymentService:
    return make_service(db_url)


# Valid demo cards (Luhn-correct, real BINs, made-up account digits).
MELLI_CARD = "6037991234567893"
MELLAT_CARD = "6104337890123456"
SAMAN_CARD = "6219861034529007"


@pytest.fixture
def two_cards(service: PaymentService) -> PaymentService:
    service.add_card(MELLI_CARD, "شاهین محسنی", account="0217730417009")
    service.add_card(MELLAT_CARD, "شاهین محسنی", account="6204718359")
    return service


# --- a real HTTP server on loopback ----------------------------------------


@dataclasses.dataclass
class Http:
    base: str
    token: str = ""

    def request(
        self,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        token: str | None = None,
    ) -> tuple[int, Any]:
        all_headers = dict(headers or {})
        tok = self.token if token is None else token
        if tok:
            all_headers["token"] = tok
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, body = resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()
        return status, json.loads(body) if body else None

    def post_form(self, path: str, fields: dict[str, Any], **kw: Any) -> tuple[int, Any]:
        from urllib.parse import urlencode

        return self.request(
            "POST",
            path,
            data=urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            **kw,
        )

    def post_json(self, path: str, body: Any, **kw: Any) -> tuple[int, Any]:
        return self.request(
            "POST", path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, **kw
        )

    def get(self, path: str, **kw: Any) -> tuple[int, Any]:
        return self.request("GET", path, **kw)


@contextlib.contextmanager
def serving(service: PaymentService, token: str = "", **app_options: Any) -> Iterator[Http]:
    """The real app on waitress, in this process (so the fake clock applies), on a free loopback port."""
    from web.app import create_app
    from web.server import create_http_server

    app = create_app(service, service.settings, **app_options)
    server = create_http_server(app, service.settings, "127.0.0.1", 0)  # the options Box.serve runs with
    stop = threading.Event()

    def loop() -> None:
        # Our own loop, so the server is closed from this thread after it stops polling its sockets.
        while not stop.is_set():
            server.asyncore.loop(timeout=0.05, map=server._map, count=1, use_poll=server.adj.asyncore_use_poll)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield Http(f"http://127.0.0.1:{server.effective_port}", token)
    finally:
        stop.set()
        thread.join(5)
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=5)
        for channel in list(server._map.values()):  # the listener, open connections, the trigger
            channel.close()


@pytest.fixture
def http_server(two_cards: PaymentService) -> Iterator[Http]:
    _, token = two_cards.add_token("shop")
    with serving(two_cards, token) as http:
        yield http
