"""Bad input of any shape, through real HTTP: always a documented code, never a traceback or a partial write."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appliance.store.models import Payment
from web.api.openapi import ENDPOINTS

FIELDS = ["price", "fid", "phone", "card", "callback", "expire_minutes", "pay_id"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.sampled_from(["۱۲۰۰۰۰", "120,000", "6037991234567893", "09121234567", "http://x.ir/cb", "1e5", " ", "٠"]),
)
values = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=5), scalars, max_size=2))
bodies = st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=10)), values, max_size=6)


def documented(path: str, method: str) -> set[int]:
    spec = ENDPOINTS[(path, method)]
    if "same_as" in spec:
        spec = ENDPOINTS[spec["same_as"]]
    from web.api.openapi import _operation

    return set(_operation(path, method, spec)["x-codes"]) | {200}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, as_json=st.booleans(), path=st.sampled_from(["/api/create", "/api/setCard", "/api/check"]))
def test_any_body_gets_a_documented_code(http_server, body, as_json, path):
    before = Payment.select().count()
    if as_json:
        status, answer = http_server.post_json(path, body)
    else:
        form = {
            k: (json.dumps(v) if isinstance(v, (list, dict)) else "" if v is None else str(v)) for k, v in body.items()
        }
        status, answer = http_server.request(
            "POST", path, data=urlencode(form).encode(), headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
    assert isinstance(answer, dict) and "code" in answer, answer
    assert answer["code"] in documented(path, "post"), (body, answer)
    assert answer["code"] != 21, (body, answer)  # bad input is never an internal error
    created = Payment.select().count() - before
    assert created == (1 if path == "/api/create" and answer["code"] == 200 else 0)
