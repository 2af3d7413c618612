"""``carttocart provision``: import the settings file from the card's boot partition (first boot)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from appliance.box.provision import provision
from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "provision",
        help=help_for("provision"),
        description="Validate FROM; if valid, write it (over --defaults) atomically to TO and erase the "
        "card's copy; if not, write FROM.error.txt beside it and exit 1.",
    )
    parser.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="FROM",
        help="the file on the boot partition, e.g. /boot/firmware/carttocart.toml",
    )
    parser.add_argument(
        "--to",
        dest="target",
        required=True,
        metavar="TO",
        help="the box's settings file, e.g. /etc/carttocart/config.toml",
    )
    parser.add_argument(
        "--defaults", metavar="FILE", help="settings the image applies under the merchant's (e.g. the database path)"
    )
    parser.set_defaults(handler=_provision)


def _provision(args: argparse.Namespace, ctx: CommandContext) -> int:
    source = Path(args.source)
    if not source.exists():
        print(f"{source}: nothing to import")
        return 0
    result = provision(
        source,
        Path(args.target),
        now=datetime.now(UTC),
        defaults=Path(args.defaults) if args.defaults else None,
    )
    print(f"{source}: imported into {result.target} ({result.fingerprint})")
    for name in result.tunnel_files:
        print(f"tunnel file imported: {name}")
    return 0
