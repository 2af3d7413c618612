"""Each built-in dialect's own samples (the [[sample]] tables of its TOML file) read as they say."""

from __future__ import annotations

import pytest

from appliance.sms.samples import SampleResult, check_samples, sample_reader

RESULTS = list(check_samples(sample_reader()))


def test_every_shipped_dialect_with_a_known_format_has_samples() -> None:
    """A bank whose format no public source shows ships no sample (none is invented), and so no layout."""
    reader = sample_reader()
    known = {bank for bank in reader.banks if reader.dialects[bank].samples}
    assert {r.bank for r in RESULTS} == known
    for bank in set(reader.banks) - known:
        assert not reader.dialects[bank].layouts and not reader.dialects[bank].senders, bank


@pytest.mark.parametrize("result", RESULTS, ids=lambda r: r.sample.source.rsplit("/", 1)[-1])
def test_sample(result: SampleResult) -> None:
    assert result.ok, "\n".join(result.problems)
