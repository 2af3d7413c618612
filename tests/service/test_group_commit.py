"""Group commit: callers share a durable commit, but each keeps its own outcome."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from appliance.store import database as store
from appliance.store.models import Meta
from appliance.usecases.checkout import CreateRequest
from tests.conftest import MELLI_CARD


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


def _sqlite_temporary_files() -> list[str]:
    """The temporary files SQLite holds open in this process (it unlinks them at once: ``etilqs_... (deleted)``)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed in between (the listing's own descriptor)
            continue
        if "etilqs_" in target:
            found.append(target)
    return found


def test_a_batch_of_creates_writes_no_temporary_file(make_service, sqlite_url):
    """The creates of one commit, each in its savepoint, keep their statement journals in memory: on the
    default ``temp_store`` SQLite wrote each transaction's to a file under /var/tmp, on the box's SD card."""
    service = make_service(sqlite_url)
    service.add_card(MELLI_CARD, "holder")
    with store.write():  # as a batch of the group commit: several creates in one transaction
        for fid in (1, 2, 3):
            service.create_payment(CreateRequest(price=120_000, fid=fid))
        assert _sqlite_temporary_files() == []
