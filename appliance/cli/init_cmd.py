"""``carttocart init [--dir DIR]``: write a settings file and an empty database."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from appliance.box.shipped import example_config_text
from appliance.cli.context import CommandContext
from appliance.domain.errors import InvalidInput
from appliance.domain.security import new_secret_key
from appliance.runtime import open_store
from appliance.settings import load_settings

CONFIG_NAME = "carttocart.toml"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "init",
        help="write a settings file and an empty database; prints the file's path",
        description="Write DIR/carttocart.toml (every setting documented, a fresh secret) "
        "and create its database. Prints the settings file's path.",
    )
    parser.add_argument("--dir", default=".", help="the folder for the settings and the database (default: .)")
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


def _init(args: argparse.Namespace, ctx: CommandContext) -> int:
    path = write_config(Path(args.dir), force=args.force)
    settings = load_settings(path)
    open_store(settings).close()
    print(path.resolve())
    return 0
