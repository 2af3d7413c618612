"""``carttocart init [--dir DIR] [--database-url URL]``: write a settings file and make or join a database.

With ``--database-url`` naming a database that other boxes already use (a
fleet on PostgreSQL), the new box joins it: it says so, takes the fleet's
payment-link key from the database (no ``secret_key`` of its own) and gets
its own ``[box] id``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from appliance.box.shipped import example_config_text
from appliance.cli.catalog import help_for
from appliance.cli.context import CommandContext
from appliance.domain.errors import InvalidInput, SchemaTooNew
from appliance.domain.security import new_secret_key
from appliance.runtime import open_store
from appliance.settings import load_settings
from appliance.store.database import open_database
from appliance.store.migrations import current_version, latest
from appliance.store.models import Payment
from appliance.usecases.fleet import default_box_id, fleet_summary, redact_url
from appliance.usecases.service import PaymentService

CONFIG_NAME = "carttocart.toml"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "init",
        help=help_for("init"),
        description="Write DIR/carttocart.toml (every setting documented, a fresh secret) "
        "and create its database. Prints the settings file's path.",
    )
    parser.add_argument("--dir", default=".", help="the folder for the settings and the database (default: .)")
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="the database to use (default: a SQLite file beside the settings); naming one that other boxes use "
        "joins their fleet",
    )
    parser.add_argument("--box-id", metavar="ID", help="this box's identity in a fleet (default: host name + 4 hex)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing settings file")
    parser.set_defaults(handler=_init)


def write_config(folder: Path, force: bool = False, **replacements: str) -> Path:
    """Write the documented example settings with a fresh secret (and any ``key = value`` replacements)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / CONFIG_NAME
    if path.exists() and not force:
        raise InvalidInput(f"{path} exists already (use --force to overwrite it)")
    text = example_config_text()
    replacements = {"secret_key": f'"{new_secret_key()}"', **replacements}
    for key, value in replacements.items():
        text, found = re.subn(rf"(?m)^{re.escape(key)} = .*$", f"{key} = {value}", text, count=1)
        if not found:
            raise ValueError(f"the example settings have no line for {key}")
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)  # it holds the secret key
    return path


def _existing_fleet(url: str) -> tuple[int, int, list[str]] | None:
    """(schema version, payments, boxes) of a CartToCart database at ``url``; None when there is none yet."""
    db = open_database(url)
    try:
        with db.connection_context():
            version = current_version(db)
            if version == 0:
                return None
            if version > latest():
                raise SchemaTooNew(
                    f"{url} is at schema version {version}, newer than this CartToCart knows ({latest()}): "
                    "install the fleet's version on this box first"
                )
            payments, boxes = fleet_summary() if version >= 4 else (Payment.select().count(), [])
            return version, payments, boxes
    finally:
        db.close()


def _init(args: argparse.Namespace, ctx: CommandContext) -> int:
    replacements = {"id": f'"{args.box_id or default_box_id()}"'}
    if args.database_url:
        replacements["url"] = json.dumps(args.database_url)
        fleet = _existing_fleet(args.database_url)
        if fleet is not None:
            version, payments, boxes = fleet
            replacements["secret_key"] = '""'  # the fleet's key, kept in the database
            print(
                f"joining the database at {redact_url(args.database_url)}: schema version {version}, "
                f"{payments} payments, boxes {', '.join(boxes) or '(none running yet)'}; this box uses the "
                "fleet's payment-link key",
                file=sys.stderr,
            )
    path = write_config(Path(args.dir), force=args.force, **replacements)
    settings = load_settings(path)
    db = open_store(settings)
    try:
        # The payment-link key goes into the database now, so every box that joins it later uses the same.
        _ = PaymentService(settings).secret
    finally:
        db.close()
    print(path.resolve())
    return 0
