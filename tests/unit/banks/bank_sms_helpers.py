"""Helpers for the bank SMS tests: the labelled fixtures and a reader with a fixed clock."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from appliance.sms import SmsReader
from appliance.sms.bank_time import TEHRAN

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "bank_sms.jsonl"
# 1405/07/20 12:00 in Tehran: the SMSC time the fixtures are read with.
SMSC_TIME = datetime(2026, 10, 12, 12, 0, tzinfo=TEHRAN)
# Keshavarzi ships no sender (none is confirmed): the tests configure one, as an operator would.
KESHAVARZI_SENDER = "2000911"
EXTRA_SENDERS = {"keshavarzi": [KESHAVARZI_SENDER]}


def load_fixtures() -> list[dict[str, Any]]:
    return [json.loads(line) for line in FIXTURES.read_text(encoding="utf-8").splitlines() if line.strip()]


FIXTURE_ROWS = load_fixtures()


def fixture_id(row: dict[str, Any]) -> str:
    return str(row["id"])


def make_reader() -> SmsReader:
    return SmsReader(extra_senders=EXTRA_SENDERS, now=lambda: SMSC_TIME)


def sender_for(row: dict[str, Any], reader: SmsReader) -> str | None:
    """The fixture's sender; for one recorded without it (but genuine), one of its bank's senders."""
    if row["sender"] is not None or not row["trusted_sender"]:
        return row["sender"]
    if row["bank"] == "keshavarzi":
        return KESHAVARZI_SENDER
    return reader.dialects[row["bank"]].senders[0]


# The corpus's generators (drift classes, hostile cases) live beside the corpus.
CORPUS_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "bank_sms_corpus"
if str(CORPUS_DIR) not in sys.path:
    sys.path.insert(0, str(CORPUS_DIR))
