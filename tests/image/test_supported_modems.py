"""config/modems.toml (the supported modems) and the udev rules generated from it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

from tests.image.conftest import REPO

MODEMS = REPO / "config" / "modems.toml"
RULES = REPO / "image" / "stage-carttocart" / "01-app" / "files" / "78-carttocart-modems.rules"
PROFILES = {"sim800", "huawei", "ec25", "zte", "wavecom"}  # the `profile` values of [[modems]] besides "auto"


def test_every_supported_modem_says_how_to_reach_its_at_port():
    modems = tomllib.loads(MODEMS.read_text(encoding="utf-8"))["modems"]
    assert modems
    for modem in modems:
        assert modem["profile"] in PROFILES, modem["model"]
        assert isinstance(modem["verified"], bool) and modem["notes"]
        if modem["connection"] == "usb":
            assert re.fullmatch(r"[0-9a-f]{4}:[0-9a-f]{4}", modem["usb_id"]), modem["model"]
            assert re.fullmatch(r"[0-9a-f]{2}", modem["at_interface"]), modem["model"]
            for storage_id in modem.get("storage_ids", []):  # its CD-ROM mode, and how to leave it
                assert re.fullmatch(r"[0-9a-f]{4}:[0-9a-f]{4}", storage_id), modem["model"]
                assert re.fullmatch(r"(-[A-Za-z]( \S+)?\s*)+", modem["modeswitch"]), modem["model"]
        else:
            assert modem["connection"] == "uart" and modem["port"].startswith("/dev/"), modem["model"]


def test_the_shipped_udev_rules_are_generated_from_the_list():
    generated = subprocess.run(
        [sys.executable, str(REPO / "image" / "gen-udev-rules.py"), str(MODEMS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert RULES.read_text(encoding="utf-8") == generated, "run image/gen-udev-rules.py > " + str(RULES)
    usb = [m for m in tomllib.loads(MODEMS.read_text(encoding="utf-8"))["modems"] if m["connection"] == "usb"]
    assert generated.count('SYMLINK+="ttyGSM"') == len(usb)
    storage = [(m, sid) for m in usb for sid in m.get("storage_ids", [])]
    assert storage and generated.count("usb_modeswitch -v") == len(storage)
    for modem, storage_id in storage:
        vendor, product = storage_id.split(":")
        assert f"usb_modeswitch -v {vendor} -p {product} {modem['modeswitch']}" in generated
