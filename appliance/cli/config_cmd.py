"""``carttocart config check|show``: validate the settings file, show what is in force."""

from __future__ import annotations

import argparse
import json

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.settings import settings_as_dict


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("config", help=help_for("config"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate the settings file; every problem is listed with its key")
    check.set_defaults(handler=_check)
    show = actions.add_parser("show", help="print the settings in force as JSON (secrets hidden)")
    show.set_defaults(handler=_show)


def _check(args: argparse.Namespace, ctx: CommandContext) -> int:
    settings = ctx.settings
    print(f"{settings.source}: OK")
    return 0


def _show(args: argparse.Namespace, ctx: CommandContext) -> int:
    print(json.dumps(settings_as_dict(ctx.settings), indent=2, ensure_ascii=False))
    return 0
