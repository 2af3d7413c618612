"""Checking a template's samples: each sample message must read exactly as its ``expect`` says.

Used by ``carttocart sms test-template`` and by the tests (every built-in
dialect's samples are test cases). A field the sample does not name is
expected to be empty, so a sample pins the whole result, not just its amount.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from appliance.domain.reasons import plain
from appliance.sms.bank_time import jalali_text
from appliance.sms.model import Kind, ParsedSms
from appliance.sms.normalize import normalize_digits
from appliance.sms.reader import SmsReader
from appliance.sms.template import Sample

_FIELDS = (
    "bank",
    "amount_rial",
    "balance_rial",
    "account",
    "counterpart_card",
    "bank_time",
    "channel",
    "settles",
    "sender_trusted",
)


def sample_sender(bank: str) -> str:
    """The stand-in sender for a sample that names none: allow-listed for its bank only."""
    return f"sample-sender-of-{bank}"


@dataclass(frozen=True)
class SampleResult:
    sample: Sample
    bank: str
    parsed: ParsedSms
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _bank_time_text(moment: datetime | None, expected: Any) -> str | None:
    if moment is None:
        return None
    text = jalali_text(moment)
    # A sample with no year ("MM/DD HH:MM") pins the date as printed, not the year the reader chose.
    return text[5:] if isinstance(expected, str) and expected.count("/") == 1 else text


def compare(parsed: ParsedSms, expect: dict[str, Any], bank: str) -> list[str]:
    """What differs between a result and a sample's expectation (empty: it reads as expected)."""
    kind = Kind(expect["kind"])
    wanted: dict[str, Any] = {
        "bank": bank,
        "settles": False,
        "sender_trusted": True,
        **{k: v for k, v in expect.items() if k != "kind"},
    }
    # TOML has no null: "" says "empty" (a sample from a foreign sender whose text no bank claims has no bank).
    wanted = {k: (None if v == "" else v) for k, v in wanted.items()}
    if "account" in wanted and wanted["account"] is not None:
        wanted["account"] = normalize_digits(str(wanted["account"]))
    problems = (
        [f"kind: got {parsed.kind.value}, expected {kind.value} ({plain(parsed.reason)})"]
        if parsed.kind is not kind
        else []
    )
    for name in _FIELDS:
        got: Any = getattr(parsed, name)
        if name == "bank_time":
            got = _bank_time_text(got, wanted.get(name))
        if got != wanted.get(name):
            problems.append(f"{name}: got {got!r}, expected {wanted.get(name)!r}")
    unknown = set(expect) - set(_FIELDS) - {"kind"}
    problems += [f"unknown expect key {key!r}" for key in sorted(unknown)]
    return problems


def sample_reader(**kwargs: Any) -> SmsReader:
    """A reader whose every bank also trusts its stand-in sample sender."""
    banks = SmsReader(**kwargs).banks
    extra = dict(kwargs.pop("extra_senders", {}))
    for bank in banks:
        extra[bank] = [*extra.get(bank, ()), sample_sender(bank)]
    return SmsReader(extra_senders=extra, **kwargs)


def check_samples(
    reader: SmsReader, banks: list[str] | None = None, sources: set[str] | None = None
) -> Iterator[SampleResult]:
    """Every sample of the given banks (default: all), optionally only those from the given template files."""
    for bank, dialect in reader.dialects.items():
        if banks is not None and bank not in banks:
            continue
        for sample in dialect.samples:
            if sources is not None and sample.source.rsplit(" sample #", 1)[0] not in sources:
                continue
            sender = sample.sender if sample.sender is not None else sample_sender(bank)
            parsed = reader.parse(sender, sample.text, sample.smsc_time)
            yield SampleResult(sample, bank, parsed, compare(parsed, dict(sample.expect), bank))


def check_template_file(path: Path, templates_dir: Path | None = None) -> list[SampleResult]:
    """The samples of one template file, read with the built-in dialects plus that file."""
    reader = sample_reader(templates_dir=templates_dir, extra_templates=[path])
    sources = {str(path), str(path.resolve())}
    return list(check_samples(reader, sources=sources))
