"""The command groups of ``carttocart``: each name, the module that implements it, and its one-line help.

The command line imports only the module of the command it runs (a Pi starts
Python slowly: ``carttocart --help`` needs none of them). Each module's
``register(sub)`` adds its full parser, taking its help line from here.
"""

from __future__ import annotations

from typing import NamedTuple


class Command(NamedTuple):
    module: str  # appliance.cli.<module>
    help: str


COMMANDS: dict[str, Command] = {
    "init": Command("init_cmd", "write a settings file and make (or join) a database; prints the file's path"),
    "config": Command("config_cmd", "check or show the settings"),
    "token": Command("token_cmd", "add, list or revoke API tokens"),
    "card": Command("card_cmd", "add, list, disable or enable destination cards"),
    "deposit": Command("deposit_cmd", "record a deposit by hand; review held deposits; export as CSV"),
    "payment": Command("payment_cmd", "list and inspect payments; accept or refund late ones; export as CSV"),
    "backup": Command(
        "backup_cmd", "copy the database to FILE while the service runs (SQLite; PostgreSQL: says how with pg_dump)"
    ),
    "restore": Command("backup_cmd", "replace the database with a backup FILE (stop the service first)"),
    "serve": Command("serve_cmd", "run the service (waitress, threaded)"),
    "demo": Command("demo_cmd", "run a demo box on the built-in modem simulator (SQLite)"),
    "demo-pay": Command("demo_cmd", "in a running demo, make the simulated bank send a payment's deposit SMS"),
    "sms": Command("sms_cmd", "read bank SMS, check bank templates, teach the box a sender or a format"),
    "modem": Command("modem_cmd", "find GSM modems and check one"),
    "simulate": Command(
        "simulate_cmd", "run the modem simulator (a fake modem on a pseudo-terminal) or drive a running one"
    ),
    "provision": Command("provision_cmd", "import carttocart.toml from the boot partition into the box's settings"),
    "doctor": Command("doctor_cmd", "check the box: settings, database, modems, clock, disk, tunnel, API"),
    "clock": Command("clock_cmd", "show whether the clock is trusted, or take it from the modem"),
    "admin": Command("admin_cmd", "the operator's dashboard login; webhook signing keys"),
    "alert": Command("alert_cmd", "the owner's alerts: send a test on every channel, list the active ones"),
}


def help_for(name: str) -> str:
    return COMMANDS[name].help
