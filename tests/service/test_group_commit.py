"""Group commit: callers share a durable commit, but each keeps its own outcome."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from appliance.store import database as store
from appliance.store.models import Meta


def test_concurrent_writers_each_get_their_own_result_and_failure(service):
    barrier = threading.Barrier(16)

    def writer(i: int) -> str:
        store.ensure_connection()
        barrier.wait()

        def unit() -> str:
            Meta.insert(key=f"k{i}", value=str(i)).execute()
            if i % 4 == 0:
                raise ValueError(f"writer {i} fails after writing")
            return f"done {i}"

        try:
            return store.batched_write(unit)
        except ValueError as exc:
            return str(exc)

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(writer, range(16)))
    assert results == [f"writer {i} fails after writing" if i % 4 == 0 else f"done {i}" for i in range(16)]
    keys = {row.key for row in Meta.select().where(Meta.key.startswith("k"))}
    assert keys == {f"k{i}" for i in range(16) if i % 4}  # a failure undid only its own write


def test_inside_a_transaction_it_is_a_plain_write(service):
    with store.write():
        assert store.batched_write(lambda: Meta.insert(key="inner", value="1").execute()) is not None
    assert Meta.get(Meta.key == "inner").value == "1"
    with pytest.raises(KeyError):
        store.batched_write(lambda: {}["missing"])
