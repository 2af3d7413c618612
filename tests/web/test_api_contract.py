"""Every code of the contract, through real HTTP on loopback (form, multipart and JSON bodies)."""

from __future__ import annotations

import json
import uuid

import pytest

from appliance.store.models import Payment
from appliance.usecases.service import Gates, NewDeposit, PaymentService
from tests.conftest import SAMAN_CARD, make_settings, serving


def create(http, **fields):
    fields.setdefault("price", 120000)
    fields.setdefault("fid", uuid.uuid4().int % 10**9)
    return http.post_form("/api/create", fields)


def test_create_answers_the_seed_shape(http_server):
    status, body = create(http_server, price="۱۲۰٬۰۰۰", fid="۴۲", callback="https://shop.example/cb?o=42")
    assert status == 200
    assert body["status"] is True and body["code"] == 200
    assert body["amount"] == 120010 and body["pay_id"] > 0 and isinstance(body["expire"], int)
    assert body["link"].startswith("http://") and f"/pay/{body['pay_id']}/" in body["link"]
    assert [c["bank"] for c in body["cart"]] == ["بانک ملی ایران", "بانک ملت"]
    assert all(set(c) == {"number", "name", "bank"} for c in body["cart"])
    status, body = create(http_server)
    assert body["link"] is None  # no callback, no link (seed)


