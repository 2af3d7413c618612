"""``carttocart demo``: the product on a fresh machine, on the built-in modem simulator; ``demo-pay`` plays the bank."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.cli.init_cmd import CONFIG_NAME, write_config
from appliance.cli.serve_cmd import _listen, apply_log_level
from appliance.domain.errors import InvalidInput, NotFound
from appliance.runtime import Box, build_service, simulator_paths
from appliance.settings import load_settings
from appliance.store.models import Payment
from appliance.usecases import demo_bank as demo

TOKEN_FILE = "demo-token.txt"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "demo",
        help=help_for("demo"),
        description="First run: writes DIR/carttocart.toml (demo mode), two demo cards and "
        "an API token. Every run: prints the token and serves on the simulator.",
    )
    parser.add_argument("--dir", default=".demo", help="the demo's folder (default: .demo)")
    parser.add_argument("--listen", type=_listen, default="127.0.0.1:8080", metavar="HOST:PORT")
    parser.set_defaults(handler=_demo)
    pay = sub.add_parser("demo-pay", help=help_for("demo-pay"))
    pay.add_argument("pay_id", type=int)
    pay.add_argument("--dir", default=".demo", help="the demo's folder (default: .demo)")
    pay.add_argument("--amount", type=int, help="send this amount instead of the payment's (to see a mismatch)")
    pay.set_defaults(handler=_pay)


def _demo(args: argparse.Namespace, ctx: CommandContext) -> int:
    folder = Path(args.dir)
    config = folder / CONFIG_NAME
    token_file = folder / TOKEN_FILE
    if not config.exists():
        write_config(folder, demo="true", listen=f'"{args.listen}"')
        service = build_service(load_settings(config, env={}))
        demo.add_demo_cards(service)
        _, token = service.add_token("demo", actor="demo")
        token_file.write_text(token + "\n", encoding="utf-8")
        token_file.chmod(0o600)
    settings = load_settings(config, env={})
    token = token_file.read_text(encoding="utf-8").strip()
    base = f"http://{args.listen}"
    print(
        f"""
CartToCart demo — {base}   (settings: {config})
  API token:  {token}
  Create a payment:
    curl -s -X POST {base}/api/create -H 'token: {token}' -d price=120000 -d fid=1 -d callback=http://example.com/back
  Pay it (the simulated bank sends the deposit SMS through the fake modem):
    .venv/bin/carttocart demo-pay PAY_ID --dir {folder}     (or the button on the payment page)
  Check it:
    curl -s '{base}/api/check?pay_id=PAY_ID' -H 'token: {token}'
  Stop with Ctrl-C.
""",
        file=sys.stderr,
        flush=True,
    )
    apply_log_level(settings, ctx)
    return Box(settings, simulate=True).serve(args.listen)


def _pay(args: argparse.Namespace, ctx: CommandContext) -> int:
    from modem.simulator import SimulatorClient

    config = Path(args.dir) / CONFIG_NAME
    if not config.exists():
        raise InvalidInput(f"no demo in {args.dir}: run `carttocart demo --dir {args.dir}` first")
    settings = load_settings(config, env={})
    service = build_service(settings)
    payment = Payment.get_or_none(Payment.id == args.pay_id)
    if payment is None:
        raise NotFound(f"no payment {args.pay_id} in the demo")
    amount, account = demo.next_transfer(service, payment)
    sms = demo.next_deposit_sms(args.amount or amount, service.clock(), account)
    _, control = simulator_paths(settings)
    client = SimulatorClient(control)
    try:
        client.deliver_sms(sms.sender, sms.text)
    except OSError as exc:
        raise InvalidInput(f"the demo is not running (no simulator at {control}): {exc}") from None
    finally:
        client.close()
    print(f"the bank sent from {sms.sender!r}:\n{sms.text}")
    return 0
