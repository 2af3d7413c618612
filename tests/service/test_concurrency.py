"""Races decided by the database, not by timing: on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from appliance.domain.codes import Code
from appliance.domain.errors import ApiError
from appliance.store import database as store
from appliance.store.models import Payment
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.service import NewDeposit

THREADS = 32


def _in_connection(fn):
    def run(*args):
        with store.connection():
            return fn(*args)

    return run


def test_32_threads_never_get_the_same_amount(two_cards):
    barrier = threading.Barrier(THREADS)

    @_in_connection
    def worker(i: int) -> list[int]:
        barrier.wait()
        return [
            two_cards.create_payment(CreateRequest(price=120_000, fid=i * 1000 + n)).payment.amount for n in range(8)
        ]

    with ThreadPoolExecutor(THREADS) as pool:
        amounts = [a for chunk in pool.map(worker, range(THREADS)) for a in chunk]
    assert len(amounts) == THREADS * 8
    assert len(set(amounts)) == len(amounts)
    assert sorted(amounts) == [120_000 + 10 * k for k in range(1, THREADS * 8 + 1)]


def test_concurrent_duplicate_fid_creates_one_payment(two_cards):
    barrier = threading.Barrier(8)

    @_in_connection
    def worker(_: int) -> str:
        barrier.wait()
        try:
            two_cards.create_payment(CreateRequest(price=120_000, fid=77))
            return "created"
        except ApiError as exc:
            return exc.code.name

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(worker, range(8)))
    assert results.count("created") == 1
    assert results.count(Code.FID_DUPLICATE.name) == 7
    assert Payment.select().where(Payment.fid == 77).count() == 1


def test_two_racing_checks_give_exactly_one_201(two_cards):
    for round_ in range(10):
        p = two_cards.create_payment(CreateRequest(price=120_000, fid=500 + round_)).payment
        two_cards.record_deposit(NewDeposit(amount=p.amount, source="manual", created_by="t"))
        barrier = threading.Barrier(2)

        @_in_connection
        def check(_: int) -> Code:
            barrier.wait()
            return two_cards.check(p.id).code

        with ThreadPoolExecutor(2) as pool:
            codes = sorted(pool.map(check, range(2)), key=lambda c: c.value)
        assert codes == [Code.VERIFIED_AGAIN, Code.VERIFIED_FIRST], f"round {round_}: {codes}"


BOX_SCRIPT = """
import sys
from appliance.usecases.checkout import CreateRequest
from appliance.runtime import build_service
from appliance.settings import settings_from_mapping
settings = settings_from_mapping({"database": {"url": sys.argv[1]},
                                  "security": {"secret_key": "k" * 40}})
service = build_service(settings)
box = int(sys.argv[2])
for n in range(int(sys.argv[3])):
    p = service.create_payment(CreateRequest(price=120_000, fid=box * 100_000 + n)).payment
    print(p.amount, flush=True)
"""


@pytest.mark.slow
def test_boxes_sharing_one_store_never_share_an_amount(two_cards, db_url, tmp_path: Path):
    """Four processes (four boxes) create payments on the same store at once."""
    script = tmp_path / "box.py"
    script.write_text(BOX_SCRIPT)
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), db_url, str(box), "60"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for box in range(4)
    ]
    amounts = []
    for proc in procs:
        out, err = proc.communicate(timeout=100)
        assert proc.returncode == 0, err
        amounts += [int(line) for line in out.split()]
    assert len(amounts) == 240 and len(set(amounts)) == 240
