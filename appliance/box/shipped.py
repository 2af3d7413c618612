"""Files that ship with the product (the documented example settings), found in a checkout or an install."""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLE_CONFIG = "carttocart.example.toml"


def config_dir() -> Path:
    """``config/`` of a source checkout (or editable install), else ``<prefix>/share/carttocart/config``."""
    checkout = Path(__file__).resolve().parents[2] / "config"
    if (checkout / EXAMPLE_CONFIG).is_file():
        return checkout
    return Path(sys.prefix) / "share" / "carttocart" / "config"


def example_config_text() -> str:
    return (config_dir() / EXAMPLE_CONFIG).read_text(encoding="utf-8")