def test_json_and_multipart_bodies(http_server):
    status, body = http_server.post_json("/api/create", {"price": "130000", "fid": 9001, "unknown": [1, 2]})
    assert (status, body["code"], body["amount"]) == (200, 200, 130010)
    boundary = "XyZ"
    parts = (
        "".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
            for k, v in {"price": "۱۴۰۰۰۰", "fid": "9002"}.items()
        )
        + f"--{boundary}--\r\n"
    )
    status, body = http_server.request(
        "POST",
        "/api/create",
        data=parts.encode(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert (status, body["code"], body["amount"]) == (200, 200, 140010)


@pytest.mark.parametrize(
    "fields, status, code",
    [
        ({"price": "abc"}, 500, 0),
        ({"price": ""}, 500, 0),
        ({"price": "12.5"}, 500, 0),
        ({"price": 9999}, 500, 1),
        ({"price": 10**12}, 400, 18),
        ({"fid": ""}, 500, 2),
        ({"fid": "INV-1"}, 400, 15),
        ({"card": "1234"}, 500, -3),
        ({"phone": "12345"}, 400, 14),
        ({"callback": "javascript:alert(1)"}, 400, 13),
        ({"expire_minutes": 0}, 400, 12),
        ({"expire_minutes": 100000}, 400, 12),
    ],
)
def test_create_validation_codes(http_server, fields, status, code):
    got_status, body = create(http_server, **fields)
    assert (got_status, body["code"], body["status"]) == (status, code, False)
    assert body["msg"] and body["msg_fa"]
    assert Payment.select().count() == 0  # nothing half-written


def test_duplicate_fid_is_code_3(http_server):
    assert create(http_server, fid=5)[1]["code"] == 200
    assert create(http_server, fid="۵") == (500, create(http_server, fid=5)[1])
    assert create(http_server, fid=5)[1]["code"] == 3


def test_token_header_is_required(http_server):
    for token in ("", "wrong"):
        for method, path in (
            ("POST", "/api/create"),
            ("GET", "/api/check?pay_id=1"),
            ("GET", "/api/carts"),
            ("POST", "/api/setCard"),
        ):
            status, body = http_server.request(method, path, token=token)
            assert (status, body["code"]) == (403, 403)


def test_revoked_token_and_scope(http_server, two_cards):
    two_cards.revoke_token("shop")
    assert create(http_server)[0] == 403
    _, sms_only = two_cards.add_token("forwarder", ["sms"])
    status, body = http_server.get("/api/carts", token=sms_only)
    assert (status, body["code"]) == (403, 19)


def test_404_and_405_are_json(http_server):
    status, body = http_server.get("/api/nothing")
    assert (status, body["code"]) == (404, 404)
    status, body = http_server.get("/api/create")
    assert (status, body["code"]) == (405, 405)
    status, body = http_server.request("DELETE", "/api/carts")
    assert (status, body["code"]) == (405, 405)


def test_oversize_and_malformed_bodies(http_server):
    status, body = http_server.request(
        "POST", "/api/create", data=b"x" * 70_000, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (status, body["code"]) == (413, 16)
    status, body = http_server.request(
        "POST", "/api/create", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert (status, body["code"]) == (400, 17)
    status, body = http_server.request(
        "POST", "/api/create", data=b"[1,2]", headers={"Content-Type": "application/json"}
    )
    assert (status, body["code"]) == (400, 17)
    status, body = http_server.request(
        "POST", "/api/create", data=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert (status, body["code"]) == (400, 17)
    assert Payment.select().count() == 0


def test_check_codes_7_201_200_and_pay_id_errors(http_server, two_cards):
    _, created = create(http_server)
    pay_id = created["pay_id"]
    assert http_server.get("/api/check")[1]["code"] == 4
    assert http_server.get("/api/check?pay_id=abc") == (500, http_server.get("/api/check?pay_id=abc")[1])
    assert http_server.get("/api/check?pay_id=abc")[1]["code"] == 5
    assert http_server.get("/api/check?pay_id=999999")[1]["code"] == 5
    status, body = http_server.get(f"/api/check?pay_id={pay_id}")
    assert (status, body["code"], body["status"]) == (200, 7, False)
    two_cards.record_deposit(NewDeposit(amount=created["amount"], source="manual", created_by="test"))
    status, body = http_server.get(f"/api/check?pay_id={pay_id}")
    assert (status, body["code"], body["status"]) == (200, 201, True)
    assert body["amount"] == created["amount"] and "paid_at" in body
    status, body = http_server.post_form("/api/check", {"pay_id": "۰" + str(pay_id)})
    assert (status, body["code"]) == (200, 200)


def test_check_code_6_after_expiry(http_server, clock):
    _, created = create(http_server, expire_minutes=1)
    clock.advance(minutes=1, seconds=1)
    status, body = http_server.get(f"/api/check?pay_id={created['pay_id']}")
    assert (status, body["code"]) == (500, 6)


def test_set_card_codes_and_199(http_server, two_cards, clock):
    _, created = create(http_server)
    pay_id = created["pay_id"]
    assert http_server.post_form("/api/setCard", {"card": SAMAN_CARD})[1]["code"] == 4
    assert http_server.post_form("/api/setCard", {"pay_id": 424242, "card": SAMAN_CARD})[1]["code"] == 5
    assert http_server.post_form("/api/setCard", {"pay_id": pay_id})[1]["code"] == -3
    assert http_server.post_form("/api/setCard", {"pay_id": pay_id, "card": "6219861034529008"})[1]["code"] == -3
    status, body = http_server.post_form("/api/setCard", {"pay_id": pay_id, "card": "۶۲۱۹-۸۶۱۰-۳۴۵۲-۹۰۰۷"})
    assert (status, body["code"]) == (200, 200)
    status, body = http_server.post_form("/api/setCard", {"pay_id": pay_id, "card": SAMAN_CARD})
    assert (status, body["code"]) == (500, -2)
    two_cards.record_deposit(
        NewDeposit(amount=created["amount"], source="sms", created_by="test", payer_card="603799******7893")
    )
    status, body = http_server.get(f"/api/check?pay_id={pay_id}")
    assert (status, body["code"]) == (200, 199)
    _, other = create(http_server)
    clock.advance(minutes=30)
    status, body = http_server.post_form("/api/setCard", {"pay_id": other["pay_id"], "card": SAMAN_CARD})
    assert (status, body["code"]) == (500, -1)


def test_carts_is_a_bare_array(http_server, two_cards):
    two_cards.set_card_active("1", False, actor="test")
    status, body = http_server.get("/api/carts")
    assert status == 200 and isinstance(body, list)
    assert body == [{"number": "6104337890123456", "name": "شاهین محسنی", "bank": "بانک ملت"}]


def test_codes_8_and_9(make_service, sqlite_url):
    service = make_service(sqlite_url, payments={"min_offset": 10, "max_offset": 10})
    _, token = service.add_token("shop")
    with serving(service, token) as http:
        assert create(http)[1]["code"] == 9  # no card yet
        service.add_card(SAMAN_CARD, "x")
        assert create(http)[1]["code"] == 200
        status, body = create(http)
        assert (status, body["code"]) == (503, 8)


def test_codes_10_and_11_from_the_gates(make_service, sqlite_url, clock):
    base = make_service(sqlite_url)
    base.add_card(SAMAN_CARD, "x")
    _, token = base.add_token("shop")
    for gates, code in ((Gates(receiving_ok=lambda: False), 10), (Gates(clock_trusted=lambda: False), 11)):
        service = PaymentService(make_settings(sqlite_url), clock=clock, gates=gates)
        with serving(service, token) as http:
            status, body = create(http)
            assert (status, body["code"]) == (503, code)
            status, health = http.get("/api/health")
            assert health["status"] == "degraded"


def test_internal_errors_are_json_with_a_code_and_change_nothing(http_server):
    from appliance.store import database as store

    store.database.obj.execute_sql("ALTER TABLE payment RENAME TO payment_gone")
    status, body = create(http_server)
    assert (status, body["code"]) == (500, 21)
    assert "Traceback" not in json.dumps(body)


def test_health_short_without_token_detailed_with(http_server):
    status, short = http_server.get("/api/health", token="")
    assert status == 200 and set(short) == {"status", "version"} and short["status"] == "ok"
    status, detail = http_server.get("/api/health")
    assert detail["database"] == "ok" and detail["clock_trusted"] is True


def test_openapi_matches_the_routes(http_server):
    from web.api.openapi import api_routes
    from web.app import create_app

    status, doc = http_server.get("/api/openapi.json", token="")
    assert status == 200 and doc["openapi"].startswith("3.1")
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    app = create_app.__wrapped__ if hasattr(create_app, "__wrapped__") else create_app
    from appliance.usecases.service import PaymentService as PS
    from tests.conftest import make_settings as ms

    routes = api_routes(app(PS(ms("sqlite:///:memory:")), ms("sqlite:///:memory:")))
    assert documented == routes
    # every seed code appears in the document
    codes = {c for ops in doc["paths"].values() for op in ops.values() for c in op["x-codes"]}
    assert {404, 405, 403, 0, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 201, 200, 199} <= codes


def test_link_base_is_public_url_else_the_address_the_shop_used(make_service, sqlite_url):
    service = make_service(sqlite_url, server={"listen": "0.0.0.0:8080"})
    service.add_card(SAMAN_CARD, "x")
    _, token = service.add_token("shop")
    with serving(service, token) as http:
        _, body = create(http, callback="https://shop.example/cb")
        assert body["link"].startswith(http.base + "/pay/")
    service = make_service(sqlite_url, server={"public_url": "https://pay.shop.example"})
    with serving(service, token) as http:
        _, body = create(http, callback="https://shop.example/cb")
        assert body["link"].startswith("https://pay.shop.example/pay/")
    assert service.payment_link(1).startswith("https://pay.shop.example/pay/1/")
