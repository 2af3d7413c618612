"""The ``carttocart`` command: operators and provisioning scripts drive the box with it.

Each command group is a module ``appliance/cli/NAME_cmd.py`` with a
``register(subparsers)`` function, listed in :mod:`appliance.cli.catalog`
(add a new group there). This module imports only the module of the command
being run, loads the settings lazily, and turns errors into a message on
stderr and a non-zero exit.

A command's handler is ``handler(args, ctx) -> int | None`` where ``ctx`` is a
:class:`~appliance.cli.context.CommandContext` (settings and store, opened on
first use). Output meant for scripts goes to stdout; everything else to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from appliance import __version__
from appliance.cli.catalog import COMMANDS
from appliance.cli.context import CommandContext
from appliance.domain.errors import CartToCartError, ConfigError
from appliance.settings import Settings, load_settings
from appliance.store.driver import load_orm_for

log = logging.getLogger(__name__)


EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # as a command SIGPIPE ends (128 + 13): the shell's `| head` stopped reading


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The command word in ``argv`` (after the global options), if any."""
    return _global_words(argv)[0]


def _global_words(argv: Sequence[str]) -> tuple[str | None, str | None]:
    """(the command word, the ``--config`` file) in ``argv``, before the parser reads it."""
    config = None
    words = iter(argv)
    for word in words:
        if word == "--config":
            config = next(words, None)
        elif word.startswith("--config="):
            config = word.partition("=")[2]
        elif not word.startswith("-"):
            return word, config
    return None, config


def _preload_settings(argv: Sequence[str]) -> tuple[str | None, Settings | None]:
    """(the ``--config`` file, its settings) read before the chosen command's module loads, so that Peewee
    loads with the configured store's driver alone (appliance/store/driver.py). ``init`` may open another
    database than the configured one: it loads every driver. A file that does not load is left for the
    command to report."""
    command, config = _global_words(argv)
    if command in (None, "init"):
        return config, None
    try:
        settings = load_settings(config)
    except CartToCartError:
        return config, None
    load_orm_for(settings.database_url)
    return config, settings


def _discard_stdout() -> None:
    """Point stdout at /dev/null: what is still buffered for a reader that left is dropped, not reported."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser: every command listed, and the full parser of the one ``argv`` chooses (only its module loads)."""
    parser = argparse.ArgumentParser(
        prog="carttocart",
        description="CartToCart: confirms card-to-card payments from the bank's SMS.",
        epilog="Run `carttocart COMMAND --help` for a command's options.",
    )
    parser.add_argument("--config", metavar="FILE", help="the settings file (default: $CARTTOCART_CONFIG)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log at DEBUG level to stderr")
    parser.add_argument("--version", action="version", version=f"carttocart {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    chosen = _chosen_command(argv)
    full = COMMANDS[chosen].module if chosen in COMMANDS else None
    for name, command in COMMANDS.items():
        if command.module != full:
            sub.add_parser(name, help=command.help)  # listed in --help and in errors; never parsed
    if full is not None:  # the chosen command's module adds its parsers in full
        importlib.import_module(f"appliance.cli.{full}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    config, settings = _preload_settings(arguments)
    parser = build_parser(arguments)
    args = parser.parse_args(arguments)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx = CommandContext(config_path=args.config, verbose=args.verbose)
    if settings is not None and args.config == config:
        ctx.preloaded(settings)
    try:
        code = int(args.handler(args, ctx) or EXIT_OK)
        sys.stdout.flush()  # a reader that left early (`| head`) shows here, not as a traceback at exit
        return code
    except BrokenPipeError:
        _discard_stdout()
        return EXIT_BROKEN_PIPE
    except ConfigError as exc:
        print(f"carttocart: configuration error{' in ' + exc.source if exc.source else ''}:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_FAILURE
    except CartToCartError as exc:
        print(f"carttocart: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: say so in one line; -v shows the traceback
        if args.verbose:
            raise
        log.debug("internal error", exc_info=True)
        print(
            f"carttocart: internal error ({exc.__class__.__name__}: {exc}); run with -v for the details",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    finally:
        ctx.close()
