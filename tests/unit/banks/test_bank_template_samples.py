"""Each built-in dialect's own samples (the [[sample]] tables of its TOML file) read as they say."""

from __future__ import annotations

import pytest

from appliance.sms.samples import SampleResult, check_samples, sample_reader

RESULTS = list(check_samples(sample_reader()))


def test_every_shipped_dialect_has_samples() -> None:
    reader = sample_reader()
    assert {r.bank for r in RESULTS} == set(reader.banks)
    assert all(reader.dialects[bank].samples for bank in reader.banks)


@pytest.mark.parametrize("result", RESULTS, ids=lambda r: r.sample.source.rsplit("/", 1)[-1])
def test_sample(result: SampleResult) -> None:
    assert result.ok, "\n".join(result.problems)
