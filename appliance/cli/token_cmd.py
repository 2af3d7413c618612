"""``carttocart token add|list|revoke``: the merchant API's tokens."""

from __future__ import annotations

import argparse

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.cli.output import local_time, table
from appliance.usecases.service import TOKEN_SCOPES


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("token", help=help_for("token"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="make a token; prints only the token (shown once, stored hashed)")
    add.add_argument("name", help="who uses it, e.g. the shop's site")
    add.add_argument(
        "--scope",
        action="append",
        choices=TOKEN_SCOPES,
        dest="scopes",
        help="what it may do (repeatable; default: payments). sms: hand in bank SMS over HTTP",
    )
    add.add_argument("--webhook", metavar="URL", help="post every payment state change to this URL")
    add.set_defaults(handler=_add)
    actions.add_parser("list", help="list tokens (never their values)").set_defaults(handler=_list)
    revoke = actions.add_parser("revoke", help="revoke a token by name (a running service refuses it within a second)")
    revoke.add_argument("name")
    revoke.set_defaults(handler=_revoke)


def _add(args: argparse.Namespace, ctx: CommandContext) -> int:
    _, token = ctx.service.add_token(args.name, args.scopes or ["payments"], args.webhook, actor="operator:cli")
    print(token)
    return 0


def _list(args: argparse.Namespace, ctx: CommandContext) -> int:
    rows = [
        (
            t.id,
            t.name,
            t.prefix + "…",
            t.scopes,
            local_time(t.created_at),
            "revoked " + local_time(t.revoked_at) if t.revoked_at else "active",
            t.webhook_url or "",
        )
        for t in ctx.service.list_tokens()
    ]
    print(table(["id", "name", "token", "scopes", "created", "state", "webhook"], rows))
    return 0


def _revoke(args: argparse.Namespace, ctx: CommandContext) -> int:
    ctx.service.revoke_token(args.name, actor="operator:cli")
    print(f"revoked {args.name}")
    return 0
