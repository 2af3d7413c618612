"""What the Pi's firmware and kernel read, checked against the files the pi-gen stage writes.

Emulation boots Debian's generic arm64 kernel, not the Pi's firmware: config.txt,
cmdline.txt, the UART names and the watchdog's limit are Raspberry Pi facts that
only these static checks (and the hardware checklist in image/README.md) cover.
image/stage-carttocart/02-system/00-run.sh runs here on a stand-in for the boot
partition pi-gen's stage 1 leaves (tests/image/pi_boot/), as pi-gen runs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.image.conftest import REPO

STAGE = REPO / "image" / "stage-carttocart"
PI_BOOT = Path(__file__).parent / "pi_boot"
# The Pi's hardware watchdog (bcm2835-wdt, also on the Pi 5) counts at most 15 s;
# a longer RuntimeWatchdogSec= is refused and the box runs without a watchdog.
PI_WATCHDOG_MAX_S = 15
# The Pi's serial ports: the PL011 (ttyAMA0, the GPIO UART on a Pi 5 or with Bluetooth
# off), the mini-UART (ttyS0, the GPIO UART on a Pi 3/4/Zero 2 W with Bluetooth),
# and serial0, Raspberry Pi OS's alias for whichever of them is on GPIO 14/15.
PI_UARTS = ("ttyAMA0", "ttyS0", "serial0")


def apply_system_stage(tmp_path: Path, readonly: bool = False, times: int = 1) -> Path:
    root = tmp_path / "root"
    boot = root / "boot" / "firmware"
    if not boot.exists():
        boot.mkdir(parents=True)
        for name in ("cmdline.txt", "config.txt"):
            shutil.copy(PI_BOOT / name, boot / name)
    env = {**os.environ, "ROOTFS_DIR": str(root), "CARTTOCART_READONLY_ROOT": "1" if readonly else "0"}
    for _ in range(times):
        subprocess.run(["./00-run.sh"], cwd=STAGE / "02-system", env=env, check=True, timeout=30)
    return boot


def config_sections(text: str) -> list[tuple[str, str]]:
    """(filter, line) for each setting of a config.txt, as the firmware reads it: a [filter]
    line applies to the settings after it, up to the next filter; [all] clears it."""
    current, settings = "all", []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if match := re.fullmatch(r"\[(\w+)\]", line):
            current = match.group(1)
        else:
            settings.append((current, line))
    return settings


def test_the_gpio_uart_is_on_for_every_model_and_uart0_on_a_pi_5(tmp_path):
    settings = config_sections((apply_system_stage(tmp_path) / "config.txt").read_text())
    # The stock file ends inside [cm5]: the stage's lines must not apply to a CM5 only.
    assert ("all", "enable_uart=1") in settings
    assert ("pi5", "dtparam=uart0=on") in settings
    assert ("all", "dtparam=watchdog=on") in settings
    assert ("cm5", "dtoverlay=dwc2,dr_mode=host") in settings  # the stock settings stay
    assert not [line for section, line in settings if line.startswith("enable_uart=") and line != "enable_uart=1"]


def test_config_txt_leaves_later_lines_for_every_model(tmp_path):
    text = (apply_system_stage(tmp_path) / "config.txt").read_text()
    headers = re.findall(r"^\[(\w+)\]", text, flags=re.MULTILINE)
    assert headers[-1] == "all", "lines appended after the stage's (Imager, an operator) would apply to one model only"


def test_no_serial_console_on_the_modem_uart_and_the_kernel_line_stays_one_line(tmp_path):
    text = (apply_system_stage(tmp_path) / "cmdline.txt").read_text()
    assert text.count("\n") == 1 and text.endswith("\n"), "the firmware reads cmdline.txt's first line only"
    words = text.split()
    assert not [word for word in words if word.startswith(("console=serial0", "console=ttyAMA0", "console=ttyS0"))]
    assert "console=tty1" in words  # the screen keeps its console
    assert {"root=ROOTDEV", "rootfstype=ext4", "rootwait", "fsck.repair=yes"} <= set(words)
    assert not [word for word in words if word.startswith("overlayroot=")]


def test_the_read_only_root_is_the_first_word_of_the_kernel_line_once(tmp_path):
    text = (apply_system_stage(tmp_path, readonly=True, times=2) / "cmdline.txt").read_text()
    assert text.startswith("overlayroot=tmpfs:recurse=0 ")
    assert text.count("overlayroot=") == 1 and text.count("\n") == 1


def test_the_stage_can_run_twice_without_doubling_config_txt(tmp_path):
    once = (apply_system_stage(tmp_path / "a") / "config.txt").read_text()
    twice = (apply_system_stage(tmp_path / "b", times=2) / "config.txt").read_text()
    assert once == twice


def test_the_hardware_watchdog_fits_the_pis_and_uses_its_device(tmp_path):
    apply_system_stage(tmp_path)
    conf = (tmp_path / "root/etc/systemd/system.conf.d/50-carttocart-watchdog.conf").read_text()
    values = dict(line.split("=", 1) for line in conf.splitlines() if "=" in line and not line.startswith("#"))
    runtime = re.fullmatch(r"(\d+)(s|min)?", values["RuntimeWatchdogSec"])
    assert runtime, values["RuntimeWatchdogSec"]
    seconds = int(runtime.group(1)) * (60 if runtime.group(2) == "min" else 1)
    assert 0 < seconds <= PI_WATCHDOG_MAX_S
    # systemd opens /dev/watchdog0 unless told otherwise: bcm2835-wdt is the Pi's only one.
    assert values.get("WatchdogDevice", "/dev/watchdog0") in {"/dev/watchdog0", "/dev/watchdog"}
    assert "RebootWatchdogSec" in values


@pytest.mark.parametrize("uart", PI_UARTS)
def test_no_login_prompt_on_a_pi_uart(uart):
    chroot_script = (STAGE / "02-system" / "01-run-chroot.sh").read_text()
    assert f"serial-getty@{uart}.service" in chroot_script


def test_the_service_may_open_every_pi_uart_and_usb_modem():
    unit = (STAGE / "01-app" / "files" / "carttocart.service").read_text()
    allowed = set(re.findall(r"^DeviceAllow=char-(\w+) rw$", unit, flags=re.MULTILINE))
    # /proc/devices names: ttyAMA (PL011), ttyS (mini-UART), ttyUSB and ttyACM (USB modems).
    assert {"ttyAMA", "ttyS", "ttyUSB", "ttyACM"} <= allowed
    assert "PrivateDevices=yes" not in unit


def test_the_merchant_is_told_the_hats_port_is_serial0():
    example = (REPO / "config" / "carttocart.boot.example.toml").read_text()
    assert "/dev/serial0" in example
