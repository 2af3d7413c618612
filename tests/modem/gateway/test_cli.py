"""``carttocart modem list|probe`` against the simulator."""

from __future__ import annotations

import json

from appliance.cli import main

from .conftest import wait_until


def test_probe_reports_identity_sim_network_signal_storage(make_sim, capsys) -> None:
    sim = make_sim("ec25")
    sim.deliver_sms("+98700717", "waiting")
    wait_until(sim.stored, what="the SMS in storage")
    assert main(["modem", "probe", "--port", str(sim.link), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["identity"]["manufacturer"] == "Quectel" and report["identity"]["profile"] == "ec25"
    assert report["health"]["sim_state"] == "READY" and report["health"]["operator"]
    assert report["health"]["signal_dbm"] < 0 and report["stored_parts"] == 1 and report["can_receive"]
    assert len(sim.stored()) == 1  # a probe never deletes


def test_probe_text_and_failures(make_sim, capsys, tmp_path) -> None:
    sim = make_sim("sim800")
    sim.lose_network(None)
    assert main(["modem", "probe", "--port", str(sim.link), "--profile", "sim800"]) == 1
    out = capsys.readouterr().out
    assert "SIMCOM_Ltd" in out and "receiving:  NO" in out and "not registered" in out
    assert main(["modem", "probe", "--port", str(tmp_path / "ttyNONE")]) == 1
    assert "no such port" in capsys.readouterr().err


def test_list_runs(capsys) -> None:
    assert main(["modem", "list", "--all", "--json"]) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)
