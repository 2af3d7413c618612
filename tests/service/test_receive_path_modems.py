"""The receive path with the modem simulator on a real pty and SQLite on disk: restarts, the SIM's state file,
the dashboard's modem sample, the network's time."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from appliance.box import clock as box_clock
from appliance.box import modem_state
from appliance.runtime.receive_path import ReceivePath
from appliance.store.models import ModemSample, SmsPart
from appliance.usecases.sms_intake import SmsIngest, build_reader
from modem.simulator import Simulator
from tests.polling import wait_until


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.fixture
def sim(tmp_path):
    with Simulator(tmp_path / "sim" / "ttyUSB0", "sim800") as simulator:
        wait_until(lambda: simulator.status()["sms_ready"], what="the simulator's boot")
        yield simulator


def receive_path(make_service, sqlite_url, sim, **modem) -> ReceivePath:
    service = make_service(
        sqlite_url,
        modems=[{"name": "sim", "port": str(sim.link), "profile": "sim800", **modem}],
        health={"sweep_seconds": 5, "sample_seconds": 5},
    )
    settings = service.settings
    return ReceivePath(settings, SmsIngest(service, build_reader(settings, utcnow), utcnow), utcnow, lambda r: None)


def test_a_restart_deletes_what_the_store_has_without_handing_it_on_again(make_service, sqlite_url, sim) -> None:
    pdus = sim.deliver_sms("bank melli", "first") + sim.deliver_sms("bank melli", "second")
    sim.fail_command("AT+CMGD", code=500, times=1000)  # as if the service died between commit and delete
    first = receive_path(make_service, sqlite_url, sim)
    first.start()
    try:
        wait_until(lambda: SmsPart.select().count() == len(pdus), 15, what="the parts committed")
    finally:
        first.stop()
    assert len(sim.stored()) == len(pdus)
    sim._failures.clear()
    second = receive_path(make_service, sqlite_url, sim)
    second.start()
    try:
        wait_until(lambda: not sim.stored(), 15, what="the restarted path to empty the SIM")
        [status] = second.status()
    finally:
        second.stop()
    assert SmsPart.select().count() == len(pdus)
    assert status["parts_delivered"] == 0 and status["already_stored"] == len(pdus)


def test_a_refused_pin_is_kept_next_to_the_database_and_shown_on_the_dashboard(
    make_service, sqlite_url, sim, tmp_path
) -> None:
    sim.require_pin("1234")
    for _ in range(3):  # three service starts
        path = receive_path(make_service, sqlite_url, sim, pin="0000")
        path.start()
        try:
            wait_until(lambda: path.status()[0]["state"] == "sim_locked", 15, what="reception to stop on the PIN")
            [status] = path.status()
        finally:
            path.stop()
    assert sim.commands_received("AT+CPIN=") == ['AT+CPIN="0000"']
    state_file = tmp_path / modem_state.STATE_FILE
    assert state_file == modem_state.state_path(path.settings) and state_file.exists()
    record = modem_state.sim_records(state_file)["sim"]
    assert record["state"] == "refused" and record["attempts_left"] == 2
    assert "refused" in status["last_error"] and status["sim"]["attempts_left"] == 2
    sample = ModemSample.select().order_by(ModemSample.id.desc()).get()  # what the dashboard reads
    assert sample.sim_state == "SIM PIN" and any("refused" in p for p in sample.detail["problems"])


def test_the_network_time_is_read_with_every_health_sample(make_service, sqlite_url, sim, tmp_path) -> None:
    when = utcnow().replace(microsecond=0) + dt.timedelta(minutes=7)  # the system clock is 7 minutes late
    sim.set_network_time(when)
    path = receive_path(make_service, sqlite_url, sim)
    path.start()
    try:
        reading = tmp_path / modem_state.NETWORK_TIME_FILE
        wait_until(reading.exists, 15, what="the first reading of the network's time")
        record = json.loads(reading.read_text())
        assert abs(dt.datetime.fromisoformat(record["modem_time"]) - when) < dt.timedelta(seconds=5)
        assert record["agrees"] is False
        assert box_clock.trusted_source(tmp_path / "none", tmp_path / "none") is None  # it does not vouch
        fresh = box_clock.network_reading(reading)
        assert fresh is not None and abs(fresh[0] - when) < dt.timedelta(seconds=10)
    finally:
        path.stop()
