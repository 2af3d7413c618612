"""Reassembly: which parts form one message, in what order, with repeats and gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from modem.messages import MISSING_MARK, Part, assemble, dedupe_key, group_key, group_parts, is_ready
from modem.pdu import decode_deliver
from modem.pdu_encode import encode_deliver

T0 = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
LONG = "بانک ملی ایران\nانتقال:18,500,000+\nحساب:30417\nمانده:126,944,210\n0627-10:18 " * 2


def parts_of(
    text: str,
    *,
    sender: str = "+98700717",
    ref: int = 5,
    ref_bits: int = 8,
    scts: datetime | None = None,
    received: datetime = T0,
) -> list[Part]:
    return [
        Part.from_pdu(decode_deliver(p), received_at=received + timedelta(seconds=i))
        for i, p in enumerate(encode_deliver(sender, text, ref=ref, ref_bits=ref_bits, scts=scts))
    ]


def test_out_of_order_and_repeated_parts() -> None:
    parts = parts_of(LONG)
    assert len(parts) == 3
    result = assemble([parts[2], parts[0], parts[2], parts[1], parts[0]])
    assert result.complete and result.text == LONG
    assert result.duplicates == 2 and result.conflicts == ()
    assert [p.concat.seq for p in result.parts] == [1, 2, 3]


def test_missing_part_is_marked() -> None:
    parts = parts_of(LONG)
    result = assemble([parts[0], parts[2]])
    assert not result.complete and result.missing == (2,)
    assert result.text == parts[0].text + MISSING_MARK + parts[2].text


def test_group_keys_separate_messages() -> None:
    a, b = parts_of(LONG, ref=5), parts_of(LONG, ref=6)
    c = parts_of(LONG, ref=5, ref_bits=16)
    d = parts_of(LONG, ref=5, sender="+98700719")
    keys = {group_key(p) for p in a}
    assert len(keys) == 1
    assert keys.isdisjoint({group_key(p) for p in b + c + d})
    groups = group_parts(a + b + c + d)
    assert sorted(len(g) for g in groups.values()) == [3, 3, 3, 3]
    with pytest.raises(ValueError):
        assemble(a + b)


def test_single_part_messages() -> None:
    [one] = parts_of("hello")
    [other] = parts_of("hello", scts=datetime(2026, 1, 1, tzinfo=UTC))
    assert group_key(one) != group_key(other)
    result = assemble([one, one])
    assert result.complete and result.text == "hello" and result.duplicates == 1


def test_dedupe_key_ignores_the_smsc_prefix() -> None:
    [a] = encode_deliver("x", "same", smsc="+9891100500")
    [b] = encode_deliver("x", "same", smsc="+9893511")
    [c] = encode_deliver("x", "other", smsc="+9891100500")
    assert dedupe_key(a) == dedupe_key(b) != dedupe_key(c)


def test_conflicting_repeat_keeps_the_first() -> None:
    first = parts_of(LONG)
    second = parts_of(LONG.replace("18,500,000", "99,999,999"), received=T0 + timedelta(minutes=1))
    result = assemble([second[0], first[0], first[1], first[2]])
    assert result.conflicts == (1,) and result.text == LONG


def test_ready_when_complete_or_after_the_timeout() -> None:
    parts = parts_of(LONG)
    timeout = timedelta(hours=1)
    assert is_ready(parts, T0, timeout)
    assert not is_ready(parts[:2], T0 + timedelta(minutes=59), timeout)
    assert is_ready(parts[:2], T0 + timedelta(hours=1), timeout)
    assert not is_ready([], T0, timeout)
