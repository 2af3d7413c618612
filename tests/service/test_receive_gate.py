"""The receive gate: with modems configured, ``create`` refuses (code 10) once none could receive for a while."""

from __future__ import annotations

from appliance.runtime import ReceivePath
from appliance.store.models import ModemSample
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
