"""``carttocart payment list|show|accept|refund|export``: payments, their event log, CSV export."""

from __future__ import annotations

import argparse

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.cli.output import add_export_arguments, local_time, table, write_export
from appliance.domain.cards import mask_card
from appliance.domain.errors import NotFound
from appliance.domain.money import format_rial
from appliance.domain.payments import State
from appliance.domain.reasons import plain
from appliance.store.models import Payment


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("payment", help=help_for("payment"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    ls = actions.add_parser("list", help="the latest payments")
    ls.add_argument("--state", choices=[s.value for s in State])
    ls.add_argument("--fid", type=int)
    ls.add_argument("--amount", type=int, help="the price or the unique amount, in Rial")
    ls.add_argument("--limit", type=int, default=50)
    ls.set_defaults(handler=_list)
    show = actions.add_parser("show", help="one payment with its cards, deposits and event log")
    show.add_argument("id", type=int)
    show.set_defaults(handler=_show)
    accept = actions.add_parser(
        "accept", help="accept a late payment (paid_late -> paid), or a partially paid one as paid"
    )
    accept.add_argument("id", type=int)
    accept.add_argument("--note", default="")
    accept.set_defaults(handler=_accept)
    refund = actions.add_parser("refund", help="mark a late (or partially paid) payment's money as refunded")
    refund.add_argument("id", type=int)
    refund.add_argument("--note", default="")
    refund.set_defaults(handler=_refund)
    export = actions.add_parser(
        "export", help="payments created in a Jalali date range, as CSV (UTF-8 with a BOM, for Excel)"
    )
    add_export_arguments(export)
    export.set_defaults(handler=_export)


def _export(args: argparse.Namespace, ctx: CommandContext) -> int:
    from appliance.usecases import export

    first, last = export.date_range(args.first, args.last)
    ctx.service  # noqa: B018 -- opens the store
    write_export(export.payments_csv(first, last, args.lang), args.output)
    return 0


def _list(args: argparse.Namespace, ctx: CommandContext) -> int:
    rows = [
        (
            p.id,
            p.fid,
            format_rial(p.price),
            format_rial(p.amount),
            p.state,
            local_time(p.created_at),
            local_time(p.expires_at),
            local_time(p.paid_at),
        )
        for p in ctx.service.list_payments(args.state, args.fid, args.amount, args.limit)
    ]
    print(table(["id", "fid", "price", "amount", "state", "created", "expires", "paid"], rows))
    return 0


def _show(args: argparse.Namespace, ctx: CommandContext) -> int:
    service = ctx.service
    payment = Payment.get_or_none(Payment.id == args.id)
    if payment is None:
        raise NotFound(f"no payment {args.id}")
    print(f"payment {payment.id}  fid {payment.fid}  state {payment.state}")
    print(f"  price {format_rial(payment.price)} Rial, amount to transfer {format_rial(payment.amount)} Rial")
    print(
        f"  created {local_time(payment.created_at)}, expires {local_time(payment.expires_at)}"
        + (f", paid {local_time(payment.paid_at)}" if payment.paid_at else "")
    )
    if payment.payer_card:
        print(
            f"  payer card {mask_card(payment.payer_card)}"
            + (" (the deposit came from another card)" if payment.payer_card_mismatch else "")
        )
    if payment.callback:
        print(f"  callback {payment.callback}\n  link {service.payment_link(payment.id)}")
    print("  cards: " + ", ".join(f"{mask_card(c.number)} ({c.bank})" for c in service.payment_cards(payment)))
    for part in service.payment_parts(payment):  # a split payment: one transfer per part
        card = service.get_card(part.card_id)
        paid = f"paid {local_time(part.paid_at)}{' (late)' if part.late else ''}" if part.paid_at else "not paid"
        print(f"  part {part.seq}: {format_rial(part.amount)} Rial to {mask_card(card.number)} ({card.bank}), {paid}")
    for d in payment.deposits:
        print(f"  deposit {d.id}: {format_rial(d.amount)} via {d.source}, {d.state} at {local_time(d.transfer_at)}")
    print("  events:")
    print(
        table(
            ["at", "kind", "from", "to", "by", "why"],
            [
                (local_time(e.at), e.kind, e.from_state or "", e.to_state or "", e.actor, plain(e.reason))
                for e in service.events_for("payment", payment.id)
            ],
        )
    )
    return 0


def _accept(args: argparse.Namespace, ctx: CommandContext) -> int:
    payment = ctx.service.accept_late(args.id, "operator:cli", args.note)
    print(f"payment {payment.id} accepted: {payment.state}")
    return 0


def _refund(args: argparse.Namespace, ctx: CommandContext) -> int:
    ctx.service.refund(pay_id=args.id, actor="operator:cli", note=args.note)
    print(f"payment {args.id} refunded")
    return 0
