"""``carttocart config check|show``: validate the settings file, show what is in force."""
from __future__ import annotations

import argparse
import dataclasses
import json

from appliance.commands.context import CommandContext


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("config", help="check or show the settings")
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
    data = dataclasses.asdict(ctx.settings)
    if data["security"]["secret_key"]:
        data["security"]["secret_key"] = "(set)"
    for modem in data["modems"]:
        if modem["pin"]:
            modem["pin"] = "(set)"
    data["sms"]["senders"] = {k: list(v) for k, v in ctx.settings.sms.senders.items()}
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    return 0
