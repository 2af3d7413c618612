"""Fixtures shared by the modem library's tests: simulators on real pseudo-terminals."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from modem.simulator import Simulator
from tests.polling import wait_until


@pytest.fixture
def make_sim(tmp_path: Path) -> Iterator[Callable[..., Simulator]]:
    """Start simulators (``make_sim("huawei")``), booted and ready; stopped after the test."""
    sims: list[Simulator] = []

    def factory(profile: str = "sim800", name: str | None = None, **kwargs: object) -> Simulator:
        sim = Simulator(tmp_path / (name or f"tty{profile}{len(sims)}"), profile, **kwargs)  # type: ignore[arg-type]
        sim.start()
        sims.append(sim)
        wait_until(lambda: sim.status()["sms_ready"], what="the simulator's boot")
        return sim

    yield factory
    for sim in sims:
        sim.stop()
