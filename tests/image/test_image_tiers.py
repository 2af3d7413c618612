"""The appliance image, tested on this machine without a Pi (image/README.md, "Tests").

Tier 1: static checks of the stage (shellcheck, systemd-analyze verify and
security, udevadm verify) on a Debian root with the stage applied.
Tier 2: that root booted as a container: provisioning from the boot
partition, the hardened service answering /api/health, no failed units.
Tier 3: a real disk image (bootfs, rootfs, data) booted twice in QEMU with a
read-only root, a modem simulator behind an emulated USB serial adapter.

They need root, network access to deb.debian.org and PyPI, and the Debian
packages of image/test/install-deps.sh (installed by the first fixture).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.image.conftest import REPO, wait_until

IMAGE = REPO / "image"
TEST = IMAGE / "test"
WORK = IMAGE / "build-area"
BOOT_CONFIG = TEST / "ci-boot.toml"
# CARTTOCART_IMAGE_KEEP=1 keeps image/build-area/{rootfs,tier2,tier3} after the tests, to look into a failure.
KEEP = os.environ.get("CARTTOCART_IMAGE_KEEP") == "1"
TOOLS = ("mmdebstrap", "systemd-nspawn", "qemu-system-x86_64", "shellcheck", "mkfs.vfat", "mcopy", "sfdisk")

pytestmark = pytest.mark.slow


def run(*cmd: str | Path, timeout: float, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )
    print(result.stdout[-4000:], result.stderr[-4000:], sep="\n")
    return result


@pytest.fixture(scope="session")
def system_deps() -> None:
    if os.geteuid() != 0:
        pytest.skip("the image tests need root (chroot, mounts, mkfs, nspawn)")
    run(TEST / "install-deps.sh", timeout=900)
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"missing tools: {', '.join(missing)} (image/test/install-deps.sh could not install them)")


@pytest.fixture(scope="session")
def rootfs(system_deps) -> Iterator[Path]:
    """Debian trixie (amd64) + image/stage-carttocart, built once per session."""
    target = WORK / "rootfs"
    started = time.monotonic()
    result = run(TEST / "build-rootfs.sh", target, timeout=1200)
    assert result.returncode == 0, "building the root filesystem failed (output above)"
    print(f"root filesystem built in {time.monotonic() - started:.0f} s")
    yield target
    if not KEEP:
        shutil.rmtree(target, ignore_errors=True)


@pytest.mark.timeout(300)
def test_tier1_static_checks(rootfs):
    result = run(TEST / "static-checks.sh", rootfs, timeout=240)
    assert result.returncode == 0, result.stdout
    assert "exposure" not in result.stdout.split("static checks")[-1]


def read_result(root: Path, boot: int) -> dict:
    path = root / "data" / "ci" / f"result-{boot}.json"
    assert path.exists(), f"the box did not report from boot {boot}"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.timeout(600)
def test_tier2_the_stage_boots_as_a_container_and_provisions_from_the_boot_partition(rootfs, tmp_path):
    box = WORK / "tier2"
    shutil.rmtree(box, ignore_errors=True)
    subprocess.run(["cp", "-a", str(rootfs), str(box)], check=True, timeout=120)
    try:
        started = time.monotonic()
        assert run(TEST / "boot-nspawn.sh", box, BOOT_CONFIG, "180", timeout=240).returncode == 0
        print(f"tier 2 boot 1: {time.monotonic() - started:.1f} s")
        first = read_result(box, 1)
        assert first["health"] and first["health"]["status"] == "ok", first["journal"]
        assert first["active"] == "active"
        assert first["provision"] == "success"
        assert first["failed"] == "", first["failed"]
        assert first["config_mode"] == "0o640"
        assert "carttocart.toml" not in first["boot_files"]  # secrets erased from the card
        assert "carttocart.toml.applied" in first["boot_files"]
        assert "ci-secret-key" not in (box / "boot/firmware/carttocart.toml.applied").read_text()
        assert "Everything checked is fine." in first["doctor"], first["doctor"]

        # Re-provisioning with a broken file: the error file says why, the box keeps running as it was.
        broken = tmp_path / "broken.toml"
        broken.write_text('[payments]\nexpire_minutes = "soon"\n')
        assert run(TEST / "boot-nspawn.sh", box, broken, "180", timeout=240).returncode == 0
        second = read_result(box, 2)
        assert second["active"] == "active" and second["health"]["status"] == "ok"
        assert "carttocart.toml.error.txt" in second["boot_files"]
        assert "payments.expire_minutes" in (box / "boot/firmware/carttocart.toml.error.txt").read_text()
        assert "carttocart-provision.service" in second["failed"]  # visible to the operator
    finally:
        if not KEEP:
            shutil.rmtree(box, ignore_errors=True)


def simulator_available() -> bool:
    probe = subprocess.run(
        [sys.executable, "-m", "appliance.cli", "simulate", "--help"], capture_output=True, timeout=60
    )
    return probe.returncode == 0


def deposit_sms(amount: int, account: str, now: datetime) -> str:
    """A Bank Mellat deposit SMS in its current layout (tests/fixtures/bank_sms.jsonl, mellat-01)."""
    import jdatetime

    tehran = jdatetime.datetime.fromgregorian(datetime=now.astimezone(timezone(timedelta(hours=3, minutes=30))))
    return f"حساب{account}\nواریز{amount:,}\nمانده{amount + 48_913_402:,}\n{tehran:%y/%m/%d-%H:%M}"


def read_from_data_partition(img: Path, path: str, scratch: Path) -> dict | None:
    """A file from the image's /data partition, read with debugfs (no mount, no loop device)."""
    table = json.loads(
        subprocess.run(["sfdisk", "--json", str(img)], capture_output=True, text=True, check=True, timeout=30).stdout
    )["partitiontable"]
    data = table["partitions"][2]
    sector = table.get("sectorsize", 512)
    part = scratch / "data.ext4"
    with img.open("rb") as source, part.open("wb") as target:
        source.seek(data["start"] * sector)
        remaining = data["size"] * sector
        while remaining:
            chunk = source.read(min(remaining, 4 << 20))
            target.write(chunk)
            remaining -= len(chunk)
    out = subprocess.run(["debugfs", "-R", f"cat {path}", str(part)], capture_output=True, timeout=60)
    part.unlink()
    try:
        return json.loads(out.stdout.decode("utf-8"))
    except ValueError:
        return None


