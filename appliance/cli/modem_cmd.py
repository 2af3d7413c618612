"""``carttocart modem add|list|probe``: configure, find and check the modems on this box.

``list`` shows the serial ports that look like GSM modems (USB vendor known),
with their stable /dev/serial/by-id names. ``probe`` opens one port, sets the
modem up as the service would, and prints its identity, SIM state, operator,
signal, storage and what waits in it; nothing is read as new or deleted.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.domain.errors import CartToCartError
from modem.errors import ModemError
from modem.gateway import PROFILES, ModemGateway
from modem.health import assess
from modem.ports import discover


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("modem", help=help_for("modem"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser(
        "add",
        help="add a modem to the settings file ([[modems]])",
        description="Appends a [[modems]] table to the settings file, after checking that "
        "the result is valid. `carttocart modem list` shows the ports.",
    )
    add.add_argument(
        "--port", required=True, help="the AT port; prefer a stable name (/dev/ttyGSM, /dev/serial/by-id/...)"
    )
    add.add_argument("--profile", default="auto", choices=PROFILES, help="modem family (default: detect)")
    add.add_argument("--name", help="a short name for logs and the dashboard (default: modem, modem2, ...)")
    add.add_argument("--usb-id", help="VENDOR:PRODUCT, to find the modem again if its port name changes")
    add.add_argument("--baudrate", type=int, default=115200, help="serial speed (UART HATs)")
    add.add_argument("--rtscts", action="store_true", help="hardware flow control (only if RTS/CTS are wired)")
    add.set_defaults(handler=_add)

    found = actions.add_parser("list", help="serial ports that look like GSM modems (by USB vendor)")
    found.add_argument("--all", action="store_true", help="list every serial port, not only known modem vendors")
    found.add_argument("--json", action="store_true", help="print JSON")
    found.set_defaults(handler=_list)

    probe = actions.add_parser(
        "probe",
        help="open a port and show the modem's identity, SIM, operator, signal and storage",
        description="Opens PORT, initialises the modem as the service would (PDU mode, new-message "
        "notifications) and reports on it. Stored SMS are counted, not deleted. Stop the "
        "service first: the port is opened exclusively.",
    )
    probe.add_argument(
        "--port", required=True, help="the AT port: a path (/dev/ttyUSB2, /dev/serial/by-id/...) or a glob pattern"
    )
    probe.add_argument("--profile", default="auto", choices=PROFILES, help="modem family (default: detect)")
    probe.add_argument("--usb-id", default=None, help="VENDOR:PRODUCT to find the port by if PORT is missing")
    probe.add_argument("--baudrate", type=int, default=115200)
    probe.add_argument("--rtscts", action="store_true", help="hardware flow control (needs RTS/CTS wired)")
    probe.add_argument("--pin", default=None, help="the SIM PIN, if the SIM asks for one")
    probe.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each answer")
    probe.add_argument("--json", action="store_true", help="print JSON")
    probe.set_defaults(handler=_probe)


def _add(args: argparse.Namespace, ctx: CommandContext) -> int:
    from pathlib import Path

    from appliance.box.config_file import add_modem
    from appliance.settings import ModemSettings

    settings = ctx.settings  # validates the current file first
    name = args.name or ("modem" if not settings.modems else f"modem{len(settings.modems) + 1}")
    table = add_modem(
        Path(settings.source),
        ModemSettings(
            name=name,
            port=args.port,
            profile=args.profile,
            baudrate=args.baudrate,
            rtscts=args.rtscts,
            usb_id=args.usb_id or "",
        ),
    )
    print(f"added to {settings.source}:{table}restart the service to start reading it")
    return 0


def _list(args: argparse.Namespace, ctx: CommandContext) -> int:
    ports = discover(include_all=args.all)
    if args.json:
        print(json.dumps([dataclasses.asdict(p) | {"usb_id": p.usb_id} for p in ports], indent=2))
        return 0
    if not ports:
        print("no modem found (try --all to see every serial port)")
        return 0
    for port in ports:
        name = port.by_id or port.device
        print(f"{port.device}\t{port.usb_id or '-'}\t{port.vendor or '?'}\t{port.description}\t{name}")
    return 0


def _probe(args: argparse.Namespace, ctx: CommandContext) -> int:
    gateway = ModemGateway(
        args.port,
        baudrate=args.baudrate,
        rtscts=args.rtscts,
        pin=args.pin,
        profile=args.profile,
        usb_id=args.usb_id,
        command_timeout=args.timeout,
    )
    try:
        gateway.connect()
        try:
            sample = gateway.sample_health()
            stored = gateway.list_stored()
        finally:
            gateway.close()
    except ModemError as exc:
        raise CartToCartError(f"modem probe on {args.port}: {exc}") from exc
    verdict = assess(sample, sample.at)
    report: dict[str, Any] = {
        "port": gateway.device,
        "identity": dataclasses.asdict(gateway.identity),
        "health": dataclasses.asdict(sample),
        "stored_parts": len(stored),
        "undecodable_parts": sum(1 for p in stored if p.pdu is None),
        "can_receive": verdict.can_receive,
        "problems": list(verdict.problems),
    }
    if args.json:
        print(json.dumps(report, indent=2, default=str, ensure_ascii=False))
    else:
        ident, health = report["identity"], report["health"]
        print(f"port:       {report['port']}")
        print(f"modem:      {ident['manufacturer']} {ident['model']} ({ident['revision']}), profile {ident['profile']}")
        print(f"IMEI:       {ident['imei'] or '-'}")
        print(f"SIM:        {health['sim_state']}")
        print(f"network:    {health['registration'] or '-'} {health['operator'] or ''}".rstrip())
        signal = f"{health['signal_dbm']} dBm (CSQ {health['signal_csq']})" if health["signal_dbm"] else "unknown"
        print(f"signal:     {signal}")
        print(
            f"storage:    {health['storage_used']}/{health['storage_total']} used, "
            f"{report['stored_parts']} received SMS part(s) waiting"
        )
        print(
            f"receiving:  {'yes' if verdict.can_receive else 'NO'}"
            + (f" ({'; '.join(verdict.problems)})" if verdict.problems else "")
        )
    return 0 if verdict.can_receive else 1
