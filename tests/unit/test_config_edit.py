import pytest

from appliance.box.config_file import add_modem
from appliance.cli.init_cmd import write_config
from appliance.domain.errors import ConfigError, InvalidInput
from appliance.settings import ModemSettings, load_settings


def test_add_modem_keeps_comments_and_validates(tmp_path):
    path = write_config(tmp_path)
    before = path.read_text(encoding="utf-8")
    add_modem(path, ModemSettings(name="usb", port="/dev/ttyGSM", profile="huawei"))
    after = path.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))
    settings = load_settings(path, env={})
    assert [(m.name, m.port, m.profile) for m in settings.modems] == [("usb", "/dev/ttyGSM", "huawei")]
    with pytest.raises(InvalidInput, match="configured already"):
        add_modem(path, ModemSettings(name="usb", port="/dev/ttyUSB3"))
    with pytest.raises(ConfigError, match="baudrate"):
        add_modem(path, ModemSettings(name="bad", port="/dev/ttyS0", baudrate=12345))
    assert path.read_text(encoding="utf-8") == after  # a refused change leaves the file as it was
