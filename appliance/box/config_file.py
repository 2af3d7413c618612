"""Changing the settings file from the CLI without losing its comments: append, validate, replace atomically."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from appliance.domain.errors import InvalidInput
from appliance.settings import ModemSettings, settings_from_mapping


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def add_modem(path: Path, modem: ModemSettings) -> str:
    """Append a ``[[modems]]`` table for ``modem`` to the settings file; returns the table's text.

    The whole new file is validated with the product's own loader before it
    replaces the old one, so a mistake never leaves a broken settings file.
    """
    text = path.read_text(encoding="utf-8")
    current = tomllib.loads(text)
    if any(m.get("name") == modem.name for m in current.get("modems", [])):
        raise InvalidInput(f"a modem named {modem.name!r} is configured already (use --name)")
    defaults = ModemSettings()
    lines = ["", "[[modems]]"]
    for field in ("name", "port", "profile", "baudrate", "rtscts", "dsrdtr", "pin", "usb_id"):
        value = getattr(modem, field)
        if field in ("name", "port") or value != getattr(defaults, field):
            lines.append(f"{field} = {_toml_value(value)}")
    table = "\n".join(lines) + "\n"
    new_text = text.rstrip("\n") + "\n" + table
    settings_from_mapping(tomllib.loads(new_text), source=str(path))  # raises ConfigError, naming the key
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(new_text, encoding="utf-8")
    os.chmod(tmp, path.stat().st_mode & 0o777)
    os.replace(tmp, path)
    return table
