"""The ZTE and Wavecom profiles answer as the sources say those families do (docs/modems.md), over a real pty."""

from __future__ import annotations

from modem.pdu_encode import tpdu_length

from .conftest import wait_until


def _ready(port) -> None:
    port.command("ATE0")
    port.command("AT+CMEE=1")


def test_zte_identity_storages_and_habits(make_sim, open_port) -> None:
    sim = make_sim("zte", noise_seconds=0)
    port = open_port(sim.link)
    _ready(port)
    assert port.command("AT+CGMI") == ["ZTE CORPORATION", "OK"]
    assert port.command("AT+CGMM") == ["MF190", "OK"]
    assert port.command("ATI")[:2] == ["Manufacturer: ZTE CORPORATION", "Model: MF190"]
    assert port.command("AT+CPMS=?")[0] == '+CPMS: ("ME","MT","SM","SR"),("ME","MT","SM","SR"),("ME","MT","SM","SR")'
    assert port.command("AT+CPMS?")[0] == '+CPMS: "ME", 0, 50, "ME", 0, 50, "ME", 0, 50'  # spaces (gammu#907)
    assert port.command("AT+ZPAS?") == ['+BEARTYPE: "UMTS","CS_PS"', "OK"]
    # CNMI <mode>=2 is advertised, and refused (oFono: "MSM devices").
    assert port.command("AT+CNMI=?")[0].startswith("+CNMI: (0-2)")
    assert port.command("AT+CNMI=2,1,0,0,0") == ["ERROR"]
    assert port.command("AT+CNMI=1,1,0,0,0") == ["OK"]
    pdus = sim.deliver_sms("bank melli", "zte")
    assert port.expect(lambda line: line.startswith("+CMTI"))[-1] == '+CMTI: "ME",0'
    # <stat> left out of +CMGR.
    assert port.command("AT+CMGR=0") == [f"+CMGR: ,,{tpdu_length(pdus[0])}", pdus[0], "OK"]
    # What Gammu sends an MF190: no CD-ROM at the next plug-in, stay online.
    assert sim.status()["cd_autorun"]
    assert port.command("AT+ZCDRUN=8") == ["OK"] and not sim.status()["cd_autorun"]
    assert port.command("AT+ZOPRT=6") == ["OK"]
    assert port.command("AT+CREG?") == ["+CREG: 0,2", "OK"]  # offline: no network
    assert port.command("AT+ZOPRT=5") == ["OK"]
    assert port.command("AT+CREG?") == ["+CREG: 0,1", "OK"]


def test_zte_noise_arrives_inside_answers(make_sim, open_port) -> None:
    sim = make_sim("zte", noise_seconds=0.05)
    port = open_port(sim.link)
    _ready(port)
    wait_until(lambda: sim._inject, what="noise waiting for the next answer")
    answer = port.command("AT+CSQ")
    assert answer[0] == "+CSQ: 18,0" and answer[-1] == "OK"
    assert any(line.startswith(("+ZPASR", "+ZDONR", "+ZUSIMR")) for line in answer[1:-1]), answer


def test_wavecom_identity_and_storages(make_sim, open_port) -> None:
    sim = make_sim("wavecom")
    port = open_port(sim.link)
    _ready(port)
    assert port.command("AT+CGMI") == [" WAVECOM MODEM", "OK"]
    assert port.command("AT+CPMS=?") == ['+CPMS: (("SM","BM","SR"),("SM"))', "OK"]
    assert port.command('AT+CPMS="SM","SM","SM"') == ["ERROR"]
    assert port.command('AT+CPMS="SM","SM"') == ["+CPMS: 0,50,0,50", "OK"]
    assert port.command("AT+CNMI=2,1,0,0,0") == ["OK"]
    pdus = sim.deliver_sms("bank melli", "wavecom")
    assert port.expect(lambda line: line.startswith("+CMTI"))[-1] == '+CMTI: "SM",1'
    assert port.command("AT+CMGR=1") == [f"+CMGR: 0,,{tpdu_length(pdus[0])}", pdus[0], "OK"]
    assert port.command("AT+CMGR=9") == ["+CMS ERROR: 321"]


def test_wavecom_wind_level_survives_a_reboot_and_picks_the_boot_indications(make_sim, open_port) -> None:
    sim = make_sim("wavecom")
    port = open_port(sim.link)
    _ready(port)
    assert port.command("AT+WIND?") == ["+WIND: 0", "OK"]  # factory: no indication
    assert port.command("AT+WIND=201") == ["OK"]  # SIM, ready, network available, network lost
    sim.reboot()
    lines = port.expect(lambda line: line == "+WIND: 4", timeout=5)
    assert "+WIND: 1" in lines and "+WIND: 7" in lines and "+WIND: 13" not in lines
    port.command("ATE0")
    assert port.command("AT+WIND?") == ["+WIND: 201", "OK"]
    sim.lose_network(None)
    port.expect(lambda line: line == "+WIND: 8")
    sim.restore_network()
    port.expect(lambda line: line == "+WIND: 7")
