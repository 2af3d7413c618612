"""Where the box keeps what its modems' SIMs said between starts, and reading it back for people.

The file is written by the modem library (:mod:`modem.sim_pin` through
:mod:`modem.state_file`, JSON, atomic) in the box's data folder, next to the
SQLite database (or beside the settings file when the database is
PostgreSQL). The doctor reads it here without the modem library: the layout
is ``{"version": 1, "modems": {"<name>": {"sim": {...}}}}`` with, per SIM,
``state`` (``ready``, ``no_pin``, ``refused``, ``attempts_low``, ``blocked``),
``sim_state`` (what ``AT+CPIN?`` said), ``attempts_left``, ``puk_left``,
``refused_at`` and ``message`` (the plain sentence the service logged). The PIN
itself is never in it: only a salted PBKDF2 digest of a refused one.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from appliance.settings import Settings

log = logging.getLogger(__name__)

STATE_FILE = "modem-state.json"
NETWORK_TIME_FILE = "network-time.json"
# SIM states that need a person: the service will not enter a PIN until the settings change.
NEEDS_A_PERSON = ("no_pin", "refused", "attempts_low", "blocked")


def data_dir(settings: Settings) -> Path:
    """The box's data folder: the SQLite database's, else the settings file's."""
    url = settings.database_url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url[len("sqlite:///") :]).parent
    return settings.base_dir


def state_path(settings: Settings) -> Path:
    return data_dir(settings) / STATE_FILE


def network_time_path(settings: Settings) -> Path:
    return data_dir(settings) / NETWORK_TIME_FILE


def sim_records(path: Path) -> dict[str, dict[str, Any]]:
    """Each modem's SIM record in the state file (empty when there is none or it cannot be read)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("%s cannot be read: %s", path, exc)
        return {}
    modems = data.get("modems") if isinstance(data, dict) else None
    if not isinstance(modems, dict):
        return {}
    return {name: dict(entry.get("sim") or {}) for name, entry in modems.items() if isinstance(entry, dict)}


def describe(record: dict[str, Any]) -> str:
    """A SIM record in one plain sentence (the service's own when it wrote one)."""
    if record.get("message"):
        return str(record["message"])
    state = record.get("state")
    left = record.get("attempts_left")
    tail = f" ({left} PIN attempt(s) left)" if left is not None else ""
    return {
        "no_pin": "the SIM asks for a PIN and none is configured",
        "refused": "the SIM refused the configured PIN; it is not entered again until [[modems]] pin changes",
        "attempts_low": "the SIM has one PIN attempt left; the box will not risk it",
        "blocked": "the SIM is locked behind its PUK; unlock it in a phone",
    }.get(str(state), f"SIM state {state}") + tail
