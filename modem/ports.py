"""Finding modems: serial ports by USB id, by /dev/serial/by-id name, or by a pattern.

A USB modem that is unplugged, reset or browned out re-enumerates, possibly
as ttyUSB3 instead of ttyUSB2 (the old node may still be held open). A port
is therefore named by something stable: a ``/dev/serial/by-id/...`` link, a
glob such as ``/dev/serial/by-id/usb-Quectel*-if02-port0``, or a USB
``VENDOR:PRODUCT`` id; :func:`resolve` turns that into the node to open, each
time a connection is made.
"""

from __future__ import annotations

import glob
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from serial.tools import list_ports

from modem.errors import PortError

log = logging.getLogger(__name__)

BY_ID = Path("/dev/serial/by-id")

# USB vendors of GSM modems and of the USB-serial bridges SIM800 boards use.
KNOWN_VENDORS = {
    0x12D1: "Huawei",
    0x2C7C: "Quectel",
    0x1E0E: "SIMCom",
    0x19D2: "ZTE",
    0x1BC7: "Telit",
    0x1199: "Sierra Wireless",
    0x05C6: "Qualcomm",
    0x2C7D: "Quectel",
    0x1A86: "USB-serial (CH340)",
    0x10C4: "USB-serial (CP210x)",
    0x0403: "USB-serial (FTDI)",
    0x067B: "USB-serial (PL2303)",
}
# Which interface carries AT commands and URCs, when a modem exposes several ports. ZTE MF sticks: 01,
# oFono's "aux" (plugins/udevng.c setup_zte); 03 is the PPP modem (02 on the 0016/0017/0117 models).
_AT_INTERFACE = {0x2C7C: 2, 0x1E0E: 2, 0x19D2: 1}


@dataclass(frozen=True)
class PortInfo:
    device: str  # /dev/ttyUSB2
    by_id: str | None  # /dev/serial/by-id/usb-..., when udev made one
    vid: int | None
    pid: int | None
    serial_number: str | None
    interface: int | None  # the USB interface number, from by-id's "-ifNN"
    description: str
    vendor: str | None  # a known modem or bridge vendor, None if unknown

    @property
    def usb_id(self) -> str | None:
        return f"{self.vid:04x}:{self.pid:04x}" if self.vid is not None and self.pid is not None else None


def _by_id_links(directory: Path = BY_ID) -> dict[str, str]:
    links: dict[str, str] = {}
    if directory.is_dir():
        for link in sorted(directory.iterdir()):
            links[os.path.realpath(link)] = str(link)
    return links


def _interface(by_id: str | None, location: str | None) -> int | None:
    """The USB interface number: by-id names end in ``-ifNN-port0``, pyserial locations in ``:CONFIG.IFACE``."""
    if by_id and "-if" in by_id:
        digits = by_id.rsplit("-if", 1)[1][:2]
        if digits.isdigit():
            return int(digits)
    if location and ":" in location:
        tail = location.rsplit(":", 1)[1].rsplit(".", 1)[-1]
        if tail.isdigit():
            return int(tail)
    return None


def discover(include_all: bool = False) -> list[PortInfo]:
    """Serial ports that look like modems (all serial ports with ``include_all``)."""
    links = _by_id_links()
    found = []
    for port in list_ports.comports():
        by_id = links.get(os.path.realpath(port.device))
        vendor = KNOWN_VENDORS.get(port.vid) if port.vid is not None else None
        if not include_all and vendor is None:
            continue
        found.append(
            PortInfo(
                device=port.device,
                by_id=by_id,
                vid=port.vid,
                pid=port.pid,
                serial_number=port.serial_number,
                interface=_interface(by_id, port.location),
                description=port.description or "",
                vendor=vendor,
            )
        )
    return found


def _parse_usb_id(usb_id: str) -> tuple[int, int, str | None]:
    text = usb_id.strip().lower().removeprefix("usb:")
    pieces = text.split(":")
    if len(pieces) not in (2, 3):
        raise PortError(f"USB id {usb_id!r} is not VENDOR:PRODUCT[:SERIAL] in hex")
    try:
        return int(pieces[0], 16), int(pieces[1], 16), (pieces[2] if len(pieces) == 3 else None)
    except ValueError as exc:
        raise PortError(f"USB id {usb_id!r} is not VENDOR:PRODUCT[:SERIAL] in hex") from exc


def find_by_usb_id(usb_id: str, ports: list[PortInfo] | None = None) -> str | None:
    """The AT port of the modem with this USB id (the vendor's AT interface, else the last port)."""
    vid, pid, serial_number = _parse_usb_id(usb_id)
    ports = discover(include_all=True) if ports is None else ports
    matching = [
        p
        for p in ports
        if p.vid == vid and p.pid == pid and (serial_number is None or (p.serial_number or "").lower() == serial_number)
    ]
    if not matching:
        return None
    wanted = _AT_INTERFACE.get(vid)
    for port in matching:
        if wanted is not None and port.interface == wanted:
            return port.by_id or port.device
    # Huawei and most others: the PCUI/AT port is the last one.
    last = sorted(matching, key=lambda p: (p.interface if p.interface is not None else -1, p.device))[-1]
    return last.by_id or last.device


def resolve(port: str, usb_id: str | None = None) -> str:
    """The device node to open now for a configured ``port`` (a path or a glob) and/or ``usb_id``.

    A path is used if it exists; a glob picks its first match; otherwise the
    USB id is looked up. Raises PortError when nothing matches.
    """
    if port and any(ch in port for ch in "*?["):
        matches = sorted(glob.glob(port))
        if matches:
            return matches[0]
    elif port and os.path.exists(port):
        return port
    if usb_id:
        found = find_by_usb_id(usb_id)
        if found:
            if port:
                log.info("port %s not found; using %s (USB %s)", port, found, usb_id)
            return found
    if port and not usb_id and not any(ch in port for ch in "*?["):
        raise PortError(f"no such port: {port}")
    raise PortError(f"no modem found at {port or '-'}" + (f" nor by USB id {usb_id}" if usb_id else ""))
