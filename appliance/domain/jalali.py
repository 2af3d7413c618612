"""The Jalali (Solar Hijri) calendar and Tehran time: what Iranian people read dates in.

Pure arithmetic (the 33-year cycle of the arithmetic calendar, exact for
1178-1633 SH, the years anyone will pay in), no dependency. Iran has kept
UTC+03:30 all year since 2022 (no more daylight saving time).
"""

from __future__ import annotations

import datetime as dt
import re

TEHRAN = dt.timezone(dt.timedelta(hours=3, minutes=30))

MONTHS_FA = (
    "فروردین",
    "اردیبهشت",
    "خرداد",
    "تیر",
    "مرداد",
    "شهریور",
    "مهر",
    "آبان",
    "آذر",
    "دی",
    "بهمن",
    "اسفند",
)
_DIGITS_IN = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_DATE = re.compile(r"^\s*(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$")

_G_DAYS = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


class JalaliDateError(ValueError):
    """A Jalali date that cannot be read, or a day that does not exist."""


def to_jalali(day: dt.date) -> tuple[int, int, int]:
    """A Gregorian date as (year, month, day) of the Jalali calendar."""
    gy, gm, gd = day.year, day.month, day.day
    jy = 979 if gy > 1600 else 0
    gy -= 1600 if gy > 1600 else 621
    gy2 = gy + 1 if gm > 2 else gy
    days = 365 * gy + (gy2 + 3) // 4 - (gy2 + 99) // 100 + (gy2 + 399) // 400 - 80 + gd + _G_DAYS[gm - 1]
    jy += 33 * (days // 12053)
    days %= 12053
    jy += 4 * (days // 1461)
    days %= 1461
    if days > 365:
        jy += (days - 1) // 365
        days = (days - 1) % 365
    if days < 186:
        return jy, 1 + days // 31, 1 + days % 31
    return jy, 7 + (days - 186) // 30, 1 + (days - 186) % 30


def from_jalali(jy: int, jm: int, jd: int) -> dt.date:
    """A Jalali (year, month, day) as a Gregorian date; JalaliDateError when there is no such day."""
    if not (1 <= jm <= 12 and 1 <= jd <= (31 if jm <= 6 else 30)):
        raise JalaliDateError(f"{jy}/{jm}/{jd} is not a day of the Jalali calendar")
    # The first day of the year by the forward conversion, then count days (exact and simple).
    start = dt.date(jy + 621, 3, 18)
    while to_jalali(start) != (jy, 1, 1):
        start += dt.timedelta(days=1)
    offset = (jm - 1) * 31 + (jd - 1) if jm <= 6 else 186 + (jm - 7) * 30 + (jd - 1)
    day = start + dt.timedelta(days=offset)
    if to_jalali(day) != (jy, jm, jd):  # 30 Esfand of a common year
        raise JalaliDateError(f"{jy}/{jm}/{jd} is not a day of the Jalali calendar")
    return day


def parse_jalali(text: str) -> dt.date:
    """``1405/09/10`` (or with - or ., in Persian or Latin digits) as a Gregorian date."""
    found = _DATE.match(text.translate(_DIGITS_IN))
    if not found:
        raise JalaliDateError(f"{text!r} is not a Jalali date like 1405/09/10")
    return from_jalali(int(found[1]), int(found[2]), int(found[3]))


def jalali_text(day: dt.date) -> str:
    """1405/09/10 (Latin digits; the page turns them Persian)."""
    jy, jm, jd = to_jalali(day)
    return f"{jy:04d}/{jm:02d}/{jd:02d}"


def tehran_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(TEHRAN).date()


def day_bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start of FIRST, start of the day after LAST) in Tehran time, as aware datetimes."""
    start = dt.datetime.combine(first, dt.time(), TEHRAN)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), TEHRAN)
    return start, end


def week_start(day: dt.date) -> dt.date:
    """The Saturday that starts DAY's week (the Iranian week runs Saturday to Friday)."""
    return day - dt.timedelta(days=(day.weekday() + 2) % 7)
