"""The bank's own time, from the Jalali date and time an SMS prints.

Banks print a full year, two digits (``05`` = 1405), one digit (``4`` = 1404)
or no year at all. A short year is the one nearest to the year the SMS
arrived; a missing year is the year it arrived, or the one before when that
would put the transfer in the future (an Esfand transfer read in Farvardin).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import jdatetime

TEHRAN = ZoneInfo("Asia/Tehran")

# Bank and SMSC clocks disagree by minutes; a date this far ahead of the
# reference still counts as "now" rather than last year.
_CLOCK_SLACK = timedelta(days=1)


class BadDate(ValueError):
    """The printed date or time is not a real Jalali date/time."""


# Calendar conversions are cached: jdatetime is slow (it checks the locale on
# every call) and an SMS stream revisits the same few days.
@lru_cache(maxsize=1024)
def _jalali_year(day: date) -> int:
    return int(jdatetime.date.fromgregorian(date=day).year)


@lru_cache(maxsize=4096)
def _gregorian(year: int, month: int, day: int) -> date:
    gregorian = jdatetime.date(year, month, day).togregorian()
    return date(gregorian.year, gregorian.month, gregorian.day)


def jalali_year_of(moment: datetime) -> int:
    return _jalali_year(moment.astimezone(TEHRAN).date())


def nearest_year(printed: str, reference_year: int) -> int:
    """The year ending in ``printed`` (1-2 digits) nearest to ``reference_year``."""
    modulus: int = 10 ** len(printed)
    value = int(printed)
    base = reference_year - reference_year % modulus + value
    candidates = (base - modulus, base, base + modulus)
    return min(candidates, key=lambda year: (abs(year - reference_year), year))


def _to_tehran(year: int, month: int, day: int, hour: int, minute: int, second: int) -> datetime:
    try:
        gregorian = _gregorian(year, month, day)
        return datetime(gregorian.year, gregorian.month, gregorian.day, hour, minute, second, tzinfo=TEHRAN)
    except ValueError as exc:
        raise BadDate(f"{year}/{month:02}/{day:02} {hour:02}:{minute:02}:{second:02} is not a valid date/time") from exc


def resolve_bank_time(fields: Mapping[str, str | None], reference: datetime) -> datetime | None:
    """An aware Tehran datetime from the captured ``year/month/day/hour/minute/second``.

    ``None`` when the SMS prints no date or no time of day (a date alone is not
    a transfer time: matching then falls back to the SMSC time).
    """
    if not fields.get("month") or not fields.get("day") or not fields.get("hour") or not fields.get("minute"):
        return None
    month, day = int(fields["month"] or 0), int(fields["day"] or 0)
    hour, minute, second = int(fields["hour"] or 0), int(fields["minute"] or 0), int(fields.get("second") or 0)
    reference_year = jalali_year_of(reference)
    year_text = fields.get("year")
    if year_text and len(year_text) >= 3:
        return _to_tehran(int(year_text), month, day, hour, minute, second)
    if year_text:
        return _to_tehran(nearest_year(year_text, reference_year), month, day, hour, minute, second)
    moment = _to_tehran(reference_year, month, day, hour, minute, second)
    if moment > reference + _CLOCK_SLACK:
        moment = _to_tehran(reference_year - 1, month, day, hour, minute, second)
    return moment


def jalali_text(moment: datetime) -> str:
    """``YYYY/MM/DD HH:MM[:SS]`` in Tehran time, as templates' samples write it."""
    local = moment.astimezone(TEHRAN)
    j = jdatetime.datetime.fromgregorian(datetime=local.replace(tzinfo=None))
    text = f"{j.year:04}/{j.month:02}/{j.day:02} {j.hour:02}:{j.minute:02}"
    return text + (f":{j.second:02}" if j.second else "")
