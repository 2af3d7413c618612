"""``carttocart card add|list|disable|enable``: the destination cards offered to customers."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.cli.output import rial, table
from appliance.domain.cards import mask_card
from appliance.domain.money import format_rial


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("card", help=help_for("card"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a destination card")
    add.add_argument("--number", required=True, help="the 16-digit card number")
    add.add_argument("--holder", required=True, help="the holder's name, as customers see it")
    add.add_argument("--bank", help="the bank's name (default: from the card's first six digits)")
    add.add_argument("--account", help="the account number as the bank's SMS prints it")
    add.add_argument("--daily-limit", type=rial, metavar="RIAL", help="stop offering the card past this daily sum")
    add.add_argument("--daily-count", type=int, metavar="N", help="stop offering the card past N deposits a day")
    add.set_defaults(handler=_add)
    actions.add_parser("list", help="list cards with today's use").set_defaults(handler=_list)
    for name, active in (("disable", False), ("enable", True)):
        cmd = actions.add_parser(name, help=f"{name} a card (by id, full number or last four digits)")
        cmd.add_argument("card")
        cmd.set_defaults(handler=_setter(active))


def _add(args: argparse.Namespace, ctx: CommandContext) -> int:
    card = ctx.service.add_card(
        args.number, args.holder, args.bank, args.account, args.daily_limit, args.daily_count, actor="operator:cli"
    )
    print(f"added card {card.id}: {mask_card(card.number)} {card.holder} ({card.bank})")
    return 0


def _list(args: argparse.Namespace, ctx: CommandContext) -> int:
    usage = ctx.service.card_usage_today()
    rows = []
    for c in ctx.service.list_cards():
        total, count = usage.get(c.id, (0, 0))
        limit = f"{format_rial(c.daily_limit_rial)}" if c.daily_limit_rial else "-"
        rows.append(
            (
                c.id,
                c.number,
                c.holder,
                c.bank,
                c.account or "",
                "active" if c.active else "disabled",
                f"{format_rial(total)} / {limit}",
                f"{count} / {c.daily_limit_count or '-'}",
            )
        )
    print(table(["id", "number", "holder", "bank", "account", "state", "today (Rial)", "today (count)"], rows))
    return 0


def _setter(active: bool) -> Callable[[argparse.Namespace, CommandContext], int]:
    def handler(args: argparse.Namespace, ctx: CommandContext) -> int:
        card = ctx.service.set_card_active(args.card, active, actor="operator:cli")
        print(f"card {card.id} ({mask_card(card.number)}) {'enabled' if active else 'disabled'}")
        return 0

    return handler
