"""The command line loads only what the chosen command needs, and its catalog says what each module registers."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

import pytest

from appliance.cli.catalog import COMMANDS
from appliance.cli.main import build_parser


def _loaded_after(argv: list[str]) -> set[str]:
    code = (
        "import json, sys\n"
        "from appliance.cli.main import build_parser\n"
        f"build_parser({argv!r})\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    return set(json.loads(out))


def test_help_loads_no_command_and_no_database():
    loaded = _loaded_after(["--help"])
    assert not {m for m in loaded if m.endswith("_cmd")}
    assert not {"peewee", "bottle", "serial", "waitress"} & loaded


def test_a_command_loads_its_own_module_only():
    loaded = _loaded_after(["card", "list"])
    assert {m for m in loaded if m.endswith("_cmd")} == {"appliance.cli.card_cmd"}
    assert not {"bottle", "serial", "waitress", "apscheduler"} & {m.split(".")[0] for m in loaded}


def test_a_store_command_loads_only_its_stores_driver(db_url: str, tmp_path):
    """On a SQLite box Peewee loads without psycopg2 (and libpq, libssl); a PostgreSQL box gets its driver."""
    config = tmp_path / "carttocart.toml"
    config.write_text(
        f'[database]\nurl = "{db_url}"\n[security]\nsecret_key = "test-secret-key-that-is-long-enough-0123456789"\n'
    )
    code = (
        "import json, sys\n"
        "from appliance.cli.main import main\n"
        f"code = main(['--config', {str(config)!r}, 'card', 'list'])\n"
        "print(json.dumps([code, sorted(sys.modules)]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    code_, loaded = json.loads(done.stdout.splitlines()[-1])
    assert code_ == 0, done.stderr
    assert "peewee" in loaded
    assert ("psycopg2" in loaded) == db_url.startswith("postgresql:")
    assert "urllib.request" not in loaded  # only a webhook's delivery needs it


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_module_registers_its_catalog_entries(name: str):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    importlib.import_module(f"appliance.cli.{COMMANDS[name].module}").register(sub)
    listed = {action.dest: action.help for action in sub._choices_actions}
    assert listed.get(name) == COMMANDS[name].help
    assert set(listed) == {n for n, c in COMMANDS.items() if c.module == COMMANDS[name].module}


def test_the_full_help_lists_every_command():
    text = build_parser(["--help"]).format_help()
    assert all(name in text for name in COMMANDS)
