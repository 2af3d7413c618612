"""``carttocart sms parse|test-template|trust-sender|learn|learned``: read bank SMS the way the box
does, check a template, teach the box a sender or a format.

``sms parse`` needs no settings file; with ``--config`` (or
``$CARTTOCART_CONFIG``) it also uses ``[sms.senders]`` and ``sms.templates_dir``
(not what was taught: that is in the box's database). ``trust-sender``,
``learn`` and ``learned`` work on the box's database.
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
from appliance.domain.reasons import parse, plain
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
    trust = actions.add_parser(
        "trust-sender",
        help="this sender is this bank: trust it (pinned with the SMSC its message came through) "
        "and read its held messages again",
    )
    trust.add_argument("message", nargs="?", type=int, help="the held SMS's id (its sender, SMSC and claimed bank)")
    trust.add_argument("--sender", help="the sender, without a message id (then --bank is needed)")
    trust.add_argument("--bank", help="the bank key (mellat, saman...; default: the bank the message reads as)")
    trust.set_defaults(handler=_trust_sender)
    learn = actions.add_parser(
        "learn",
        help="learn the format of an unparsed SMS: without --amount, show what the box finds in it; with it, "
        "save a template and read every stored unparsed SMS again",
    )
    learn.add_argument("message", type=int, help="the unparsed SMS's id (see the dashboard's SMS page)")
    learn.add_argument("--amount", metavar="RIAL", help="the amount the message moves, in Rial, as printed")
    learn.add_argument("--direction", choices=("deposit", "withdrawal"), help="default: what the box found")
    learn.add_argument(
        "--balance", metavar="RIAL", help='the balance it prints (default: what the box found; "none": it prints none)'
    )
    learn.add_argument(
        "--account", help='the merchant\'s account or card as printed (default: what the box found; "none": none)'
    )
    learn.set_defaults(handler=_learn)
    learned = actions.add_parser("learned", help="list the senders and formats the operator taught, with who and when")
    learned.add_argument("--show", type=int, metavar="ID", help="print one learned template's TOML")
    learned.add_argument(
        "--forget", type=int, metavar="ID", help="remove a learned template (what it read stays; new SMS go without it)"
    )
    learned.set_defaults(handler=_learned)


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
        "reason": plain(parsed.reason),
        "reasons": [{"code": r.code, "params": r.params} for r in parse(parsed.reason)],
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
            print(f"ok    {result.sample.source}: {result.parsed.kind.value} ({plain(result.parsed.reason)})")
            continue
        failed += 1
        print(f"FAIL  {result.sample.source}:")
        for problem in result.problems:
            print(f"        {problem}")
    print(f"{len(results) - failed} of {len(results)} samples read as expected")
    return 1 if failed else 0


def _actor() -> str:
    import getpass

    try:
        user = os.environ.get("SUDO_USER") or getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"operator:cli:{user}"


def _teaching(ctx: CommandContext) -> Any:
    from appliance.usecases.sms_intake import build_ingest
    from appliance.usecases.teaching import Teaching

    return Teaching(build_ingest(ctx.service))


def _rial(value: str | None, what: str) -> int | None:
    if value is None or value.strip().lower() in ("", "none"):
        return None
    from appliance.sms.normalize import normalize_digits

    digits = normalize_digits(value).replace(",", "").replace("_", "").strip()
    if not digits.isdigit():
        raise InvalidInput(f"{what} must be a whole number of Rial, got {value!r}")
    return int(digits)


def _print_changes(taught: Any) -> None:
    print(plain(taught.summary))
    for message_id, change in taught.reread.items():
        print(f"  SMS {message_id}: {plain(change)}")
    if not taught.reread:
        print("  no stored message reads otherwise")


def _trust_sender(args: argparse.Namespace, ctx: CommandContext) -> int:
    if args.message is None and not (args.sender and args.bank):
        raise InvalidInput("give a held message's id, or --sender and --bank")
    taught = _teaching(ctx).trust_sender(_actor(), message_id=args.message, sender=args.sender, bank=args.bank)
    _print_changes(taught)
    return 0


def _learn(args: argparse.Namespace, ctx: CommandContext) -> int:
    from appliance.sms.learn import Confirmed

    teaching = _teaching(ctx)
    proposal = teaching.propose(args.message)
    if args.amount is None:
        message = teaching.message(args.message)
        print(
            json.dumps(
                {
                    "message": args.message,
                    "kind": message.kind,
                    "bank": message.bank,
                    "amounts": proposal.amounts,
                    "direction": proposal.direction,
                    "direction_evidence": proposal.direction_evidence,
                    "balance": proposal.balance,
                    "account": proposal.account,
                    "date": proposal.date,
                    "time": proposal.time,
                },
                ensure_ascii=False,
            )
        )
        print(
            "confirm with: carttocart sms learn ID --amount RIAL --direction deposit [--balance RIAL] [--account A]",
            file=sys.stderr,
        )
        return 0
    direction = args.direction or proposal.direction
    if direction is None:
        raise InvalidInput("the message does not say its direction clearly: give --direction")
    balance = proposal.balance if args.balance is None else _rial(args.balance, "--balance")
    account = proposal.account if args.account is None else (None if args.account.lower() == "none" else args.account)
    confirmed = Confirmed(_rial(args.amount, "--amount") or 0, direction, balance, account)
    _print_changes(teaching.learn(args.message, confirmed, _actor()))
    return 0


def _learned(args: argparse.Namespace, ctx: CommandContext) -> int:
    teaching = _teaching(ctx)
    if args.forget is not None:
        print(teaching.forget_template(args.forget, _actor()))
        return 0
    if args.show is not None:
        found = [t for t in teaching.templates() if t.id == args.show]
        if not found:
            raise InvalidInput(f"no learned template {args.show}")
        print(found[0].body, end="")
        return 0
    for s in teaching.senders():
        print(f"sender   {s.sender:<20} {s.bank:<16} by {s.created_by} at {s.created_at.isoformat(timespec='seconds')}")
    for t in teaching.templates():
        print(
            f"template {t.id:<20} {t.bank:<16} by {t.created_by} at {t.created_at.isoformat(timespec='seconds')}"
            f" (from SMS {t.message_id})"
        )
    return 0
