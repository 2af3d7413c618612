"""``carttocart sms parse|test-template``: read bank SMS the way the box does, check a template.

``sms parse`` needs no settings file; with ``--config`` (or
``$CARTTOCART_CONFIG``) it also uses ``[sms.senders]`` and ``sms.templates_dir``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.domain.errors import InvalidInput
from appliance.settings import ENV_CONFIG
from appliance.sms import ParsedSms, SmsReader
from appliance.sms.samples import check_template_file


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("sms", help=help_for("sms"))
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    parse = actions.add_parser(
        "parse", help="read one SMS (or a JSONL file of them); print one JSON result per message"
    )
    parse.add_argument("--sender", help="the sender as the phone shows it (number, short code or name)")
    parse.add_argument("--smsc-time", metavar="ISO", help="the SMSC time (ISO 8601 with offset); default: now")
    parse.add_argument(
        "--jsonl", metavar="FILE", help='one {"sender": ..., "text": ..., "smsc_time": ...} per line ("-": stdin)'
    )
    parse.add_argument("text", nargs="?", help="the message text (default: read from stdin)")
    parse.set_defaults(handler=_parse)
    test = actions.add_parser(
        "test-template", help="check a bank template against its own samples (exit 1 if one fails)"
    )
    test.add_argument("file", help="the template (.toml)")
    test.set_defaults(handler=_test_template)


def _reader(ctx: CommandContext) -> SmsReader:
    """The settings are optional here: used only when a settings file is named."""
    if not (ctx.config_path or os.environ.get(ENV_CONFIG)):
        return SmsReader()
    sms = ctx.settings.sms
    templates_dir = ctx.settings.resolve_path(sms.templates_dir) if sms.templates_dir else None
    return SmsReader(extra_senders=sms.senders, templates_dir=templates_dir)


def _time(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(f"{where}: smsc_time must be ISO 8601, got {value!r}") from exc
    if moment.tzinfo is None:
        raise InvalidInput(f"{where}: smsc_time needs a UTC offset, got {value!r}")
    return moment


def result_json(parsed: ParsedSms) -> dict[str, Any]:
    return {
        "kind": parsed.kind.value,
        "bank": parsed.bank,
        "amount_rial": parsed.amount_rial,
        "balance_rial": parsed.balance_rial,
        "account": parsed.account,
        "counterpart_card": parsed.counterpart_card,
        "bank_time": parsed.bank_time.isoformat() if parsed.bank_time else None,
        "channel": parsed.channel,
        "trusted": parsed.sender_trusted,
        "reason": parsed.reason,
    }


def _messages(args: argparse.Namespace) -> Iterator[tuple[str | None, str, datetime | None]]:
    if args.jsonl is None:
        text = args.text if args.text is not None else sys.stdin.read()
        yield args.sender, text, _time(args.smsc_time, "--smsc-time")
        return
    if args.text is not None or args.sender is not None:
        raise InvalidInput("--jsonl reads sender and text from the file; give no --sender or TEXT with it")
    try:
        lines = (
            sys.stdin.readlines() if args.jsonl == "-" else Path(args.jsonl).read_text(encoding="utf-8").splitlines()
        )
    except OSError as exc:
        raise InvalidInput(f"{args.jsonl}: cannot read: {exc.strerror}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{args.jsonl}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{where}: not JSON: {exc}") from exc
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise InvalidInput(f'{where}: expected an object with a "text" string')
        sender = item.get("sender")
        if sender is not None and not isinstance(sender, str):
            raise InvalidInput(f'{where}: "sender" must be a string or null')
        yield sender, item["text"], _time(item.get("smsc_time"), where)


def _parse(args: argparse.Namespace, ctx: CommandContext) -> int:
    reader = _reader(ctx)
    for sender, text, smsc_time in _messages(args):
        print(json.dumps(result_json(reader.parse(sender, text, smsc_time)), ensure_ascii=False), flush=True)
    return 0


def _test_template(args: argparse.Namespace, ctx: CommandContext) -> int:
    results = check_template_file(Path(args.file))
    if not results:
        print(f"{args.file}: no samples: add [[sample]] tables so the template can be checked", file=sys.stderr)
        return 1
    failed = 0
    for result in results:
        if result.ok:
            print(f"ok    {result.sample.source}: {result.parsed.kind.value} ({result.parsed.reason})")
            continue
        failed += 1
        print(f"FAIL  {result.sample.source}:")
        for problem in result.problems:
            print(f"        {problem}")
    print(f"{len(results) - failed} of {len(results)} samples read as expected")
    return 1 if failed else 0
