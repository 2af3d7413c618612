"""The receive gates: with modems configured, ``create`` refuses (code 10) once none could receive for a while,
and (code 22) while the receive path cannot store the parts it receives."""

from __future__ import annotations

import datetime as dt
import threading

import peewee
import pytest

from appliance.domain.codes import Code
from appliance.domain.errors import ApiError
from appliance.runtime.receive_path import ReceivePath
from appliance.store.models import ModemSample
from appliance.usecases.checkout import CreateRequest
from appliance.usecases.service import Gates, PaymentService
from appliance.usecases.sms_intake import RawPart
from modem.gateway import StoredPart
from modem.health import HealthSample
from tests.conftest import make_settings


def test_no_modem_configured_never_refuses(clock):
    path = ReceivePath(make_settings("sqlite:///:memory:"), None, clock, lambda reason: None)
    clock.advance(days=1)
    assert path.receiving_ok()


def test_the_gate_closes_after_the_threshold_and_opens_on_a_good_sample(service, clock):
    settings = make_settings(
        service.settings.database.url,
        modems=[{"name": "m1", "port": "/dev/null"}],
        health={"receive_down_after_minutes": 10},
    )
    path = ReceivePath(settings, None, clock, lambda reason: None)
    path._last_able["m1"] = clock()  # what start() does: a grace period
    report = path._health("m1")
    clock.advance(minutes=9)
    report(HealthSample(at=clock(), responsive=False, error="no answer"))
    assert path.receiving_ok()  # still within the grace period
    clock.advance(minutes=2)
    assert not path.receiving_ok()
    report(
        HealthSample(
            at=clock(),
            responsive=True,
            sim_state="READY",
            registered=True,
            registration="home",
            signal_csq=20,
            storage_used=0,
            storage_total=30,
        )
    )
    assert path.receiving_ok()
    samples = list(ModemSample.select().order_by(ModemSample.id))
    assert [s.responsive for s in samples] == [False, True]
    assert samples[0].detail["problems"]


# --- the recording gate: can the receive path store what it receives? -----------------------------


class FlakyIngest:
    """An intake whose ``store_part`` raises the errors it is given, in turn, then stores (records) parts."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.stored: list[RawPart] = []

    def store_part(self, part: RawPart) -> bool:
        if self.errors:
            raise self.errors.pop(0)
        self.stored.append(part)
        return True

    def process_ready(self) -> int:
        return 0


def _stored_part(index: int = 1) -> StoredPart:
    return StoredPart(memory="SM", index=index, status=0, pdu_hex=f"07{index:02X}", pdu=None, error="test part")


def _disk_full() -> peewee.OperationalError:
    return peewee.OperationalError("database or disk is full")


def test_a_full_disk_closes_the_recording_gate_and_one_stored_part_opens_it(two_cards, clock):
    ingest = FlakyIngest(_disk_full(), _disk_full())
    settings = make_settings(two_cards.settings.database.url, modems=[{"name": "m1", "port": "/dev/null"}])
    path = ReceivePath(settings, ingest, clock, lambda reason: None)
    service = PaymentService(two_cards.settings, clock=clock, gates=Gates(recording_ok=path.recording_ok))
    sink = path._sink("m1")
    assert path.recording_ok() and path.recording.report()["last_error"] is None
    started = clock()

    for _ in range(2):
        clock.advance(seconds=30)
        with pytest.raises(peewee.OperationalError):  # raised on: the receiver keeps the part on the SIM
            sink(_stored_part())
    assert not path.recording_ok()
    report = path.recording.report()
    assert report["ok"] is False and report["error"] == "database or disk is full" and report["failures"] == 2
    assert report["since"] == (started + dt.timedelta(seconds=30)).isoformat()  # the first failure of the streak
    assert report["last_error_at"] == clock().isoformat()
    with pytest.raises(ApiError) as refused:
        service.create_payment(CreateRequest(price=500_000, fid=1))
    assert refused.value.code is Code.RECORDING_DOWN and Code.RECORDING_DOWN.http_status == 503

    clock.advance(seconds=30)
    sink(_stored_part())  # the disk has room again: the part is stored
    assert path.recording_ok() and len(ingest.stored) == 1
    report = path.recording.report()
    assert report["ok"] is True and report["error"] is None and report["failures"] == 0
    assert report["since"] == report["last_stored_at"] == clock().isoformat()
    assert report["last_error"] == "database or disk is full"  # kept, for the operator
    assert service.create_payment(CreateRequest(price=500_000, fid=1)).payment.id


def test_one_transient_failure_then_a_success_recovers_at_once(clock):
    path = ReceivePath(make_settings("sqlite:///:memory:"), FlakyIngest(_disk_full()), clock, lambda reason: None)
    sink = path._sink("m1")
    with pytest.raises(peewee.OperationalError):
        sink(_stored_part())
    assert not path.recording_ok()
    sink(_stored_part())  # the very next attempt, no time passed
    assert path.recording_ok()


def test_one_modem_storing_does_not_hide_another_that_cannot(clock):
    path = ReceivePath(make_settings("sqlite:///:memory:"), FlakyIngest(RuntimeError()), clock, lambda reason: None)
    with pytest.raises(RuntimeError):
        path._sink("m1")(_stored_part())
    path._sink("m2")(_stored_part(2))
    report = path.recording.report()
    assert not report["ok"] and report["error"] == "RuntimeError"  # an exception without a message is named
    path._sink("m1")(_stored_part())
    assert path.recording_ok()


def test_a_failure_never_tried_again_is_forgotten_after_the_window(clock):
    settings = make_settings("sqlite:///:memory:", health={"receive_down_after_minutes": 10, "sweep_seconds": 30})
    path = ReceivePath(settings, FlakyIngest(_disk_full()), clock, lambda reason: None)
    assert path.recording.window == dt.timedelta(minutes=10)
    with pytest.raises(peewee.OperationalError):
        path._sink("m1")(_stored_part())
    clock.advance(minutes=10)
    assert not path.recording_ok()  # at most the window old: still counts
    clock.advance(seconds=1)
    assert path.recording_ok()  # its part was never tried again (gone from the SIM): no longer evidence
    assert path.recording.report()["since"] == (clock() - dt.timedelta(seconds=1)).isoformat()


def test_the_tracking_is_thread_safe(clock):
    path = ReceivePath(make_settings("sqlite:///:memory:"), FlakyIngest(), clock, lambda reason: None)
    errors = [_disk_full()]

    def hammer(modem: str) -> None:
        for i in range(500):
            if i % 2:
                path.recording.failed(modem, errors[0])
            else:
                path.recording.stored(modem)
            path.recording.report()

    threads = [threading.Thread(target=hammer, args=(f"m{n}",)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = path.recording.report()  # every modem's last call failed: 8 streaks of one failure each
    assert report["ok"] is False and report["failures"] == 8
    for n in range(8):
        path.recording.stored(f"m{n}")
    assert path.recording_ok()
