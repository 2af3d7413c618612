"""Hostile HTTP through the real server (waitress, with the options ``Box.serve`` uses), on loopback only.

Oversize bodies (with a Content-Length and chunked), bytes that are not UTF-8 in the query and in the
token header, JSON nested 10,000 deep, ``null`` fields, bodies that are not an object, garbage content
types, and clients that send half a request and stall: every route answers a documented code (HTML
pages a page that is not a 5xx), never code 21, and payment checks keep answering within seconds.
Every socket opened here is closed, and every wait is bounded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import re
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from appliance.usecases.operator_login import Accounts
from appliance.usecases.service import PaymentService
from tests.conftest import MELLI_CARD, make_settings, serving
from tests.polling import wait_until
from web.api.openapi import ENDPOINTS, _operation
from web.server import waitress_options

LOOPBACK = "127.0.0.1"
STALLED_REQUEST = b"GET /api/check?pay_id=1 HTTP/1.1\r\nHost: x\r\n"  # and never the blank line that ends it
MEGABYTE = 1_000_000
PASSWORD = "correct horse battery"


# --- a raw HTTP/1.1 client: bytes as they are, no redirects followed ------------------------------------


@dataclasses.dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)

    def code(self) -> Any:
        data = self.json()
        return data.get("code") if isinstance(data, dict) else None


def head(method: str, target: str, headers: dict[str, str | bytes], length: int | None) -> bytes:
    lines = [f"{method} {target} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    for name, value in headers.items():
        lines.append(name.encode() + b": " + (value if isinstance(value, bytes) else value.encode("latin-1")))
    lines.append(b"Transfer-Encoding: chunked" if length is None else f"Content-Length: {length}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


def chunked(body: bytes, size: int = 16384) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size]) for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def exchange(port: int, data: bytes, timeout: float = 10) -> Answer:
    """Send ``data`` as it is, read one answer (skipping any 100 Continue)."""
    started = time.monotonic()
    with socket.create_connection((LOOPBACK, port), timeout=timeout) as sock:
        sock.sendall(data)
        response = http.client.HTTPResponse(sock)
        try:
            response.begin()
            body = response.read()
        finally:
            response.close()
    return Answer(response.status, response.getheader("Content-Type") or "", body, time.monotonic() - started)


def send(
    port: int,
    method: str,
    target: str,
    body: bytes = b"",
    headers: dict[str, str | bytes] | None = None,
    *,
    is_chunked: bool = False,
    timeout: float = 10,
) -> Answer:
    headers = dict(headers or {})
    if is_chunked:
        return exchange(port, head(method, target, headers, None) + chunked(body), timeout)
    return exchange(port, head(method, target, headers, len(body)) + body, timeout)


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def assert_code(answer: Answer, status: int, code: int) -> None:
    assert answer.content_type.startswith("application/json"), (answer.status, answer.body[:200])
    assert (answer.status, answer.code()) == (status, code), answer.body[:300]


@pytest.fixture
def box(two_cards: PaymentService) -> Iterator[tuple[int, str]]:
    """The real app on waitress: (port, a token with every scope)."""
    _, token = two_cards.add_token("shop", scopes=("payments", "sms"))
    with serving(two_cards, token) as served:
        yield port_of(served.base), token


def create_payment(port: int, token: str, fid: int = 1001) -> dict[str, Any]:
    body = json.dumps({"price": 120000, "fid": fid, "callback": "https://shop.example/back"}).encode()
    answer = send(port, "POST", "/api/create", body, {"token": token, "Content-Type": "application/json"})
    assert answer.status == 200, answer.body
    return answer.json()


# --- 1. bodies over server.max_body_bytes ---------------------------------------------------------------


@pytest.mark.parametrize("size", [70_000, MEGABYTE, 5 * MEGABYTE])
def test_an_oversize_body_with_a_content_length_is_json_code_16(box, size):
    port, token = box
    headers = {"token": token, "Content-Type": "application/x-www-form-urlencoded"}
    assert_code(send(port, "POST", "/api/create", b"x" * size, headers), 413, 16)


@pytest.mark.parametrize("size", [70_000, MEGABYTE])
def test_an_oversize_chunked_body_is_json_code_16(box, size):
    port, token = box
    headers = {"token": token, "Content-Type": "application/json"}
    assert_code(send(port, "POST", "/api/create", b" " * size, headers, is_chunked=True), 413, 16)


def test_an_oversize_body_announced_with_expect_100_continue_is_refused_before_it_is_sent(box):
    port, token = box
    data = head("POST", "/api/create", {"token": token, "Expect": "100-continue"}, MEGABYTE)
    answer = exchange(port, data, timeout=5)  # the body is never sent: a "100 Continue" would leave us waiting
    assert_code(answer, 413, 16)


def test_a_body_at_the_limit_is_still_read_by_the_app(box):
    port, token = box
    limit = waitress_options(make_settings("sqlite://"))["max_request_body_size"] - 1
    body = b'{"price": 120000, "fid": 77}'.ljust(limit, b" ")
    answer = send(port, "POST", "/api/create", body, {"token": token, "Content-Type": "application/json"})
    assert_code(answer, 200, 200)
    assert_code(send(port, "POST", "/api/create", body + b" ", {"token": token}), 413, 16)


def test_malformed_http_framing_is_json_code_17(box):
    port, token = box
    answer = exchange(port, b"POST /api/create HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n")
    assert_code(answer, 400, 17)
    broken_chunks = head("POST", "/api/create", {"token": token}, None) + b"zz\r\nabc\r\n0\r\n\r\n"
    assert_code(exchange(port, broken_chunks), 400, 17)


# --- 2-5. bytes that are not UTF-8, deep JSON, null fields ---------------------------------------------


def test_a_query_string_that_is_not_utf8_is_code_17(box):
    port, token = box
    assert_code(send(port, "GET", "/api/check?pay_id=%ff%fe", headers={"token": token}), 400, 17)
    assert_code(send(port, "POST", "/api/create?price=%ff", headers={"token": token}), 400, 17)
    created = create_payment(port, token)
    answer = send(port, "GET", f"/api/check?pay_id={created['pay_id']}&note=%ff", headers={"token": token})
    assert_code(answer, 400, 17)  # refused even in a field the API ignores: the query cannot be read


def test_a_token_header_that_is_not_utf8_is_no_token(box):
    port, _ = box
    for path in ("/api/check?pay_id=1", "/api/carts"):
        assert_code(send(port, "GET", path, headers={"token": b"\xff\xfe"}), 403, 403)
    assert_code(send(port, "POST", "/api/sms", b"{}", {"token": b"c2c_\xc3"}), 403, 403)
    health = send(port, "GET", "/api/health", headers={"token": b"\xff\xfe"})
    assert health.status == 200 and set(health.json()) == {"status", "version"}  # the short public view


def test_a_path_that_is_not_utf8_is_json_404(box):
    port, token = box
    for path in ("/api/%ff%fe", "/pay/1/%ff%fe", "/admin/%ff"):  # Bottle drops the bytes that are not UTF-8
        assert_code(send(port, "GET", path, headers={"token": token}), 404, 404)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 10_000 + b"]" * 10_000,
        b'{"price": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
        b'{"price": 120000, "fid": ' + b"9" * 5000 + b"}",  # more digits than Python converts
    ],
    ids=["deep-array", "deep-field", "huge-integer"],
)
def test_json_python_cannot_read_is_code_17(box, body):
    port, token = box
    for path in ("/api/create", "/api/check", "/api/sms"):
        answer = send(port, "POST", path, body, {"token": token, "Content-Type": "application/json"})
        assert_code(answer, 400, 17)


def test_json_nested_just_under_the_limit_is_a_field_error_not_an_internal_one(box):
    port, token = box
    deep = b"[" * 900 + b"]" * 900
    bodies = {0: b'{"price": %s, "fid": 5}' % deep}
    for field, code in ((b"phone", 14), (b"callback", 13), (b"expire_minutes", 12), (b"card", -3)):
        bodies[code] = b'{"price": 120000, "fid": 5, "%s": %s}' % (field, deep)
    for code, body in bodies.items():
        answer = send(port, "POST", "/api/create", body, {"token": token, "Content-Type": "application/json"})
        assert answer.code() == code, answer.body[:300]
        assert len(answer.body) < 1000  # the detail shows a short form of the value, not all of it


def _types(schema: dict[str, Any]) -> set[str]:
    if "oneOf" in schema:
        return {t for option in schema["oneOf"] for t in _types(option)}
    kind = schema.get("type", [])
    return set(kind) if isinstance(kind, list) else {kind}


def test_null_is_absent_for_optional_fields_and_the_openapi_document_says_so(box):
    port, token = box
    document = send(port, "GET", "/api/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "requestBody" not in operation:
                continue
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            for name, field in schema["properties"].items():
                optional = name not in schema["required"]
                assert ("null" in _types(field)) == optional, (path, method, name, field)
    nulls = {"phone": None, "card": None, "callback": None, "expire_minutes": None}
    body = json.dumps({"price": 120000, "fid": 4242, **nulls}).encode()
    answer = send(port, "POST", "/api/create", body, {"token": token, "Content-Type": "application/json"})
    assert_code(answer, 200, 200)
    assert answer.json()["link"] is None  # no callback, as if it had not been sent
    sms = {"sender": "+98700", "text": "hello", "smsc": None, "sent_at": None, "received_at": None}
    answer = send(port, "POST", "/api/sms", json.dumps(sms).encode(), {"token": token})
    assert_code(answer, 200, 200)


# --- 6. clients that send half a request and stall -----------------------------------------------------


@contextlib.contextmanager
def stalled_connections(port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that each sent the start of a request and nothing more; all closed on exit."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.create_connection((LOOPBACK, port), timeout=5)
            sockets.append(sock)
            sock.sendall(STALLED_REQUEST)
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def closed_by_server(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


def test_200_stalled_connections_do_not_stop_payment_checks(box):
    port, token = box
    pay_id = create_payment(port, token)["pay_id"]
    with stalled_connections(port, 200):
        # No wait needed: the server accepts in the order of connection, so each check below comes after all 200.
        for _ in range(3):
            check = send(port, "GET", f"/api/check?pay_id={pay_id}", headers={"token": token}, timeout=5)
            assert_code(check, 200, 7)
            assert check.seconds < 3
            health = send(port, "GET", "/api/health", timeout=5)
            assert health.status == 200 and health.seconds < 3


def test_past_the_connection_limit_the_stalest_connection_makes_room(make_service, sqlite_url):
    service = make_service(sqlite_url, server={"connection_limit": 16})
    service.add_card(MELLI_CARD, "x")
    _, token = service.add_token("shop")
    with serving(service, token) as served:
        port = port_of(served.base)
        with stalled_connections(port, 60) as sockets:  # accepted in order: all 60 before the check
            check = send(port, "GET", "/api/check?pay_id=1", headers={"token": token}, timeout=5)
            assert_code(check, 500, 5)  # answered (no such payment), not left waiting
            assert check.seconds < 3
            wait_until(lambda: closed_by_server(sockets[0]), 5, what="the stalest connection to be closed")
            closed = [closed_by_server(s) for s in sockets]
            assert closed[0], "the oldest stalled connection was kept"
            assert sum(closed) >= 60 - 16 - 16, closed
            assert not any(closed[-5:]), "the newest connections were closed instead of the stalest"


def test_a_request_trickled_a_byte_at_a_time_is_closed_after_the_client_timeout(make_service, sqlite_url):
    service = make_service(sqlite_url, server={"client_timeout_seconds": 1})
    with serving(service) as served, stalled_connections(port_of(served.base), 1) as (sock,):
        started = time.monotonic()

        def trickle_refused() -> bool:
            try:
                sock.sendall(b"X")  # a byte of a header that never ends, well within the idle timeout
            except OSError:
                return True
            return closed_by_server(sock)

        assert wait_until(trickle_refused, 8, what="the trickling client to be closed", interval=0.2)
        assert time.monotonic() - started < 5


def test_box_serve_and_the_tests_run_the_same_waitress_options():
    settings = make_settings("sqlite://", server={"connection_limit": 300, "client_timeout_seconds": 20})
    options = waitress_options(settings)
    assert options["max_request_body_size"] == settings.server.max_body_bytes + 1
    assert options["connection_limit"] >= 300 and options["channel_timeout"] == 20
    assert options["asyncore_use_poll"] is True  # select() cannot watch a descriptor above 1023


# --- 8. every hostile request to every route -----------------------------------------------------------

WILDCARD = re.compile(r"<(\w+)(?::[^>]*)?>")
ALL_FIELDS = ("price", "fid", "phone", "card", "callback", "expire_minutes", "pay_id")
SMS_FIELDS = ("sender", "text", "smsc", "sent_at", "received_at")
FORM_FIELDS = ("deposit_id", "note", "number", "holder", "account", "name", "scopes", "back", "next", "username")


def hostile_requests(cookie: str, csrf: str) -> dict[str, dict[str, Any]]:
    """Each hostile class: the extra query, headers and body sent to every route (with its method)."""
    form_json = {"Content-Type": "application/json"}
    nulls = json.dumps(dict.fromkeys(ALL_FIELDS + SMS_FIELDS + FORM_FIELDS + ("csrf",))).encode()
    bad_form = "&".join(f"{name}=%ff%fe" for name in ALL_FIELDS + FORM_FIELDS) + f"&csrf={csrf}"
    return {
        "oversize": {"body": b"a=" + b"x" * MEGABYTE, "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
        "oversize-chunked": {"body": b"x" * MEGABYTE, "chunked": True},
        "query-not-utf8": {"query": "pay_id=%ff%fe&lang=%ff&next=%ff&kind=%ff&fid=%ff&amount=%ff&state=%ff"},
        "token-not-utf8": {"headers": {"token": b"\xff\xfe\x80"}},
        "deep-json": {"body": b"[" * 10_000 + b"]" * 10_000, "headers": form_json},
        "nulls": {"body": nulls, "headers": form_json},
        "not-an-object": {"body": b'["price", 120000]', "headers": form_json},
        "json-scalar": {"body": b'"fid"', "headers": form_json},
        "garbage-content-type": {"body": b"price=1&fid=2", "headers": {"Content-Type": b";;\xff garbage/; x=;"}},
        "control-characters-in-headers": {"body": b"a", "headers": {"Content-Type": b"text/\x01", "X-A": b"\x00"}},
        "unknown-content-type": {"body": b"price=1&fid=2", "headers": {"Content-Type": "text/x-nonsense"}},
        "cookie-and-origin-not-utf8": {
            "body": f"csrf={csrf}&pay_id=1".encode(),
            "headers": {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"c2c_session={cookie}; c2c_lang=".encode() + b"\xff; c2c_login=\xfe",
                "Origin": b"http://\xff\xfe",
            },
        },
        "multipart-garbage": {
            "body": b"--zz\r\nnot a part\r\n",
            "headers": {"Content-Type": "multipart/form-data; boundary=zz"},
        },
        "multipart-no-boundary": {"body": b"a=b", "headers": {"Content-Type": "multipart/form-data"}},
        "form-not-utf8": {
            "body": bad_form.encode(),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        },
    }


def documented_codes(path: str, method: str) -> set[int]:
    spec = ENDPOINTS[(path, method)]
    if "same_as" in spec:
        spec = ENDPOINTS[spec["same_as"]]
    return (set(_operation(path, method, spec)["x-codes"]) | {200}) - {21}


def concrete_routes(app: Any, values: dict[str, str]) -> list[tuple[str, str, str]]:
    """(method, rule, path) for every route, wildcards filled in; logout comes last (it ends the session)."""
    routes = []
    for route in app.routes:
        missing = [m.group(1) for m in WILDCARD.finditer(route.rule) if m.group(1) not in values]
        assert not missing, f"add a value for {missing} of {route.rule} to this test"
        path = WILDCARD.sub(lambda m: values[m.group(1)], route.rule)
        routes.append((route.method, route.rule, path))
    return sorted(routes, key=lambda r: r[1] == "/admin/logout")


def check_answer(rule: str, method: str, answer: Answer, what: str) -> None:
    where = f"{what}: {method} {rule} -> {answer.status} {answer.body[:300]!r}"
    if not rule.startswith("/api/"):
        assert answer.status < 500, where  # an HTML page (or the page's JSON): a 4xx at worst, never a 500
        if answer.content_type.startswith("application/json"):
            assert answer.code() != 21, where
        return
    assert answer.content_type.startswith("application/json"), where
    data = answer.json()
    if answer.status == 200 and rule in ("/api/carts", "/api/health", "/api/openapi.json"):
        return  # the bare array, the health report, the document
    assert isinstance(data, dict) and data.get("code") in documented_codes(rule, method.lower()), where


def test_every_route_answers_every_hostile_request_with_a_documented_code(two_cards, clock):
    from web.app import create_app

    service = two_cards
    service.add_token("sacrificed")  # token 1: the dashboard's revoke route may revoke it
    _, token = service.add_token("shop", scopes=("payments", "sms"))
    Accounts(clock).set_password(PASSWORD)
    cookie, session = Accounts(clock).login("admin", PASSWORD, LOOPBACK)
    from appliance.usecases.sms_intake import build_ingest

    unparsed = build_ingest(service).ingest_message(  # SMS 1: the teaching page's forms have something to act on
        sender="Bank Mellat",
        text="بانک ملت\nواریز شد: +1,000 ریال",
        smsc=None,
        scts=None,
        received_at=clock(),
        source="api",
        origin="test",
        dedupe_key="hostile-1",
    )
    assert unparsed is not None and (unparsed.id, unparsed.kind) == (1, "unparsed")
    with serving(service, token) as served:
        port = port_of(served.base)
        link = create_payment(port, token)["link"]
        pay_id, sig = re.search(r"/pay/(\d+)/([^/?]+)", link).groups()
        values = {"pay_id": pay_id, "sig": sig, "action": "assign", "card_id": "1", "token_id": "1"}
        values.update({"delivery_id": "1", "path": "pay.css", "message_id": "1"})
        routes = concrete_routes(create_app(service, service.settings), values)
        assert {rule for _, rule, _ in routes} >= {"/api/sms", "/api/health", "/api/openapi.json", "/admin"}
        for what, hostile in hostile_requests(cookie, session.csrf).items():
            for method, rule, path in routes:
                headers: dict[str, str | bytes] = {"token": token, "Cookie": f"c2c_session={cookie}"}
                headers.update(hostile.get("headers", {}))
                target = f"{path}?{hostile['query']}" if "query" in hostile else path
                answer = send(
                    port, method, target, hostile.get("body", b""), headers, is_chunked=hostile.get("chunked", False)
                )
                check_answer(rule, method, answer, what)
        assert send(port, "GET", "/api/health").status == 200  # and the box is still well
