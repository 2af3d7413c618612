"""``carttocart simulate``: run the modem simulator, send it SMS and faults from a terminal.

carttocart simulate --link /tmp/modemsim/ttyUSB2 --profile huawei --control unix:/tmp/modemsim/ctl
carttocart simulate send --control unix:/tmp/modemsim/ctl --sender "bank melli" --text "..."
carttocart simulate fault --control unix:/tmp/modemsim/ctl unplug 2 --new-name ttyUSB3
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from datetime import datetime

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext

ADDRESS_HELP = (
    "the control socket: unix:/path/to/sock or tcp:127.0.0.1:PORT (tcp:127.0.0.1:0 picks a free "
    "port; the one chosen is printed)"
)
FAULTS = {
    "hang": "SECONDS: stop answering for that long",
    "garbage": "HEX: write these bytes to the port (e.g. ff00fe)",
    "unplug": "[SECONDS|never]: pull the plug; back after SECONDS (default 0.5), under --new-name if given",
    "replug": "[NAME]: plug back in after `unplug never`",
    "reboot": "restart: boot messages, settings back to the defaults",
    "brownout": "a power dip: UNDER-VOLTAGE WARNNING, NUL/0xFF bytes, then a reboot",
    "fill-storage": "fill the SMS storage; new SMS wait at the SMSC until a delete frees room",
    "require-pin": "PIN: the SIM asks for this PIN",
    "lose-network": "[SECONDS]: lose the network (for SECONDS, or until restore-network)",
    "restore-network": "get the network back",
    "slow": "SECONDS: answer every command that late (0: normal)",
    "urc-in-answer": "[URC]: put URC (or the next real URC) inside the next answer",
    "urc": "LINE: emit an unsolicited line now",
}


def register(sub: argparse._SubParsersAction) -> None:
    from modem.simulator import PROFILES

    parser = sub.add_parser(
        "simulate",
        help=help_for("simulate"),
        description="Without an action: run a fake modem whose port is the symlink --link, until interrupted. "
        "With send/fault/status: drive a running one through its --control socket.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="faults:\n" + "\n".join(f"  {k:16} {v}" for k, v in FAULTS.items()),
    )
    parser.add_argument("--link", help="the port's path, a symlink to the pty (e.g. /tmp/modemsim/ttyUSB2)")
    parser.add_argument("--profile", default="sim800", choices=sorted(PROFILES), help="the modem family")
    parser.add_argument("--control", metavar="ADDRESS", help=ADDRESS_HELP)
    parser.add_argument("--capacity", type=int, help="slots per SMS storage (default: the profile's)")
    parser.set_defaults(handler=_run)
    send_handler, fault_handler, status_handler = (_reporting(h) for h in (_send, _fault, _status))
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    send = actions.add_parser("send", help="deliver an SMS (split into parts automatically) or a raw PDU")
    send.add_argument("--control", metavar="ADDRESS", required=True, help=ADDRESS_HELP)
    send.add_argument("--sender", help="the sender: a number (+98...) or an alphanumeric ID (bank melli)")
    what = send.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="the message text")
    what.add_argument("--pdu", metavar="HEX", help="a raw SMS-DELIVER PDU (SMSC field included)")
    send.add_argument("--smsc", help="the SMSC address (default +9891100500)")
    send.add_argument("--scts", metavar="ISO", help="the service-centre time, e.g. 2026-03-05T14:25:09+03:30")
    send.add_argument("--encoding", choices=("auto", "gsm7", "ucs2"), default="auto")
    send.add_argument("--ref-bits", type=int, choices=(8, 16), default=8, help="concatenation reference size")
    send.add_argument("--order", metavar="I,J,..", help="the order of the parts, 0-based (e.g. 2,0,1)")
    send.add_argument("--drop", metavar="I,J,..", default="", help="parts that never arrive")
    send.add_argument("--repeat", metavar="I,J,..", default="", help="parts that arrive twice")
    send.set_defaults(handler=send_handler)

    fault = actions.add_parser(
        "fault",
        help="inject a fault (see the list below)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(f"  {k:16} {v}" for k, v in FAULTS.items()),
    )
    fault.add_argument("--control", metavar="ADDRESS", required=True, help=ADDRESS_HELP)
    fault.add_argument("kind", choices=sorted(FAULTS), metavar="KIND")
    fault.add_argument("args", nargs="*", metavar="ARG")
    fault.add_argument("--new-name", help="unplug: come back under this name (a file name or a path)")
    fault.set_defaults(handler=fault_handler)

    status = actions.add_parser("status", help="print the simulator's state as JSON")
    status.add_argument("--control", metavar="ADDRESS", required=True, help=ADDRESS_HELP)
    status.set_defaults(handler=status_handler)


def _run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from modem.simulator import Simulator

    if not args.link:
        print("carttocart simulate: --link PATH is required to run a simulator", file=sys.stderr)
        return 2
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    sim = Simulator(args.link, args.profile, control=args.control, capacity=args.capacity)
    sim.start()
    try:
        print(f"modem simulator ({args.profile}) on {sim.link}", flush=True)
        if sim.control_address:
            print(f"control: {sim.control_address}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0


def _reporting(handler):
    """A control error (no simulator there, a refused request) is a message and exit 1, not a trace."""

    def wrapped(args: argparse.Namespace, ctx: CommandContext) -> int:
        from modem.simulator import ControlError

        try:
            return handler(args, ctx)
        except ControlError as exc:
            print(f"carttocart simulate: {exc}", file=sys.stderr)
            return 1

    return wrapped


def _indexes(value: str | None) -> list[int] | None:
    if value is None:
        return None
    return [int(v) for v in value.split(",") if v.strip()]


def _client(args: argparse.Namespace):  # -> SimulatorClient
    from modem.simulator import SimulatorClient

    return SimulatorClient(args.control)


def _send(args: argparse.Namespace, ctx: CommandContext) -> int:
    with _client(args) as client:
        if args.pdu:
            client.deliver_pdu(args.pdu)
            print(args.pdu.upper())
            return 0
        if not args.sender:
            print("carttocart simulate send: --sender is required with --text", file=sys.stderr)
            return 2
        pdus = client.deliver_sms(
            args.sender,
            args.text,
            smsc=args.smsc,
            scts=datetime.fromisoformat(args.scts) if args.scts else None,
            encoding=args.encoding,
            ref_bits=args.ref_bits,
            order=_indexes(args.order),
            drop=_indexes(args.drop) or [],
            repeat=_indexes(args.repeat) or [],
        )
    for pdu in pdus:
        print(pdu)
    return 0


def _fault(args: argparse.Namespace, ctx: CommandContext) -> int:
    kind, rest = args.kind, args.args
    try:
        with _client(args) as client:
            if kind == "hang":
                client.hang(float(rest[0]))
            elif kind == "garbage":
                client.garbage(bytes.fromhex("".join(rest)))
            elif kind == "unplug":
                after = None if rest and rest[0] == "never" else float(rest[0]) if rest else 0.5
                client.unplug(after, args.new_name)
            elif kind == "replug":
                client.replug(rest[0] if rest else args.new_name)
            elif kind == "reboot":
                client.reboot()
            elif kind == "brownout":
                client.brownout()
            elif kind == "fill-storage":
                print(f"{len(client.fill_storage())} filler messages stored")
            elif kind == "require-pin":
                client.require_pin(rest[0])
            elif kind == "lose-network":
                client.lose_network(float(rest[0]) if rest else None)
            elif kind == "restore-network":
                client.restore_network()
            elif kind == "slow":
                client.slow(float(rest[0]))
            elif kind == "urc-in-answer":
                client.urc_in_answer(" ".join(rest) or None)
            elif kind == "urc":
                client.urc(" ".join(rest))
    except (IndexError, ValueError) as exc:
        print(f"carttocart simulate fault {kind}: bad arguments {rest!r} ({exc}); {FAULTS[kind]}", file=sys.stderr)
        return 2
    return 0


def _status(args: argparse.Namespace, ctx: CommandContext) -> int:
    with _client(args) as client:
        print(json.dumps(client.status(), indent=2))
    return 0
