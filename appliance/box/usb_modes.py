"""USB modem sticks that are still a CD-ROM: the mode they arrive in, before usb_modeswitch switches them.

Most sticks (Huawei, ZTE, ...) first show a small CD-ROM or flash disk with the
Windows driver; ``usb_modeswitch`` (the image ships its rules and data, and
``78-carttocart-modems.rules`` adds the supported sticks) sends the command
that makes them re-enumerate as a modem with serial ports. A stick left in
that mode has no AT port at all. Seen in sysfs as:

* a USB device of a modem vendor whose every interface is mass storage
  (``bInterfaceClass`` 08), or whose VENDOR:PRODUCT is a listed storage id
  (``storage_id`` in ``config/modems.toml``);
* a SCSI CD-ROM (``/sys/class/block/sr*``) whose vendor is a modem maker.

Pure reading of the folders it is given (tests pass a fake sysfs tree).
"""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# USB vendor ids of modem makers (the serial bridges of SIM800 boards never have a storage mode).
MODEM_VENDORS = {
    "12d1": "Huawei",
    "19d2": "ZTE",
    "1e0e": "SIMCom",
    "2c7c": "Quectel",
    "1199": "Sierra Wireless",
    "114f": "Wavecom",
    "1bbb": "Alcatel",
    "05c6": "Qualcomm",
}
# What a modem's CD-ROM calls its maker in SCSI INQUIRY (/sys/class/block/srN/device/vendor).
_SCSI_VENDORS = ("HUAWEI", "ZTE", "SIMCOM", "QUECTEL", "SIERRA", "WAVECOM", "ALCATEL", "QUALCOMM")
MASS_STORAGE = "08"


@dataclass(frozen=True)
class StuckStick:
    where: str  # the sysfs name (1-1.2) or the block device (sr0)
    vendor: str  # a maker's name
    usb_id: str | None  # VENDOR:PRODUCT when known
    model: str | None  # what the device calls itself


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


def storage_ids(modems_toml: Path) -> dict[str, str]:
    """``storage_id`` -> model, from the supported modems' list (empty when it cannot be read)."""
    try:
        modems = tomllib.loads(modems_toml.read_text(encoding="utf-8")).get("modems", [])
    except (OSError, tomllib.TOMLDecodeError) as exc:
        log.debug("cannot read %s: %s", modems_toml, exc)
        return {}
    found = {}
    for modem in modems:
        for storage_id in modem.get("storage_ids", ()):
            found[str(storage_id).lower()] = str(modem.get("model", storage_id))
    return found


def stuck_sticks(usb_devices: Path, block_devices: Path, known_storage: dict[str, str]) -> list[StuckStick]:
    """Modem sticks still in their storage mode, from ``/sys/bus/usb/devices`` and ``/sys/class/block``."""
    found: list[StuckStick] = []
    for device in sorted(usb_devices.glob("*")) if usb_devices.is_dir() else []:
        vendor, product = _read(device / "idVendor"), _read(device / "idProduct")
        if not vendor or not product:
            continue  # an interface (1-1:1.0) or a hub port without ids
        usb_id = f"{vendor.lower()}:{product.lower()}"
        classes = {_read(i / "bInterfaceClass") for i in device.glob(f"{device.name}:*")}
        storage_only = bool(classes) and classes <= {MASS_STORAGE}
        if usb_id in known_storage or (vendor.lower() in MODEM_VENDORS and storage_only):
            maker = MODEM_VENDORS.get(vendor.lower()) or known_storage.get(usb_id) or vendor
            found.append(StuckStick(device.name, maker, usb_id, _read(device / "product") or known_storage.get(usb_id)))
    for block in sorted(block_devices.glob("sr*")) if block_devices.is_dir() else []:
        scsi_vendor = (_read(block / "device" / "vendor") or "").upper()
        scsi_maker = next((v for v in _SCSI_VENDORS if scsi_vendor.startswith(v)), None)
        if scsi_maker and not found:
            found.append(StuckStick(block.name, scsi_maker.title(), None, _read(block / "device" / "model")))
    return found
