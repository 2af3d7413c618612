"""The bank's time: Jalali dates with four, two, one or no year digits, in Tehran time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from appliance.domain.reasons import param
from appliance.sms.bank_time import TEHRAN, BadDate, jalali_text, nearest_year, resolve_bank_time


def fields(**kw: str) -> dict[str, str]:
    return kw


@pytest.mark.parametrize(
    ("printed", "reference", "year"),
    [
        ("05", 1405, 1405),
        ("99", 1405, 1399),
        ("4", 1405, 1404),
        ("04", 1405, 1404),
        ("00", 1399, 1400),
        ("99", 1400, 1399),
        ("9", 1401, 1399),
        ("06", 1405, 1406),
    ],
)
def test_short_years_are_the_nearest(printed: str, reference: int, year: int) -> None:
    assert nearest_year(printed, reference) == year


def test_a_full_date_is_an_aware_tehran_time() -> None:
    moment = resolve_bank_time(
        fields(year="1405", month="07", day="14", hour="09", minute="26"), datetime(2026, 10, 6, tzinfo=UTC)
    )
    assert moment == datetime(2026, 10, 6, 9, 26, tzinfo=TEHRAN)
    assert moment is not None and moment.utcoffset() is not None


def test_a_date_without_year_takes_the_year_of_the_smsc_time() -> None:
    smsc = datetime(2026, 9, 18, 7, 0, tzinfo=UTC)  # 1405/06/27 10:30 Tehran
    moment = resolve_bank_time(fields(month="06", day="27", hour="10", minute="18"), smsc)
    assert moment is not None and jalali_text(moment) == "1405/06/27 10:18"


def test_an_esfand_date_received_in_farvardin_is_last_year() -> None:
    smsc = datetime(2027, 3, 21, 6, 0, tzinfo=UTC)  # 1406/01/01 09:30 Tehran
    moment = resolve_bank_time(fields(month="12", day="29", hour="23", minute="55"), smsc)
    assert moment is not None and jalali_text(moment) == "1405/12/29 23:55"


def test_a_few_minutes_of_clock_skew_keep_the_current_year() -> None:
    smsc = datetime(2026, 9, 18, 6, 45, tzinfo=UTC)  # 10:15 Tehran; the bank says 10:18
    moment = resolve_bank_time(fields(month="06", day="27", hour="10", minute="18"), smsc)
    assert moment is not None and jalali_text(moment).startswith("1405/")


def test_seconds_are_kept() -> None:
    moment = resolve_bank_time(
        fields(year="1405", month="6", day="13", hour="10", minute="21", second="55"), datetime(2026, 10, 1, tzinfo=UTC)
    )
    assert moment is not None and jalali_text(moment) == "1405/06/13 10:21:55"


@pytest.mark.parametrize("missing", ["month", "hour"])
def test_no_date_or_no_time_of_day_is_no_bank_time(missing: str) -> None:
    printed = fields(year="1405", month="06", day="31", hour="10", minute="00")
    del printed[missing]
    assert resolve_bank_time(printed, datetime(2026, 10, 1, tzinfo=UTC)) is None


@pytest.mark.parametrize(
    "printed",
    [
        fields(year="1405", month="13", day="01", hour="10", minute="00"),
        fields(year="1405", month="07", day="31", hour="10", minute="00"),  # Mehr has 30 days
        fields(year="1405", month="01", day="01", hour="24", minute="00"),
        fields(year="1405", month="01", day="01", hour="10", minute="60"),
    ],
)
def test_an_impossible_date_is_refused(printed: dict[str, str]) -> None:
    with pytest.raises(BadDate):
        resolve_bank_time(printed, datetime(2026, 10, 1, tzinfo=UTC))


def test_an_impossible_date_leaves_the_sms_unparsed(reader) -> None:  # type: ignore[no-untyped-def]
    parsed = reader.parse("Bank Mellat", "حساب6204718359\nواریز12,750,000\nمانده48,913,402\n05/13/14-09:26")
    assert parsed.kind.value == "unparsed"
    assert "valid date" in str(param(parsed.reason, "layout_mismatch", "problem")), parsed.reason


def test_without_smsc_time_the_reader_uses_its_clock() -> None:
    from appliance.sms import SmsReader

    reader = SmsReader(now=lambda: datetime(2027, 3, 21, 6, 0, tzinfo=UTC))
    parsed = reader.parse("+98700717", "بانک ملی ایران\nانتقال:18,500,000+\nحساب:30417\nمانده:126,944,210\n1229-10:18")
    assert parsed.bank_time is not None and jalali_text(parsed.bank_time) == "1405/12/29 10:18"
