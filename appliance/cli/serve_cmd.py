"""``carttocart serve``: run the box (API, pages, scheduler, modems) on a production WSGI server."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.runtime import Box, simulator_paths
from appliance.settings import Settings, _host_port


def _listen(value: str) -> str:
    problem = _host_port(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help=help_for("serve"))
    parser.add_argument("--listen", type=_listen, metavar="HOST:PORT", help="override server.listen")
    parser.add_argument(
        "--simulate",
        action="store_true",
        help="read SMS from a built-in modem simulator (beside the settings file) instead of "
        "the configured modems; drive it with `carttocart simulate send`",
    )
    parser.set_defaults(handler=_serve)


def apply_log_level(settings: Settings, ctx: CommandContext) -> None:
    """The service logs at ``logging.level`` (to stderr, which systemd's journal keeps); -v means DEBUG.

    Below DEBUG, APScheduler keeps to its warnings (a missed run) and errors (a job that raised): at INFO it
    tells every run of every job (webhooks' every 5 s): tens of thousands of lines a day on the box's SD card.
    """
    if not ctx.verbose:
        logging.getLogger().setLevel(settings.logging.level)
        if settings.logging.level != "DEBUG":
            logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _serve(args: argparse.Namespace, ctx: CommandContext) -> int:
    settings = ctx.settings
    if args.listen:
        settings = dataclasses.replace(settings, server=dataclasses.replace(settings.server, listen=args.listen))
    apply_log_level(settings, ctx)
    box = Box(settings, simulate=args.simulate)
    if args.simulate:
        _, control = simulator_paths(box.settings)
        print(
            f"modem simulator: send a bank SMS with\n  carttocart simulate send --control {control} "
            "--sender 'Bank Mellat' --text '...'",
            file=sys.stderr,
        )
    return box.serve()
