"""A split payment paid end to end: three deposit SMS through the modem simulator, one per part."""

from __future__ import annotations

import json
import urllib.request

from appliance.usecases.demo_bank import mellat_deposit_sms
from tests.e2e import test_sms_path
from tests.e2e.test_sms_path import MELLAT, SAMAN_SENDER, Box, saman_deposit_text
from tests.polling import wait_until

box = test_sms_path.box  # the same box: the service, the modem simulator on a pseudo-terminal, SQLite


def _split_box(box: Box) -> None:
    text = box.config.read_text(encoding="utf-8")
    assert "max_transfer_rial = 0" in text  # the shipped settings name the key
    box.config.write_text(text.replace("max_transfer_rial = 0", "max_transfer_rial = 100000000"), encoding="utf-8")


def _check(box: Box, pay_id: int) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{box.port}/api/check?pay_id={pay_id}", headers={"token": box.token})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def _create(box: Box, price: int, fid: int) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{box.port}/api/create",
        data=json.dumps({"price": price, "fid": fid}).encode(),
        headers={"token": box.token, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        return json.loads(resp.read())


def test_a_three_part_payment_paid_by_three_sms_checks_7_7_201_200(box: Box):
    from modem.simulator import SimulatorClient

    _split_box(box)
    box.start()
    service = box.service()
    created = _create(box, 250_000_000, 1)
    parts = created["parts"]
    assert len(parts) == 3 and sum(p["amount"] for p in parts) == created["amount"]
    balances = {"mellat": 48_000_000, "saman": 300_000_000}
    codes = []
    with SimulatorClient(box.control) as sim:
        for n, part in enumerate(parts, start=1):
            if part["card"]["number"] == MELLAT[0]:
                balances["mellat"] += part["amount"]
                sms = mellat_deposit_sms(MELLAT[1], part["amount"], balances["mellat"], service.clock())
                sim.deliver_sms(sms.sender, sms.text)
            else:
                balances["saman"] += part["amount"]
                sim.deliver_sms(SAMAN_SENDER, saman_deposit_text(part["amount"], balances["saman"], service.clock()))

            def settled(n: int = n) -> bool:
                return sum(p.paid_at is not None for p in service.payment_parts(created["pay_id"])) == n

            wait_until(settled, 20, what=f"part {n} to be paid")
            answer = _check(box, created["pay_id"])
            codes.append(answer["code"])
            assert answer["paid_rial"] == sum(p["amount"] for p in parts[:n])
            assert [p["paid"] for p in answer["parts"]] == [i < n for i in range(3)]
        wait_until(lambda: sim.stored() == [], 15, what="the SIM to be empty")
    codes.append(_check(box, created["pay_id"])["code"])
    assert codes == [7, 7, 201, 200]
