"""``carttocart doctor`` against real files, a real SQLite database, a real HTTP server and a pty modem."""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from appliance.box.doctor import FAIL, OK, SKIP, WARN, Doctor, Places
from appliance.cli import main
from tests.image.conftest import REPO


class Health(BaseHTTPRequestHandler):
    body: dict = {"status": "ok"}

    def do_GET(self) -> None:
        payload = json.dumps(self.body).encode()
        self.send_response(200 if self.path == "/api/health" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def box(tmp_path: Path):
    """A box's folders: settings, database, /proc, /run markers."""
    (tmp_path / "proc").mkdir()
    (tmp_path / "net").mkdir()
    db = tmp_path / "state" / "carttocart.db"
    db.parent.mkdir()
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE t (x)")
    places = Places(
        proc=tmp_path / "proc",
        sys_class_net=tmp_path / "net",
        ntp_sync_file=tmp_path / "synchronized",
        modem_sync_file=tmp_path / "modem-time",
        root=tmp_path,
        usb_devices=tmp_path / "sys" / "bus" / "usb" / "devices",
        block_devices=tmp_path / "sys" / "class" / "block",
        supported_modems=REPO / "config" / "modems.toml",
    )
    return tmp_path, db, places


def write_config(folder: Path, port: int, db: Path, extra: str = "") -> Path:
    config = folder / "config.toml"
    config.write_text(f'[server]\nlisten = "127.0.0.1:{port}"\n[database]\nurl = "sqlite:///{db}"\n{extra}')
    return config


def by_check(findings):
    return {f.check: f for f in findings}


def test_a_healthy_box_passes_every_check(box, api):
    folder, db, places = box
    places.ntp_sync_file.touch()
    found = by_check(Doctor(str(write_config(folder, api, db)), places).run())
    assert {k: f.status for k, f in found.items()} == {
        "config": OK,
        "api": OK,
        "database": OK,
        "modems": WARN,
        "ModemManager": OK,
        "clock": OK,
        "disk": OK,
        "tunnel": SKIP,
    }


def test_an_invalid_config_is_reported_with_its_keys_and_nothing_else_is_checked(box):
    folder, _, places = box
    config = folder / "config.toml"
    config.write_text('[payments]\nexpire_minutes = "soon"\n')
    findings = Doctor(str(config), places).run()
    assert findings[0].status == FAIL and "payments.expire_minutes" in findings[0].message
    assert [f.status for f in findings[1:]] == [SKIP]


def test_a_missing_or_damaged_database_fails(box, api):
    folder, db, places = box
    missing = by_check(Doctor(str(write_config(folder, api, folder / "none.db")), places).run())
    assert missing["database"].status == FAIL and "does not exist" in missing["database"].message
    db.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    damaged = by_check(Doctor(str(write_config(folder, api, db)), places).run())
    assert damaged["database"].status == FAIL


def test_modem_manager_running_is_a_failure(box, api):
    folder, db, places = box
    (places.proc / "4242").mkdir()
    (places.proc / "4242" / "comm").write_text("ModemManager\n")
    found = by_check(Doctor(str(write_config(folder, api, db)), places).run())
    assert found["ModemManager"].status == FAIL and "mask" in found["ModemManager"].message


def test_an_api_that_does_not_answer_fails(box):
    folder, db, places = box
    found = by_check(
        Doctor(str(write_config(folder, 9, db)), places).run(),
    )
    assert found["api"].status == FAIL and "does not answer" in found["api"].message


def test_the_clock_fails_only_when_the_box_requires_a_trusted_clock(box, api):
    folder, db, places = box
    relaxed = by_check(Doctor(str(write_config(folder, api, db)), places).run())
    assert relaxed["clock"].status == WARN
    strict = by_check(Doctor(str(write_config(folder, api, db, "[clock]\nrequire_trusted = true\n")), places).run())
    assert strict["clock"].status == FAIL
    places.modem_sync_file.write_text("2026-11-28T09:00:00+00:00\n")
    trusted = by_check(Doctor(str(write_config(folder, api, db, "[clock]\nrequire_trusted = true\n")), places).run())
    assert trusted["clock"].status == OK and "modem" in trusted["clock"].message


def modem_config(port: str) -> str:
    return f'[[modems]]\nname = "sim"\nport = "{port}"\n'


def test_a_registered_modem_passes_and_an_unregistered_one_fails(box, api, pty_modem):
    folder, db, places = box
    good = pty_modem({"AT": "OK", "AT+CPIN?": "+CPIN: READY\r\n\r\nOK", "AT+CREG?": "+CREG: 0,5\r\n\r\nOK"})
    found = by_check(Doctor(str(write_config(folder, api, db, modem_config(good.port))), places).run())
    assert found["modem sim"].status == OK
    searching = pty_modem({"AT": "OK", "AT+CPIN?": "+CPIN: READY\r\n\r\nOK", "AT+CREG?": "+CREG: 0,2\r\n\r\nOK"})
    found = by_check(Doctor(str(write_config(folder, api, db, modem_config(searching.port))), places).run())
    assert found["modem sim"].status == FAIL and "not registered" in found["modem sim"].message
    no_sim = pty_modem({"AT": "OK", "AT+CPIN?": "+CME ERROR: 10"})
    found = by_check(Doctor(str(write_config(folder, api, db, modem_config(no_sim.port))), places).run())
    assert found["modem sim"].status == FAIL and "SIM" in found["modem sim"].message


def test_a_missing_modem_port_fails_in_plain_words(box, api):
    folder, db, places = box
    found = by_check(Doctor(str(write_config(folder, api, db, modem_config("/dev/ttyGSM-none"))), places).run())
    assert found["modem sim"].status == FAIL and "plugged in" in found["modem sim"].message


def test_a_configured_tunnel_that_is_down_fails(box, api):
    folder, db, places = box
    (folder / "tunnel").mkdir()
    (folder / "tunnel" / "c2c-wg.conf").write_text("[Interface]\n")
    found = by_check(Doctor(str(write_config(folder, api, db)), places).run())
    assert found["tunnel"].status == FAIL and "c2c-wg" in found["tunnel"].message


def test_the_command_exits_1_when_anything_fails(box, capsys):
    folder, db, _ = box
    assert main(["--config", str(write_config(folder, 9, db)), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] api:" in out and "problem(s) found" in out


def usb_device(places, name: str, usb_id: str, classes: list[str], product: str = "") -> None:
    """A device in a fake /sys/bus/usb/devices: its ids, its product string, one interface per class."""
    device = places.usb_devices / name
    device.mkdir(parents=True)
    vendor, product_id = usb_id.split(":")
    (device / "idVendor").write_text(vendor + "\n")
    (device / "idProduct").write_text(product_id + "\n")
    (device / "product").write_text(product + "\n")
    for i, cls in enumerate(classes):
        (device / f"{name}:1.{i}").mkdir()
        (device / f"{name}:1.{i}" / "bInterfaceClass").write_text(cls + "\n")


def test_a_modem_stick_still_in_its_cd_rom_mode_fails(box, api):
    folder, db, places = box
    config = str(write_config(folder, api, db, modem_config("/dev/ttyGSM-none")))
    usb_device(places, "1-1.3", "0424:ec00", ["ff"], "hub")  # not a modem maker: not looked at
    usb_device(places, "1-1.2", "12d1:1001", ["ff", "ff", "ff"], "HUAWEI Mobile")  # switched: a modem
    assert by_check(Doctor(config, places).run())["usb modem"].status == OK
    usb_device(places, "1-1.4", "12d1:1f01", ["08"], "HUAWEI_MOBILE")  # still the CD-ROM
    found = by_check(Doctor(config, places).run())["usb modem"]
    assert found.status == FAIL and "12d1:1f01" in found.message and "usb_modeswitch" in found.message


def test_a_listed_storage_id_or_a_modem_makers_cd_rom_drive_fails(box, api):
    folder, db, places = box
    config = str(write_config(folder, api, db, modem_config("/dev/ttyGSM-none")))
    usb_device(places, "2-1", "19d2:2000", ["08", "08"], "ZTE WCDMA Technologies MSM")
    found = by_check(Doctor(config, places).run())["usb modem"]
    assert found.status == FAIL and "ZTE" in found.message and "19d2:2000" in found.message
    (places.usb_devices / "2-1" / "idVendor").unlink()  # only the SCSI side is visible now
    drive = places.block_devices / "sr0" / "device"
    drive.mkdir(parents=True)
    (drive / "vendor").write_text("ZTE     \n")
    (drive / "model").write_text("USB SCSI CD-ROM \n")
    found = by_check(Doctor(config, places).run())["usb modem"]
    assert found.status == FAIL and "sr0" in found.message


def test_a_sim_that_refused_its_pin_fails_in_plain_words(box, api):
    folder, db, places = box
    state = db.parent / "modem-state.json"  # next to the database
    message = "the SIM refused the PIN in [[modems]] pin (+CME ERROR: 16; 2 attempt(s) left)"
    record = {"state": "refused", "sim_state": "SIM PIN", "attempts_left": 2, "message": message}
    state.write_text(json.dumps({"version": 1, "modems": {"sim": {"sim": record}}}))
    found = by_check(Doctor(str(write_config(folder, api, db, modem_config("/dev/ttyGSM-none"))), places).run())
    assert found["modem sim"].status == FAIL and found["modem sim"].message == f"SIM: {message}"
    record["state"] = "ready"
    state.write_text(json.dumps({"version": 1, "modems": {"sim": {"sim": record}}}))
    found = by_check(Doctor(str(write_config(folder, api, db, modem_config("/dev/ttyGSM-none"))), places).run())
    assert "SIM:" not in found["modem sim"].message  # a ready SIM: the usual checks


def test_reception_stopped_on_the_sim_is_what_the_service_reports(box, api, pty_modem, monkeypatch):
    folder, db, places = box
    modem = pty_modem({"AT": "OK"})
    reported = {"name": "sim", "state": "sim_locked", "last_error": "the SIM has 1 PIN attempt(s) left"}
    monkeypatch.setattr(Health, "body", {"status": "ok", "modems": [reported]})
    found = by_check(Doctor(str(write_config(folder, api, db, modem_config(modem.port))), places).run())
    assert found["modem sim"].status == FAIL and "1 PIN attempt(s) left" in found["modem sim"].message
    assert modem.received == []  # the service holds the port: not probed
