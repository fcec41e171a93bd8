"""The demo library's calendar: opening hours, Spring Festival closures, holidays, school terms."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from functools import lru_cache

# China has had no daylight saving since 1991, so a fixed offset is exact and needs no tzdata.
SHANGHAI = timezone(timedelta(hours=8))  # the demo library is in China, whatever the config says
OPEN_HOUR = 9
CLOSE_HOUR = 20
# Spring Festival (正月初一) dates; the library closes on New Year's Eve and the first two days.
SPRING_FESTIVAL: dict[int, date] = {
    y: date(y, m, d)
    for y, m, d in (
        (2015, 2, 19), (2016, 2, 8), (2017, 1, 28), (2018, 2, 16), (2019, 2, 5),
        (2020, 1, 25), (2021, 2, 12), (2022, 2, 1), (2023, 1, 22), (2024, 2, 10),
        (2025, 1, 29), (2026, 2, 17), (2027, 2, 6), (2028, 1, 26), (2029, 2, 13),
        (2030, 2, 3), (2031, 1, 23), (2032, 2, 11), (2033, 1, 31), (2034, 2, 19),
        (2035, 2, 8),
    )
}  # fmt: skip


def spring_festival(year: int) -> date:
    """First day of the lunar new year (table 2015-2035; outside it, about 5 February)."""
    return SPRING_FESTIVAL.get(year, date(year, 2, 5))


@lru_cache(maxsize=8192)  # pure in the date; the plan asks the same days often
def is_closed(day: date) -> bool:
    """True on the days the demo library is closed (Spring Festival eve, days 1 and 2)."""
    festival = spring_festival(day.year)
    return festival - timedelta(days=1) <= day <= festival + timedelta(days=1)


def closed_days(start: date, days: int) -> list[date]:
    """Closed days in [start, start + days), for the executor to load into the calendar."""
    return [d for d in (start + timedelta(days=i) for i in range(days)) if is_closed(d)]


@lru_cache(maxsize=8192)  # pure in the date; the plan asks the same days often
def next_open_day(day: date) -> date:
    """The day itself when open, else the first open day after it."""
    while is_closed(day):
        day += timedelta(days=1)
    return day


@lru_cache(maxsize=8192)  # pure in the date; the plan asks the same days often
def is_public_holiday(day: date) -> bool:
    """New Year's Day, Labour Day week (1-5 May), National Day week (1-7 Oct), Spring Festival."""
    festival = spring_festival(day.year)
    return (
        (day.month, day.day) == (1, 1)
        or (day.month == 5 and day.day <= 5)
        or (day.month == 10 and day.day <= 7)
        or festival <= day <= festival + timedelta(days=6)
    )


@lru_cache(maxsize=8192)  # pure in the date; the plan asks the same days often
def is_school_holiday(day: date) -> bool:
    """Winter holiday (3 weeks before to 2 weeks after Spring Festival) or 10 July - 31 August."""
    festival = spring_festival(day.year)
    winter = festival - timedelta(days=21) <= day <= festival + timedelta(days=14)
    return winter or day.month == 8 or (day.month == 7 and day.day >= 10)


@lru_cache(maxsize=8192)  # pure in the date; the plan asks the same days often
def is_exam_time(day: date) -> bool:
    """Revision and exams (高考 7-10 June, then 中考 and end of term): 10 June - 9 July, 5-15 Jan."""
    summer = (day.month == 6 and day.day >= 10) or (day.month == 7 and day.day < 10)
    return summer or (day.month == 1 and 5 <= day.day <= 15)


def local_instant(day: date, minutes_after_opening: int) -> datetime:
    """The UTC instant `minutes_after_opening` after the library opens on `day` (Shanghai time)."""
    opening = datetime(day.year, day.month, day.day, OPEN_HOUR, tzinfo=SHANGHAI)
    return (opening + timedelta(minutes=minutes_after_opening)).astimezone(UTC)


def local_date(instant: datetime) -> date:
    """The Shanghai calendar date of a UTC instant."""
    return instant.astimezone(SHANGHAI).date()
