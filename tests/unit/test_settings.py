import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from appliance.domain.errors import ConfigError
from appliance.settings import Settings, documented_keys, load_settings, settings_from_mapping

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "carttocart.example.toml"


def test_the_example_loads_and_gives_the_defaults():
    settings = load_settings(EXAMPLE, env={})
    assert settings.payments == Settings().payments
    assert settings.server == Settings().server


def test_every_setting_is_documented_in_the_example():
    """Each setting appears in the example (a line, a commented line or a [table]) under a comment.

    Settings on adjacent lines may share the comment above them (min_/max_ groups).
    """
    lines = [line.strip() for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    setting_line = re.compile(r"^(#\s*)?[a-z_]+\s*=")
    missing, undocumented = [], []
    for dotted in documented_keys():
        section, key = dotted.split(".", 1)
        pattern = re.compile(rf"^(#\s*)?({re.escape(key)}\s*=|\[{re.escape(dotted)}\])")
        found = [i for i, line in enumerate(lines) if pattern.match(line)]
        if not found:
            missing.append(dotted)
            continue

        def commented(i: int) -> bool:
            j = i - 1
            while j >= 0 and setting_line.match(lines[j]):  # a group of settings under one comment
                j -= 1
            return j >= 0 and lines[j].startswith("#")

        if not any(commented(i) for i in found):
            undocumented.append(dotted)
    assert not missing, f"settings missing from {EXAMPLE.name}: {missing}"
    assert not undocumented, f"settings without a comment in {EXAMPLE.name}: {undocumented}"


def test_every_problem_is_reported_at_once_with_its_key():
    with pytest.raises(ConfigError) as info:
        settings_from_mapping(
            {
                "payments": {"expire_minutes": "soon", "min_offset": -1, "typo": 1},
                "server": {"listen": "nowhere"},
                "sms": {"balance_policy": "lenient"},
                "modems": [{"name": "a"}],
                "nonsense": {},
            }
        )
    text = "\n".join(info.value.problems)
    for key in (
        "payments.expire_minutes",
        "payments.min_offset",
        "payments.typo",
        "server.listen",
        "sms.balance_policy",
        "modems[0].port",
        "nonsense",
    ):
        assert key in text
    assert len(info.value.problems) == 7


def test_cross_field_problems_are_named():
    with pytest.raises(ConfigError, match="min_offset"):
        settings_from_mapping({"payments": {"min_offset": 100, "max_offset": 10}})


def test_bad_toml_names_the_file_and_line(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text("[payments]\nexpire_minutes = \n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(path, env={})
    assert "not valid TOML" in str(info.value) and "line 2" in str(info.value)


def test_environment_overrides(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[database]\nurl = "sqlite:///a.db"\n', encoding="utf-8")
    settings = load_settings(
        path, env={"CARTTOCART_DATABASE_URL": "postgresql://x@h/db", "CARTTOCART_SECRET_KEY": "k" * 40}
    )
    assert settings.database_url == "postgresql://x@h/db"
    assert settings.security.secret_key == "k" * 40
    settings = load_settings(None, env={"CARTTOCART_CONFIG": str(path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'a.db'}"
    with pytest.raises(ConfigError, match="CARTTOCART_CONFIG"):
        load_settings(None, env={})


def test_settings_are_frozen():
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.payments.expire_minutes = 3  # type: ignore[misc]
    assert tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
