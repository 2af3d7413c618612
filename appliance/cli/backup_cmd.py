"""``carttocart backup FILE`` and ``carttocart restore FILE``: the box's database to a file and back."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from appliance.box import backup
from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext


def register(sub: argparse._SubParsersAction) -> None:
    saving = sub.add_parser(
        "backup",
        help=help_for("backup"),
        description="Write a consistent copy of the box's SQLite database to FILE, using SQLite's online "
        "backup: the service may keep running. FILE must not exist.",
    )
    saving.add_argument("file", type=Path, metavar="FILE")
    saving.set_defaults(handler=_backup)
    loading = sub.add_parser(
        "restore",
        help=help_for("restore"),
        description="Check FILE (a sound CartToCart database this version knows), keep the current "
        "database beside it as <db>.before-restore-<time>, copy FILE in and bring its schema up to date. "
        "Stop the service first (systemctl stop carttocart) and start it again afterwards.",
    )
    loading.add_argument("file", type=Path, metavar="FILE")
    loading.set_defaults(handler=_restore)


def _show(label: str, snapshot: backup.Snapshot) -> None:
    print(
        f"{label} {snapshot.path}: schema version {snapshot.schema_version}, {snapshot.payments} payments, "
        f"{snapshot.deposits} deposits, {snapshot.bytes:,} bytes"
    )


def _backup(args: argparse.Namespace, ctx: CommandContext) -> int:
    _show("backed up to", backup.backup(ctx.settings, args.file))
    return 0


def _restore(args: argparse.Namespace, ctx: CommandContext) -> int:
    snapshot, kept = backup.restore(ctx.settings, args.file, dt.datetime.now(dt.UTC))
    if kept:
        print(f"the previous database is kept as {kept}", file=sys.stderr)
    if backup.adopt_link_key(ctx.settings, snapshot):
        print(
            f"{ctx.settings.source}: secret_key emptied, so this box signs payment links with the restored "
            "database's key (links made before the backup keep working)",
            file=sys.stderr,
        )
        ctx.reload_settings()
    _ = ctx.service  # opens the restored database and migrates it to this version's schema
    _show("restored from", snapshot)
    return 0
