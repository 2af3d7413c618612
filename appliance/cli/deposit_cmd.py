"""``carttocart deposit add|list|assign|dismiss|refund|export``: record, review and export money that arrived.

An operator records a deposit by hand when its SMS never came, or to
reconcile from the bank statement; it goes through the same matcher as an SMS.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re

import jdatetime

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.cli.output import TEHRAN, add_export_arguments, local_time, rial, table, write_export
from appliance.domain.money import ascii_digits, format_rial
from appliance.domain.reasons import plain
from appliance.usecases.service import DepositState, NewDeposit


def parse_time(text: str) -> dt.datetime:
    """ISO 8601 or a Jalali ``1405/09/07 10:15``; without an offset the time is Tehran's."""
    text = ascii_digits(text).strip()
    jalali = re.fullmatch(r"(1[34]\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", text)
    try:
        if jalali:
            y, m, d, hh, mm, ss = (int(g) if g else 0 for g in jalali.groups())
            value = jdatetime.datetime(y, m, d, hh, mm, ss).togregorian()
        else:
            value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time: {text!r} (use 2026-11-28T10:15, 2026-11-28T10:15+03:30 or 1405/09/07 10:15)"
        ) from None
    return value.replace(tzinfo=TEHRAN) if value.tzinfo is None else value


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("deposit", help=help_for("deposit"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="record a deposit; it goes through the matcher and prints what it settled")
    add.add_argument("--amount", required=True, type=rial, metavar="RIAL")
    add.add_argument("--account", help="the merchant account or card it arrived on (as the bank prints it)")
    add.add_argument("--payer-card", metavar="CARD", help="the payer's card, if known (may be masked)")
    add.add_argument(
        "--at",
        type=parse_time,
        metavar="TIME",
        help="when the transfer happened (default: now); ISO 8601 or Jalali 1405/09/07 10:15",
    )
    add.add_argument("--note", help="why it is recorded by hand")
    add.add_argument("--json", action="store_true", help="print the result as JSON")
    add.set_defaults(handler=_add)
    ls = actions.add_parser("list", help="list deposits (default: those waiting for review)")
    ls.add_argument("--all", action="store_true", help="every deposit, not only those waiting for review")
    ls.set_defaults(handler=_list)
    assign = actions.add_parser("assign", help="settle a held or unmatched deposit against a payment")
    assign.add_argument("deposit", type=int)
    assign.add_argument("payment", type=int)
    assign.add_argument("--note", default="")
    assign.set_defaults(handler=_assign)
    dismiss = actions.add_parser("dismiss", help="close a held or unmatched deposit with a note")
    dismiss.add_argument("deposit", type=int)
    dismiss.add_argument("--note", required=True)
    dismiss.set_defaults(handler=_dismiss)
    refund = actions.add_parser("refund", help="mark a held or late deposit as refunded to its payer")
    refund.add_argument("deposit", type=int)
    refund.add_argument("--note", default="")
    refund.set_defaults(handler=_refund)
    export = actions.add_parser(
        "export", help="deposits received in a Jalali date range, as CSV (UTF-8 with a BOM, for Excel)"
    )
    add_export_arguments(export)
    export.set_defaults(handler=_export)


def _export(args: argparse.Namespace, ctx: CommandContext) -> int:
    from appliance.usecases import export

    first, last = export.date_range(args.first, args.last)
    ctx.service  # noqa: B018 -- opens the store
    write_export(export.deposits_csv(first, last, args.lang), args.output)
    return 0


def _add(args: argparse.Namespace, ctx: CommandContext) -> int:
    outcome = ctx.service.record_deposit(
        NewDeposit(
            amount=args.amount,
            source="manual",
            created_by="operator:cli",
            account=args.account,
            payer_card=args.payer_card,
            bank_time=args.at,
            note=args.note,
        )
    )
    deposit, payment = outcome.deposit, outcome.payment
    result = {
        "deposit": deposit.id,
        "state": deposit.state,
        "reason": plain(deposit.reason),
        "payment": payment.id if payment else None,
        "payment_state": payment.state if payment else None,
        "fid": payment.fid if payment else None,
        "hints": deposit.hints or [],
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    elif payment:
        print(
            f"deposit {deposit.id} settled payment {payment.id} (fid {payment.fid}): {payment.state}"
            f" — {plain(deposit.reason)}"
        )
    else:
        hints = f"; nearest payments: {', '.join(map(str, deposit.hints))}" if deposit.hints else ""
        print(f"deposit {deposit.id} settled nothing: {deposit.state} — {plain(deposit.reason)}{hints}")
    return 0


def _list(args: argparse.Namespace, ctx: CommandContext) -> int:
    states = None if args.all else DepositState.REVIEW
    rows = [
        (
            d.id,
            d.state,
            format_rial(d.amount),
            d.account or "",
            d.source,
            local_time(d.transfer_at),
            d.payment_id or "",
            ",".join(map(str, d.hints or [])),
            plain(d.reason),
        )
        for d in ctx.service.list_deposits(states, limit=200)
    ]
    print(table(["id", "state", "amount", "account", "source", "transfer", "payment", "hints", "reason"], rows))
    return 0


def _assign(args: argparse.Namespace, ctx: CommandContext) -> int:
    payment = ctx.service.assign_deposit(args.deposit, args.payment, "operator:cli", args.note)
    print(f"deposit {args.deposit} settled payment {payment.id}: {payment.state}")
    return 0


def _dismiss(args: argparse.Namespace, ctx: CommandContext) -> int:
    ctx.service.dismiss_deposit(args.deposit, "operator:cli", args.note)
    print(f"deposit {args.deposit} dismissed")
    return 0


def _refund(args: argparse.Namespace, ctx: CommandContext) -> int:
    ctx.service.refund(deposit_id=args.deposit, actor="operator:cli", note=args.note)
    print(f"deposit {args.deposit} marked refunded")
    return 0
