"""``carttocart alert``: the owner's alerts (docs/alerts.md): a test on every channel, what is active."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext

if TYPE_CHECKING:
    from appliance.usecases.alerts import AlertCenter


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("alert", help=help_for("alert"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    test = actions.add_parser(
        "test",
        help="send a test alert on every channel: an SMS to alerts.owner_phone (sent by the running service "
        "through its modem), a signed alert.test webhook to each token's URL, the dashboard's banner",
    )
    test.add_argument(
        "--wait",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="wait this long for the running service to send the SMS (0: do not wait); exit 1 if a channel failed",
    )
    test.set_defaults(handler=_test)
    listing = actions.add_parser("list", help="the active alerts and the owner's latest notices (SMS, webhooks)")
    listing.set_defaults(handler=_list)


def _center(ctx: CommandContext) -> AlertCenter:
    from appliance.usecases.alerts import AlertCenter
    from appliance.usecases.webhooks import WebhookQueue

    service = ctx.service
    return AlertCenter(service, send_sms=None, secret_for=WebhookQueue(service).secret_for)


def _test(args: argparse.Namespace, ctx: CommandContext) -> int:
    from appliance.usecases.alerts import PENDING, SENT, SMS, WEBHOOK

    center = _center(ctx)
    a = ctx.settings.alerts
    ids = center.send_test()
    print("banner: the dashboard shows the test alert for 10 minutes")
    if not a.sms or not a.owner_phone:
        print("sms: not sent (set alerts.owner_phone, and alerts.sms = true)")
    if not a.webhook:
        print("webhook: not sent (alerts.webhook = false)")
    center.deliver_due(channels=(WEBHOOK,))  # webhooks go from here; the SMS needs the service's modem
    deadline = time.monotonic() + max(0.0, args.wait)
    notices = [center.notice(i) for i in ids]
    while any(n is not None and n.channel == SMS and n.state == PENDING for n in notices):
        if time.monotonic() >= deadline:
            break
        time.sleep(1.0)  # the running service sends it within ~10 s
        notices = [center.notice(i) for i in ids]
    failed = 0
    for notice in notices:
        if notice is None:
            continue
        what = f"{notice.channel} to {notice.recipient}: {notice.state}"
        if notice.state == PENDING and notice.channel == SMS:
            what += " (the running service sends it; is `carttocart serve` running with a modem?)"
        elif notice.last_error:
            what += f" ({notice.last_error})"
        print(what)
        failed += notice.state != SENT
    if not ids:
        print("no SMS or webhook channel is configured; only the banner shows the test")
    return 1 if failed else 0


def _list(args: argparse.Namespace, ctx: CommandContext) -> int:
    center = _center(ctx)
    active = center.active()
    print(f"{len(active)} active alert(s)")
    for alert in active:
        print(f"  {alert.raised_at.isoformat(timespec='seconds')}  {alert.kind}: {alert.text_en}")
    print("latest notices:")
    for notice in center.notices(20):
        print(
            f"  {notice.created_at.isoformat(timespec='seconds')}  {notice.channel:7} {notice.purpose:8} "
            f"{notice.state:7} {notice.recipient}"
        )
    return 0
