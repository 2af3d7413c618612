"""The API reads a query string and a form body as Bottle does (``dict(request.query.decode())``, and
``request.forms``), without its two multi-dicts."""

from __future__ import annotations

import io
import urllib.parse

import bottle
import pytest

from appliance.domain.codes import Code
from appliance.domain.errors import ApiError
from web.api.merchant import _query_fields, read_fields

QUERIES = [
    "",
    "pay_id=12",
    "pay_id=12&pay_id=13",  # the last one wins, as dict(FormsDict) gives
    "a=1&&b=2&",
    "flag&x=",
    "name=%D8%B4%D8%A7%D9%87%DB%8C%D9%86+%D9%85%D8%AD%D8%B3%D9%86%DB%8C",
    "name=" + urllib.parse.quote("شاهین محسنی"),
    "k%20ey=v%2Bal+ue&eq=a=b",
    "semi=1;x=2",  # ";" separates nothing
    "raw=" + "شاهین".encode().decode("latin-1"),  # unescaped UTF-8 bytes, as WSGI hands them on (Latin-1)
]


def bound(query: str) -> None:
    bottle.request.bind({"QUERY_STRING": query, "REQUEST_METHOD": "GET", "PATH_INFO": "/"})


@pytest.mark.parametrize("query", QUERIES)
def test_as_bottle_reads_it(query: str) -> None:
    bound(query)
    expected = dict(bottle.request.query.decode())
    bound(query)
    assert _query_fields() == expected


@pytest.mark.parametrize("query", ["pay_id=%ff%fe", "%ff=1", "x=" + "\xff"])
def test_not_utf8_is_code_17(query: str) -> None:
    bound(query)
    with pytest.raises(ApiError) as info:
        _query_fields()
    assert info.value.code is Code.BODY_MALFORMED


def posted(body: bytes, query: str = "") -> None:
    bottle.request.bind(
        {
            "QUERY_STRING": query,
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/",
            "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
        }
    )


@pytest.mark.parametrize("query", QUERIES)
def test_a_form_as_bottle_reads_it(query: str) -> None:
    body = query.encode("latin-1")  # the same text as the bytes of a body
    posted(body, "fid=1&price=9")
    expected = {"fid": "1", "price": "9", **dict(bottle.request.forms.decode())}
    posted(body, "fid=1&price=9")
    assert read_fields(65536) == expected  # the body's fields win over the query's


def test_a_form_not_utf8_and_one_too_large() -> None:
    posted(b"price=%ff")
    with pytest.raises(ApiError) as info:
        read_fields(65536)
    assert info.value.code is Code.BODY_MALFORMED and "the form is not UTF-8" in info.value.detail
    posted(b"price=" + b"1" * 100)
    with pytest.raises(ApiError) as info:
        read_fields(50)
    assert info.value.code is Code.BODY_TOO_LARGE
