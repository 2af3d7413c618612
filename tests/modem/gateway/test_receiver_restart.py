"""After a restart the receiver's memory is empty but the store's is not: what was handed on is deleted, not handed
on again (the parts are left on the SIM by failing deletes, as a crash between commit and delete would)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from modem.gateway import ModemGateway, StoredPart
from modem.receiver import Receiver

from .conftest import wait_until


class FileStore:
    """A sink that commits parts to a JSON file (the box's database stands in), and answers "already stored?"."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.calls = 0

    def _hashes(self) -> set[str]:
        return set(json.loads(self.path.read_text())) if self.path.exists() else set()

    @staticmethod
    def digest(part: StoredPart) -> str:
        return hashlib.sha256(part.pdu_hex.strip().upper().encode()).hexdigest()

    def sink(self, part: StoredPart) -> bool:
        self.calls += 1
        hashes = self._hashes()
        new = self.digest(part) not in hashes
        self.path.write_text(json.dumps(sorted(hashes | {self.digest(part)})))
        return new  # False: had it already (as SmsIngest.store_part answers)

    def already_stored(self, part: StoredPart) -> bool:
        return self.digest(part) in self._hashes()


def start(sim, store: FileStore) -> Receiver:
    rx = Receiver(
        lambda: ModemGateway(str(sim.link), command_timeout=1.0),
        store.sink,
        already_stored=store.already_stored,
        sweep_seconds=0.5,
        max_retry_seconds=0.2,
    )
    rx.start()
    return rx


def test_after_a_restart_what_was_handed_on_is_deleted_not_handed_on_again(make_sim, tmp_path) -> None:
    sim = make_sim("sim800")
    store = FileStore(tmp_path / "store.json")
    pdus = sim.deliver_sms("bank melli", "deposit " * 30) + sim.deliver_sms("+98700717", "another")
    sim.fail_command("AT+CMGD", code=500, times=1000)  # every delete fails: the parts stay on the SIM
    first = start(sim, store)
    wait_until(lambda: first.status["parts_delivered"] == len(pdus), what="the first start to hand everything on")
    wait_until(lambda: first.status["sweeps"] >= 3, what="a few more sweeps")
    first.stop()
    assert store.calls == len(pdus) and len(sim.stored()) == len(pdus)  # the memory kept sweeps from re-handing
    sim._failures.clear()  # deletes work again
    second = start(sim, store)  # the restart: a new receiver, an empty memory
    try:
        wait_until(lambda: not sim.stored(), what="the second start to empty the SIM")
        status = second.status
    finally:
        second.stop()
    assert store.calls == len(pdus)  # nothing handed on twice
    assert status["parts_delivered"] == 0 and status["already_stored"] == len(pdus)
    assert status["duplicates_skipped"] == len(pdus)


def test_a_sink_that_says_it_had_the_part_counts_a_duplicate(make_sim, tmp_path) -> None:
    sim = make_sim("huawei", noise_seconds=0)
    store = FileStore(tmp_path / "store.json")
    [pdu] = sim.deliver_sms("bank melli", "stored by another box of the fleet")
    store.path.write_text(json.dumps([hashlib.sha256(pdu.encode()).hexdigest()]))
    rx = Receiver(lambda: ModemGateway(str(sim.link), command_timeout=1.0), store.sink, sweep_seconds=0.5)
    rx.start()  # no already_stored: the sink's answer is all it has
    try:
        wait_until(lambda: not sim.stored(), what="the part deleted")
    finally:
        rx.stop()
    assert rx.status["parts_delivered"] == 0 and rx.status["duplicates_skipped"] == 1


def test_a_part_is_counted_before_its_slot_is_deleted(make_sim, tmp_path) -> None:
    """Whoever sees the SIM empty (the dashboard, a test) sees the counts that emptied it."""
    sim = make_sim("sim800")
    store = FileStore(tmp_path / "store.json")
    pdus = sim.deliver_sms("bank melli", "deposit " * 30)
    seen_at_delete: list[tuple[int, bool]] = []
    holder: list[Receiver] = []

    class WatchedGateway(ModemGateway):
        def delete(self, part: StoredPart) -> None:
            status = holder[0].status
            seen_at_delete.append((status["parts_delivered"], status["last_sms_at"] is not None))
            super().delete(part)

    rx = Receiver(
        lambda: WatchedGateway(str(sim.link), command_timeout=1.0), store.sink, sweep_seconds=0.5, max_retry_seconds=0.2
    )
    holder.append(rx)
    rx.start()
    try:
        wait_until(lambda: not sim.stored(), what="the SIM emptied")
    finally:
        rx.stop()
    assert seen_at_delete == [(n, True) for n in range(1, len(pdus) + 1)]