class Console:
    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self, tag: str) -> list[dict]:
        if not self.path.exists():
            return []
        text = self.path.read_bytes().decode("utf-8", "replace").replace("\r", "")
        found = []
        for line in text.splitlines():
            if tag + " " in line:
                try:
                    found.append(json.loads(line.split(tag + " ", 1)[1]))
                except ValueError:
                    continue  # a line cut by other console output
        return found


@pytest.mark.timeout(900)
def test_tier3_a_disk_image_boots_twice_in_qemu_reads_an_sms_and_keeps_its_data(rootfs, tmp_path):
    box = WORK / "tier3"
    shutil.rmtree(box, ignore_errors=True)
    box.mkdir(parents=True)
    simulator = None
    with_modem = simulator_available()
    config = tmp_path / "carttocart.toml"
    config.write_text(
        BOOT_CONFIG.read_text()
        + ('\n[[modems]]\nname = "sim"\nport = "/dev/ttyGSM"\nprofile = "sim800"\n' if with_modem else "")
    )
    try:
        started = time.monotonic()
        assert (
            run(
                TEST / "mkimg.sh",
                rootfs,
                box / "box.img",
                config,
                timeout=300,
                env={"CI_SCENARIO": "payment" if with_modem else "health"},
            ).returncode
            == 0
        )
        print(f"tier 3 image assembled in {time.monotonic() - started:.1f} s")
        link, control = box / "modem", f"unix:{box / 'modem.sock'}"
        if with_modem:
            simulator = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "appliance.cli",
                    "simulate",
                    "--link",
                    str(link),
                    "--profile",
                    "sim800",
                    "--control",
                    control,
                ]
            )
            assert wait_until(link.exists, timeout=30), "the modem simulator did not start"
        results = []
        for boot in (1, 2):
            console = Console(box / f"console-{boot}.log")
            started = time.monotonic()
            qemu = subprocess.Popen(
                [
                    str(TEST / "boot-qemu.sh"),
                    str(box / "box.img"),
                    str(console.path),
                    str(link) if with_modem else "",
                    "420",
                ],
                env={**os.environ, "READONLY_ROOT": "1"},
            )
            injected = False
            while qemu.poll() is None:
                wanted = console.lines("CI-SMS-WANTED")
                if wanted and with_modem and not injected:
                    text = deposit_sms(wanted[-1]["amount"], wanted[-1]["account"], datetime.now(UTC))
                    sent = run(
                        sys.executable,
                        "-m",
                        "appliance.cli",
                        "simulate",
                        "send",
                        "--control",
                        control,
                        "--sender",
                        "Bank Mellat",
                        "--text",
                        text,
                        timeout=60,
                    )
                    assert sent.returncode == 0
                    injected = True
                wait_until(lambda: qemu.poll() is not None, timeout=2)
            print(f"tier 3 boot {boot}: {time.monotonic() - started:.1f} s")
            report = read_from_data_partition(box / "box.img", f"/ci/result-{boot}.json", tmp_path)
            assert report, f"boot {boot} did not report; see {console.path}"
            results.append(report)
        first, second = results

        for report in results:
            assert report["root_fstype"] == "overlay", "overlayroot did not make the root read-only"
            assert report["data_source"].endswith("vda3")
            assert report["active"] == "active" and report["health"]["status"] == "ok", report["journal"]
            assert report["failed"] == "", report["failed"]
            assert report["tty_gsm"] and report["tty_gsm"].startswith("/dev/ttyUSB"), "no /dev/ttyGSM from udev"
            assert "ID_MM_DEVICE_IGNORE=1" in report["mm_ignore"]
            assert any(line.split()[-1] == "ttyUSB" for line in report["devices"])
            assert report["watchdog"] == "active", "systemd did not arm the hardware watchdog"
        assert first["boot"] == 1 and second["boot"] == 2  # the counter lives on /data
        assert "carttocart.toml" not in first["boot_files"]
        if not with_modem:
            pytest.skip(
                "the SMS -> payment path needs `carttocart simulate` (the modem simulator), "
                "not on this branch yet; udev naming, hardening and persistence were checked"
            )
        assert first.get("create", {}).get("status") == 200, first
        assert first["check"]["code"] == 201, f"the deposit SMS did not settle the payment: {first['check']}"
        # The contract answers 201 to the first check after payment, 200 "already verified" after that.
        assert second["check"]["code"] == 200 and second["check"]["state"] == "verified", (
            f"the settled payment did not survive the reboot: {second['check']}"
        )
        assert second["check"]["paid_at"] == first["check"]["paid_at"]
    finally:
        if simulator is not None:
            simulator.terminate()
            simulator.wait(timeout=10)
        if not KEEP:
            shutil.rmtree(box, ignore_errors=True)
