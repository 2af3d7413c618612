"""The bank SMS tests share one reader (loading the templates takes a few milliseconds)."""

from __future__ import annotations

import pytest
from bank_sms_helpers import make_reader

from appliance.sms import SmsReader


@pytest.fixture(scope="session")
def reader() -> SmsReader:
    return make_reader()
