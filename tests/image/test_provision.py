"""The first-boot import of carttocart.toml from the boot partition (real files, real loader)."""

from __future__ import annotations

import stat
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from appliance.box.provision import dump_toml, provision
from appliance.cli import main
from appliance.domain.errors import ProvisionError
from appliance.settings import load_settings
from tests.image.conftest import REPO

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
DEFAULTS = REPO / "image" / "stage-carttocart" / "01-app" / "files" / "image-defaults.toml"
SECRET = "s3cret-signing-key-0123456789abcdefgh"


@pytest.fixture
def card(tmp_path: Path) -> Path:
    boot = tmp_path / "bootfs"
    boot.mkdir()
    return boot


@pytest.fixture
def etc(tmp_path: Path) -> Path:
    return tmp_path / "etc" / "carttocart"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


VALID = f"""
[box]
name = "Shop «One»"
[security]
secret_key = "{SECRET}"
[[modems]]
name = "sim"
port = "/dev/ttyGSM"
pin = "1234"
"""


def test_a_valid_file_is_imported_over_the_image_defaults_and_erased_from_the_card(card, etc):
    source = write(card / "carttocart.toml", VALID)
    result = provision(source, etc / "config.toml", NOW, defaults=DEFAULTS)

    settings = load_settings(result.target, env={})
    assert settings.box.name == "Shop «One»"
    assert settings.security.secret_key == SECRET
    assert settings.database.url == "sqlite:////var/lib/carttocart/carttocart.db"  # from the image
    assert settings.modems[0].pin == "1234"
    assert stat.S_IMODE(result.target.stat().st_mode) == 0o640
    assert not source.exists()
    applied = (card / "carttocart.toml.applied").read_text(encoding="utf-8")
    assert SECRET not in applied and "1234" not in applied
    assert "Shop «One»" in applied and result.fingerprint in applied
    assert not (card / "carttocart.toml.error.txt").exists()


def test_an_invalid_file_stays_with_an_error_file_and_the_settings_in_force_are_kept(card, etc):
    provision(write(card / "carttocart.toml", VALID), etc / "config.toml", NOW, defaults=DEFAULTS)
    before = (etc / "config.toml").read_bytes()
    source = write(card / "carttocart.toml", '[payments]\nexpire_minutes = "soon"\n[box]\ncolour = "red"\n')

    with pytest.raises(ProvisionError):
        provision(source, etc / "config.toml", NOW, defaults=DEFAULTS)

    error = (card / "carttocart.toml.error.txt").read_text(encoding="utf-8")
    assert "payments.expire_minutes" in error and "box.colour" in error
    assert source.exists()
    assert (etc / "config.toml").read_bytes() == before
    assert not list(etc.glob(".*"))  # no temporary file left behind


def test_a_file_that_is_not_toml_gets_an_error_file(card, etc):
    source = write(card / "carttocart.toml", "[box\nname = 1\n")
    with pytest.raises(ProvisionError):
        provision(source, etc / "config.toml", NOW)
    assert "not valid TOML" in (card / "carttocart.toml.error.txt").read_text(encoding="utf-8")
    assert not (etc / "config.toml").exists()


def test_editing_the_card_again_reprovisions_and_clears_the_old_error(card, etc):
    write(card / "carttocart.toml.error.txt", "old")
    provision(write(card / "carttocart.toml", VALID), etc / "config.toml", NOW, defaults=DEFAULTS)
    provision(
        write(card / "carttocart.toml", '[box]\nname = "Shop Two"\n'), etc / "config.toml", NOW, defaults=DEFAULTS
    )
    settings = load_settings(etc / "config.toml", env={})
    assert settings.box.name == "Shop Two"
    assert settings.security.secret_key == ""  # a re-provisioning replaces, it does not merge with the old
    assert not (card / "carttocart.toml.error.txt").exists()


def test_tunnel_files_are_imported_private_and_erased_from_the_card(card, etc):
    write(card / "carttocart-wireguard.conf", "[Interface]\nPrivateKey = abc=\n")
    result = provision(write(card / "carttocart.toml", VALID), etc / "config.toml", NOW)
    imported = etc / "tunnel" / "c2c-wg.conf"
    assert result.tunnel_files == ("c2c-wg.conf",)
    assert imported.read_text() == "[Interface]\nPrivateKey = abc=\n"
    assert stat.S_IMODE(imported.stat().st_mode) == 0o600
    assert not (card / "carttocart-wireguard.conf").exists()


def test_the_cli_exits_1_on_an_invalid_file_and_0_when_there_is_nothing(card, etc, capsys):
    target = str(etc / "config.toml")
    assert main(["provision", "--from", str(card / "carttocart.toml"), "--to", target]) == 0
    write(card / "carttocart.toml", "[box]\ndemo = 3\n")
    assert main(["provision", "--from", str(card / "carttocart.toml"), "--to", target]) == 1
    assert "error.txt" in capsys.readouterr().err


def test_the_boot_example_is_valid_over_the_image_defaults(card, etc):
    """Tier 1: the example a merchant copies is parsed and validated by the product itself."""
    example = (REPO / "config" / "carttocart.boot.example.toml").read_text(encoding="utf-8")
    result = provision(write(card / "carttocart.toml", example), etc / "config.toml", NOW, defaults=DEFAULTS)
    settings = load_settings(result.target, env={})
    assert settings.clock.require_trusted is True
    assert settings.server.listen == "0.0.0.0:8080"


def test_the_written_toml_reads_back_identically():
    data = {
        "box": {"name": 'quote " back\\slash\nnew «line»', "demo": False},
        "sms": {"senders": {"mellat": ["Bank Mellat", "6104"], "weird key": []}},
        "modems": [{"name": "a", "baudrate": 115200}, {"name": "b", "rtscts": True}],
    }
    assert tomllib.loads(dump_toml(data)) == data
