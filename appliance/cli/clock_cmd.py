"""``carttocart clock``: the system clock from the modem's network time while NTP is not synchronised."""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime

from appliance.box import clock
from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.domain.errors import ClockError


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("clock", help=help_for("clock"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    status = actions.add_parser("status", help="say what vouches for the clock (exit 1: nothing)")
    status.set_defaults(handler=_status)
    from_modem = actions.add_parser(
        "from-modem", help="set the clock from the modem's network time (AT+CCLK?) unless NTP is synchronised"
    )
    from_modem.add_argument(
        "--wait",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="keep asking this long: the network sends its time after registration",
    )
    from_modem.set_defaults(handler=_from_modem)


def _status(args: argparse.Namespace, ctx: CommandContext) -> int:
    source = clock.trusted_source()
    print(
        f"clock: {datetime.now(UTC).isoformat(timespec='seconds')}, "
        f"{'trusted (' + source + ')' if source else 'NOT trusted (no NTP, not set from the modem)'}"
    )
    return 0 if source else 1


def _from_modem(args: argparse.Namespace, ctx: CommandContext) -> int:
    modems = [m for m in ctx.settings.modems if m.port]
    if not modems:
        print("clock: no modem with a port configured; nothing to do")
        return 0
    deadline = time.monotonic() + args.wait
    while True:
        if clock.ntp_synchronized():
            print("clock: NTP is synchronised; the modem's time is not needed")
            return 0
        problems = []
        for modem in modems:
            try:
                when = clock.read_modem_clock(modem.port, modem.baudrate, modem.profile)
                clock.check_not_before(when, clock.known_floor())
            except ClockError as exc:
                problems.append(f"{modem.name}: {exc}")
                continue
            now = datetime.now(UTC)
            if clock.needs_setting(when, now, ntp_synchronized=False):
                clock.set_system_clock(when)
                print(f"clock: set from {modem.name} to {when.isoformat()} (was {now.isoformat(timespec='seconds')})")
            else:
                clock.mark_trusted_by_modem(when)
                print(f"clock: agrees with {modem.name} ({when.isoformat()})")
            return 0
        if time.monotonic() >= deadline:
            for problem in problems:
                print(f"clock: {problem}")
            return 1
        time.sleep(5)  # the network sends NITZ some seconds after registration
