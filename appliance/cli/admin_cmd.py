"""``carttocart admin set-password|webhook-secret``: the dashboard's login, a token's webhook signing key."""

from __future__ import annotations

import argparse
import getpass
import sys

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.domain.errors import InvalidInput, NotFound
from appliance.store.models import ApiToken
from appliance.usecases.operator_login import DEFAULT_USER, Accounts


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("admin", help=help_for("admin"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    setpw = actions.add_parser(
        "set-password",
        help="set the dashboard password (asked twice, or from stdin); ends every open dashboard session",
    )
    setpw.add_argument("--username", default=DEFAULT_USER, help=f"the login name (default: {DEFAULT_USER})")
    setpw.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    setpw.set_defaults(handler=_set_password)
    secret = actions.add_parser("webhook-secret", help="print the key a token's webhooks are signed with")
    secret.add_argument("name", help="the token's name")
    secret.set_defaults(handler=_webhook_secret)


def _set_password(args: argparse.Namespace, ctx: CommandContext) -> int:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("new dashboard password: ")
        if getpass.getpass("again: ") != password:
            raise InvalidInput("the two passwords differ")
    _ = ctx.service  # opens and migrates the store
    Accounts(ctx.service.clock).set_password(password, args.username)
    print(f"dashboard password set for {args.username!r}", file=sys.stderr)
    return 0


def _webhook_secret(args: argparse.Namespace, ctx: CommandContext) -> int:
    from appliance.usecases.webhooks import WebhookQueue

    service = ctx.service
    token = ApiToken.get_or_none(ApiToken.name == args.name)
    if token is None:
        raise NotFound(f"no token named {args.name!r}")
    print(WebhookQueue(service).secret_for(token))
    return 0
