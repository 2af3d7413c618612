"""The appliance image, tested on this machine without a Pi (image/README.md, "Tests").

Tier 1: static checks of the stage (shellcheck, systemd-analyze verify and
security, udevadm verify) on a Debian root with the stage applied.
Tier 2: that root booted as a container: provisioning from the boot
partition, the hardened service answering /api/health, no failed units.
Tier 3: a real disk image (bootfs, rootfs, data) booted twice in QEMU with a
read-only root, a modem simulator behind an emulated USB serial adapter.

Each tier runs on amd64 (a PC) and on arm64, the Pi's architecture: the root is
built by the same scripts under qemu-user (binfmt_misc) and tier 3 boots it with
qemu-system-aarch64 -M virt. Tier 2 boots it in a container under qemu-user where
that can run systemd; where it cannot (no fsopen(2) in qemu-user 10.0), tier 2
makes it a card image and boots that in qemu-system-aarch64, with the same checks.

They need root, network access to deb.debian.org and PyPI, and the Debian
packages of image/test/install-deps.sh (installed by the first fixture).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.image import arm64_root
from tests.image.conftest import REPO, arm64_wanted, wait_until

IMAGE = REPO / "image"
TEST = IMAGE / "test"
WORK = IMAGE / "build-area"
BOOT_CONFIG = TEST / "ci-boot.toml"
# CARTTOCART_IMAGE_KEEP=1 keeps image/build-area/{rootfs,tier2,tier3} after the tests, to look into a failure.
KEEP = os.environ.get("CARTTOCART_IMAGE_KEEP") == "1"
TOOLS = ("mmdebstrap", "systemd-nspawn", "qemu-system-x86_64", "shellcheck", "mkfs.vfat", "mcopy", "sfdisk")
ARM64_TOOLS = ("qemu-aarch64-static", "qemu-system-aarch64", "arch-test")
# Units that fail in an arm64 container only because qemu-user emulates it
# (tier 2): unit -> (what its journal says, why it is not the box's fault).
# The same units start on amd64 (tier 2) and in the arm64 virtual machine (tier 3).
QEMU_USER_FAILURES: dict[str, tuple[str, str]] = {}

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


@dataclass(frozen=True)
class Root:
    path: Path
    arch: str  # amd64 or arm64

    @property
    def env(self) -> dict[str, str]:
        return {"CARTTOCART_IMAGE_ARCH": self.arch}

    def work(self, name: str) -> Path:
        return WORK / (name if self.arch == "amd64" else f"{name}-{self.arch}")


def arm64_available() -> str:
    """Empty when this machine runs arm64 programs (qemu-user through binfmt_misc), else why not."""
    missing = [tool for tool in ARM64_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"missing tools: {', '.join(missing)} (image/test/install-deps.sh could not install them)"
    probe = subprocess.run(["arch-test", "arm64"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        return f"this machine cannot run arm64 programs (binfmt_misc, qemu-user-static): {probe.stdout.strip()}"
    return ""


@pytest.fixture(scope="session", params=["amd64", "arm64"])
def rootfs(system_deps, request) -> Iterator[Root]:
    """Debian trixie + image/stage-carttocart, built once per session and architecture
    (arm64: in the background from the start of the session, tests/image/arm64_root.py)."""
    arch = request.param
    if arch == "arm64" and not arm64_wanted():
        pytest.skip("CARTTOCART_IMAGE_ARM64=0 leaves the arm64 tiers out")
    if arch == "arm64" and (why := arm64_available()):
        pytest.skip(why)
    root = Root(WORK / ("rootfs" if arch == "amd64" else f"rootfs-{arch}"), arch)
    if arch == "arm64":
        arm64_root.start()  # unless the session already started it
        code, output, seconds = arm64_root.wait(timeout=3000)
        print(output)
        assert code == 0, "building the arm64 root filesystem failed (output above)"
    else:
        started = time.monotonic()
        code = run(TEST / "build-rootfs.sh", root.path, timeout=1200, env=root.env).returncode
        assert code == 0, f"building the {arch} root filesystem failed (output above)"
        seconds = time.monotonic() - started
    print(f"{arch} root filesystem built in {seconds:.0f} s")
    yield root
    if not KEEP:
        shutil.rmtree(root.path, ignore_errors=True)


# The first test of each architecture also builds its root (the session fixture): ~15 min on arm64.
@pytest.mark.timeout(3600)
def test_tier1_static_checks(rootfs):
    result = run(TEST / "static-checks.sh", rootfs.path, timeout=540, env=rootfs.env)
    assert result.returncode == 0, result.stdout
    assert "exposure" not in result.stdout.split("static checks")[-1]


def unexpected_failures(report: dict, under_qemu_user: bool) -> list[str]:
    """The failed units of a tier 2 boot, less (in a container under qemu-user) those that fail only
    there, each recognised by what its own journal says."""
    unexpected = []
    for line in report["failed"].splitlines():
        if not line.strip():
            continue
        unit = line.split()[0]
        known = QEMU_USER_FAILURES.get(unit) if under_qemu_user else None
        if known and known[0] in report.get("failed_logs", {}).get(unit, ""):
            continue
        unexpected.append(unit)
    return unexpected


def read_result(root: Path, boot: int) -> dict:
    path = root / "data" / "ci" / f"result-{boot}.json"
    assert path.exists(), f"the box did not report from boot {boot}"
    return json.loads(path.read_text(encoding="utf-8"))


# What an arm64 program gets from the kernel for fsopen(2) under this machine's qemu-user
# (syscall 430 on every architecture): 0 when it works, else the errno.
FSOPEN_PROBE = (
    "import ctypes; libc = ctypes.CDLL(None, use_errno=True); "
    "fd = libc.syscall(430, b'tmpfs', 1); print(0 if fd >= 0 else ctypes.get_errno())"
)


def qemu_user_cannot_run_systemd(root: Path) -> str:
    """Why this machine's qemu-user cannot run the root's systemd as a container, or empty.

    systemd 257 gives every unit a credentials directory (/run/credentials/UNIT), a
    file system it mounts with the new mount API (fsopen, fsmount, mount_setattr).
    qemu-user does not implement those system calls, up to QEMU 10 at least (ENOSYS;
    Debian 12's 7.2 and bookworm-backports' 10.0 were tried): every unit's
    systemd-executor then exits 243/CREDENTIALS, systemd-journald first, and the boot
    never reaches a unit of ours. The virtual machine of tier 3 runs a real arm64
    kernel and is not affected. The probe asks the root's own Python, under qemu-user,
    so that a qemu-user that implements them runs the tier without a change here.

    Resetting the credential settings in the test root (a drop-in for every service) is
    not enough: the units then start, but under qemu-user 10.0.2 every setting that needs
    a mount namespace (ProtectSystem, ReadWritePaths, ProtectHome, PrivateDevices,
    ProtectProc, ProcSubset, ProtectKernelTunables/Modules/Logs, ProtectControlGroups)
    fails alone with 226/NAMESPACE ("Failed to set up mount namespacing: Invalid
    argument"), and PrivateNetwork with 225/NETWORK. Switching those off too would boot
    units without the hardening the tier is there to check; tier 3 checks it on arm64.
    """
    out = subprocess.run(
        ["chroot", str(root), "/usr/bin/python3", "-c", FSOPEN_PROBE], capture_output=True, text=True, timeout=120
    )
    if out.returncode == 0 and out.stdout.strip() == str(errno.ENOSYS):
        version = subprocess.run(
            ["/usr/lib/arch-test/arm64"],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "QEMU_VERSION": "1"},
        ).stdout.split("\n", 1)[0]
        return (
            f"{version or 'qemu-user'} does not implement fsopen(2) (ENOSYS), which systemd 257 needs to mount "
            "every unit's credentials directory: no unit starts in an arm64 container"
        )
    return ""


class ContainerBox:
    """Tier 2 as on amd64: a copy of the root booted by systemd-nspawn, its boot partition a folder."""

    def __init__(self, rootfs: Root) -> None:
        self.rootfs, self.box = rootfs, rootfs.work("tier2")
        shutil.rmtree(self.box, ignore_errors=True)
        subprocess.run(["cp", "-a", str(rootfs.path), str(self.box)], check=True, timeout=300)

    def boot(self, boot: int, config: Path) -> dict:
        started = time.monotonic()
        limit = "600" if self.rootfs.arch == "arm64" else "180"
        assert run(TEST / "boot-nspawn.sh", self.box, config, limit, timeout=660).returncode == 0
        print(f"{self.rootfs.arch} tier 2 boot {boot}: {time.monotonic() - started:.1f} s")
        return read_result(self.box, boot)

    def boot_file(self, name: str) -> str:
        return (self.box / "boot/firmware" / name).read_text(encoding="utf-8")

    def remove(self) -> None:
        shutil.rmtree(self.box, ignore_errors=True)


class VirtualMachineBox:
    """Tier 2 where qemu-user cannot run systemd (arm64 here): the same root as a card image, booted by
    qemu-system (as tier 3 does) with no modem; a new config is written onto its FAT boot partition."""

    def __init__(self, rootfs: Root, scratch: Path) -> None:
        self.rootfs, self.box, self.scratch = rootfs, rootfs.work("tier2-vm"), scratch
        shutil.rmtree(self.box, ignore_errors=True)
        self.box.mkdir(parents=True)
        self.image = self.box / "box.img"
        made = run(TEST / "mkimg.sh", rootfs.path, self.image, timeout=600, env={**rootfs.env, "CI_SCENARIO": "health"})
        assert made.returncode == 0
        self.fat = f"{self.image}@@{partition(self.image, 0)[0]}"  # the boot partition, as mtools name it

    def boot(self, boot: int, config: Path) -> dict:
        copied = subprocess.run(["mcopy", "-o", "-i", self.fat, str(config), "::carttocart.toml"], timeout=60)
        assert copied.returncode == 0, "could not write the config onto the boot partition"
        return boot_and_report(self.rootfs, self.box, boot, None, "", self.scratch, f"tier2-{boot}")

    def boot_file(self, name: str) -> str:
        shown = subprocess.run(["mtype", "-i", self.fat, f"::{name}"], capture_output=True, timeout=60)
        assert shown.returncode == 0, f"no {name} on the boot partition"
        return shown.stdout.decode("utf-8")

    def remove(self) -> None:
        shutil.rmtree(self.box, ignore_errors=True)


@pytest.mark.timeout(2400)
def test_tier2_the_stage_boots_and_provisions_from_the_boot_partition(rootfs, tmp_path):
    """In a container (systemd-nspawn), or in qemu-system where qemu-user cannot run systemd (arm64)."""
    box: ContainerBox | VirtualMachineBox
    if rootfs.arch == "arm64" and (why := qemu_user_cannot_run_systemd(rootfs.path)):
        print(f"{why}: tier 2 boots it in qemu-system-aarch64 instead")
        box = VirtualMachineBox(rootfs, tmp_path)
        qemu_user = False
    else:
        box = ContainerBox(rootfs)
        qemu_user = rootfs.arch == "arm64"
    try:
        first = box.boot(1, BOOT_CONFIG)
        assert first["health"] and first["health"]["status"] == "ok", first["journal"]
        assert first["active"] == "active"
        assert first["provision"] == "success"
        assert unexpected_failures(first, qemu_user) == [], (first["failed"], first.get("failed_logs"))
        assert first["config_mode"] == "0o640"
        assert "carttocart.toml" not in first["boot_files"]  # secrets erased from the card
        assert "carttocart.toml.applied" in first["boot_files"]
        assert "ci-secret-key" not in box.boot_file("carttocart.toml.applied")
        assert "Everything checked is fine." in first["doctor"], first["doctor"]

        # Re-provisioning with a broken file: the error file says why, the box keeps running as it was.
        broken = tmp_path / "broken.toml"
        broken.write_text('[payments]\nexpire_minutes = "soon"\n')
        second = box.boot(2, broken)
        assert second["active"] == "active" and second["health"]["status"] == "ok"
        assert "carttocart.toml.error.txt" in second["boot_files"]
        assert "payments.expire_minutes" in box.boot_file("carttocart.toml.error.txt")
        assert "carttocart-provision.service" in second["failed"]  # visible to the operator
        assert unexpected_failures(second, qemu_user) == ["carttocart-provision.service"], (
            second["failed"],
            second.get("failed_logs"),
        )
    finally:
        if not KEEP:
            box.remove()


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


def partition(img: Path, index: int) -> tuple[int, int]:
    """Where the image's partition ``index`` (0: bootfs, 1: rootfs, 2: data) lies: (offset, size) in bytes."""
    table = json.loads(
        subprocess.run(["sfdisk", "--json", str(img)], capture_output=True, text=True, check=True, timeout=30).stdout
    )["partitiontable"]
    found, sector = table["partitions"][index], table.get("sectorsize", 512)
    return found["start"] * sector, found["size"] * sector


def read_from_data_partition(img: Path, path: str, scratch: Path) -> dict | None:
    """A file from the image's /data partition, read with debugfs (no mount, no loop device)."""
    offset, remaining = partition(img, 2)
    part = scratch / "data.ext4"
    with img.open("rb") as source, part.open("wb") as target:
        source.seek(offset)
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

    def text(self) -> str:
        if not self.path.exists():
            return ""
        return self.path.read_bytes().decode("utf-8", "replace").replace("\r", "")

    def lines(self, tag: str) -> list[dict]:
        found = []
        for line in self.text().splitlines():
            if tag + " " in line:
                try:
                    found.append(json.loads(line.split(tag + " ", 1)[1]))
                except ValueError:
                    continue  # a line cut by other console output
        return found

    def tail(self, count: int = 40) -> str:
        """The console's last lines, for a failure's message (CI keeps no build area to read)."""
        return "\n".join(self.text().splitlines()[-count:]) or "(no console output)"


# Console lines of a guest that will not get anywhere: stop QEMU at once instead of at its time limit.
GUEST_STUCK = ("BUG: soft lockup", "You are in emergency mode", "Kernel panic")


@dataclass
class QemuBoot:
    console: Console
    stderr: Path
    returncode: int
    seconds: float
    stuck: str | None = None  # the GUEST_STUCK line that stopped it

    @property
    def never_reached_the_box(self) -> bool:
        """Nothing on the console from the box's own programs (they print CI-), and QEMU gone within a minute
        or stopped on a stuck guest kernel: the emulation failed before the box ran."""
        return (self.seconds < 60 or self.stuck is not None) and "CI-" not in self.console.text()

    def diagnosis(self) -> str:
        errors = self.stderr.read_text(encoding="utf-8", errors="replace").strip() if self.stderr.exists() else ""
        stopped = f"stopped on the console's {self.stuck!r}; " if self.stuck else ""
        return (
            f"{stopped}QEMU exited with {self.returncode} after {self.seconds:.1f} s; "
            f"its errors: {errors or '(none)'}\n"
            f"the console ends:\n{self.console.tail()}"
        )


def boot_in_qemu(rootfs: Root, box: Path, name: str, link: Path | None, control: str) -> QemuBoot:
    """Boot the image until it powers itself off, sending the deposit SMS the box asks for on its console."""
    console = Console(box / f"console-{name}.log")
    stderr = box / f"qemu-{name}.err"
    started = time.monotonic()
    with stderr.open("wb") as errors:
        qemu = subprocess.Popen(
            [
                str(TEST / "boot-qemu.sh"),
                str(box / "box.img"),
                str(console.path),
                str(link) if link else "",
                "900" if rootfs.arch == "arm64" else "420",
            ],
            env={**os.environ, **rootfs.env, "READONLY_ROOT": "1"},
            stderr=errors,
        )
        injected = False
        stuck = None
        while qemu.poll() is None:
            stuck = next((line for line in GUEST_STUCK if line in console.text()), None)
            if stuck:
                qemu.terminate()
                qemu.wait(30)
                break
            wanted = console.lines("CI-SMS-WANTED")
            if wanted and link and not injected:
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
    seconds = time.monotonic() - started
    print(f"{rootfs.arch} boot {name} in QEMU: {seconds:.1f} s")
    return QemuBoot(console, stderr, qemu.returncode, seconds, stuck)


def boot_and_report(
    rootfs: Root, box: Path, boot: int, link: Path | None, control: str, scratch: Path, name: str
) -> dict:
    """Boot the card image in QEMU and return what the box wrote in /data/ci/result-BOOT.json."""
    qemu = boot_in_qemu(rootfs, box, name, link, control)
    report = read_from_data_partition(box / "box.img", f"/ci/result-{boot}.json", scratch)
    if not report and qemu.never_reached_the_box:
        # A guest that never reached its own programs (no console line from them), and QEMU gone within
        # seconds or its kernel stuck (a soft lockup under TCG, seen once in 13 two-vCPU arm64 boots):
        # emulation failed before the box was there to test. Say so and boot once more; the box's boot
        # counter has not moved, so this is still boot BOOT. A second failure fails the test.
        print(f"WARNING: boot {name} never reached the box's own programs; booting again\n{qemu.diagnosis()}")
        qemu = boot_in_qemu(rootfs, box, f"{name}-again", link, control)
        report = read_from_data_partition(box / "box.img", f"/ci/result-{boot}.json", scratch)
    assert report, f"boot {name} did not report\n{qemu.diagnosis()}"
    return report


@pytest.mark.timeout(2400)
def test_tier3_a_disk_image_boots_twice_in_qemu_reads_an_sms_and_keeps_its_data(rootfs, tmp_path):
    box = rootfs.work("tier3")
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
                rootfs.path,
                box / "box.img",
                config,
                timeout=300,
                env={**rootfs.env, "CI_SCENARIO": "payment" if with_modem else "health"},
            ).returncode
            == 0
        )
        print(f"{rootfs.arch} tier 3 image assembled in {time.monotonic() - started:.1f} s")
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
            report = boot_and_report(rootfs, box, boot, link if with_modem else None, control, tmp_path, f"{boot}")
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
