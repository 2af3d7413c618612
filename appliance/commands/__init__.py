"""The CLI's command groups; each module has ``register(subparsers)``.

A command's handler is ``handler(args, ctx) -> int | None`` where ``ctx`` is a
:class:`~appliance.commands.context.CommandContext` (settings and store, opened
on first use). Output meant for scripts goes to stdout; everything else to stderr.
To add a group: write ``appliance/commands/NAME.py`` with ``register`` and list
it in ``COMMAND_MODULES``.
"""
from appliance.commands import (
    admin, card, clock, config, demo, deposit, doctor, init, payment, provision, serve, simulate, sms, token,
)
from appliance.commands import modem as modem_commands

COMMAND_MODULES = [init, config, token, card, deposit, payment, serve, demo, sms, modem_commands, simulate,
                   provision, doctor, clock, admin]
