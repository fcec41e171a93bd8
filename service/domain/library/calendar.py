"""Branch opening calendar and the one open-day function every date rule uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from service.domain.i18n import UNKNOWN_FIELD, FieldProblems, Message

# Longest run of closed days we search through: a full (leap) year of closed dates plus one
# week, so any calendar with an open weekday and at most a year of closures finds a day.
SEARCH_HORIZON_DAYS = 366 + 7
ALL_WEEKDAYS = frozenset(range(7))


class CalendarAlwaysClosed(ValueError):
    """No open day exists within the search horizon (e.g. every weekday is closed)."""


class CalendarInvalid(FieldProblems):
    """A calendar definition is malformed; ``problems`` maps field -> bilingual message."""


_BAD_WEEKDAY = Message(
    en="weekdays are numbers 0 (Monday) to 6 (Sunday)",
    zh="星期须为 0（周一）到 6（周日）的整数",
)
_BAD_DATE = Message(
    en="dates must be ISO strings like 2025-10-01", zh="日期须为 ISO 格式，如 2025-10-01"
)
_BAD_LIST = Message(en="must be a list", zh="必须是列表")


@dataclass(frozen=True)
class BranchCalendar:
    """Days a branch is closed: weekly closed weekdays (0=Monday..6=Sunday) and single dates."""

    closed_weekdays: frozenset[int] = frozenset()
    closed_dates: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Accept any iterable from callers but store frozensets so the value stays hashable.
        object.__setattr__(self, "closed_weekdays", frozenset(self.closed_weekdays))
        object.__setattr__(self, "closed_dates", frozenset(self.closed_dates))
        if any(type(d) is not int or not 0 <= d <= 6 for d in self.closed_weekdays):
            raise CalendarInvalid({"closed_weekdays": _BAD_WEEKDAY})
        if any(not isinstance(d, date) for d in self.closed_dates):
            raise CalendarInvalid({"closed_dates": _BAD_DATE})

    @property
    def always_closed(self) -> bool:
        """True when every weekday is closed, so no day can ever be open."""
        return self.closed_weekdays >= ALL_WEEKDAYS

    def is_open(self, day: date) -> bool:
        """Whether the branch is open on ``day``."""
        return day.weekday() not in self.closed_weekdays and day not in self.closed_dates

    def to_dict(self) -> dict[str, list[Any]]:
        """JSON-friendly, sorted form for events (dates as ISO strings)."""
        return {
            "closed_weekdays": sorted(self.closed_weekdays),
            "closed_dates": [d.isoformat() for d in sorted(self.closed_dates)],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BranchCalendar:
        """Parse ``to_dict`` output; missing keys mean no closures; raises CalendarInvalid."""
        problems: dict[str, Message] = {}
        weekdays = data.get("closed_weekdays", [])
        raw_dates = data.get("closed_dates", [])
        if not isinstance(weekdays, list):
            problems["closed_weekdays"] = _BAD_LIST
        elif any(type(d) is not int or not 0 <= d <= 6 for d in weekdays):
            problems["closed_weekdays"] = _BAD_WEEKDAY
        dates: list[date] = []
        if not isinstance(raw_dates, list):
            problems["closed_dates"] = _BAD_LIST
        else:
            for i, text in enumerate(raw_dates):
                try:
                    dates.append(date.fromisoformat(text))
                except (TypeError, ValueError):
                    problems[f"closed_dates[{i}]"] = _BAD_DATE
        unknown = set(data) - {"closed_weekdays", "closed_dates"}
        for key in sorted(unknown):
            problems[key] = UNKNOWN_FIELD
        if problems:
            raise CalendarInvalid(problems)
        return cls(frozenset(weekdays), frozenset(dates))

    def with_closed_dates(self, extra: Iterable[date]) -> BranchCalendar:
        """A copy with more closed dates (e.g. a holiday added by the librarian)."""
        return BranchCalendar(self.closed_weekdays, self.closed_dates | frozenset(extra))


def next_open_day(day: date, calendar: BranchCalendar) -> date:
    """Return ``day`` if the branch is open then, else the next open day after it."""
    if calendar.always_closed:
        raise CalendarAlwaysClosed("every weekday is closed")
    for offset in range(SEARCH_HORIZON_DAYS):
        candidate = day + timedelta(days=offset)
        if calendar.is_open(candidate):
            return candidate
    raise CalendarAlwaysClosed(f"no open day within {SEARCH_HORIZON_DAYS} days of {day}")


def due_date(start: date, days: int, calendar: BranchCalendar) -> date:
    """Due date of a loan (or pickup deadline) ``days`` after ``start``, moved to an open day."""
    if days < 0:
        raise ValueError("days must not be negative")
    return next_open_day(start + timedelta(days=days), calendar)


def open_days_between(start: date, end: date, calendar: BranchCalendar) -> int:
    """Number of open days in the half-open interval (start, end]; 0 when end <= start."""
    total = (end - start).days
    if total <= 0:
        return 0
    weeks, rest = divmod(total, 7)
    # Each full week contains every weekday exactly once.
    count = weeks * (7 - len(calendar.closed_weekdays))
    first_rest = start + timedelta(days=weeks * 7)
    count += sum(
        1
        for offset in range(1, rest + 1)
        if (first_rest + timedelta(days=offset)).weekday() not in calendar.closed_weekdays
    )
    # Closed single dates only remove a day that the weekday rule left open.
    count -= sum(
        1
        for d in calendar.closed_dates
        if start < d <= end and d.weekday() not in calendar.closed_weekdays
    )
    return count
