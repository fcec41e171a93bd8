"""Branch calendar: the single open-day function, due dates and open-day counting."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.library.calendar import (
    SEARCH_HORIZON_DAYS,
    BranchCalendar,
    CalendarAlwaysClosed,
    CalendarInvalid,
    due_date,
    next_open_day,
    open_days_between,
)

MON = date(2025, 9, 29)  # a Monday
NATIONAL_DAY = frozenset(date(2025, 10, d) for d in range(1, 9))
WEEKENDS_CLOSED = BranchCalendar(closed_weekdays=frozenset({5, 6}))

LOW, HIGH = date(2023, 1, 1), date(2027, 12, 31)


@st.composite
def calendars(draw: st.DrawFn) -> BranchCalendar:
    """Random calendars with at least one open weekday and runs of closed dates."""
    weekdays = draw(st.frozensets(st.integers(0, 6), max_size=6))
    runs = draw(
        st.lists(st.tuples(st.dates(LOW, HIGH), st.integers(1, 40)), max_size=8)
    )
    singles = draw(st.frozensets(st.dates(LOW, HIGH), max_size=30))
    closed = set(singles)
    for start, length in runs:
        closed.update(start + timedelta(days=i) for i in range(length))
    return BranchCalendar(weekdays, frozenset(closed))


days_in_range = st.dates(LOW, HIGH)


def brute_force_open_days(start: date, end: date, cal: BranchCalendar) -> int:
    return sum(
        1 for i in range(1, (end - start).days + 1) if cal.is_open(start + timedelta(days=i))
    )


def test_a_calendar_with_no_closures_is_open_every_day() -> None:
    assert all(BranchCalendar().is_open(MON + timedelta(days=i)) for i in range(14))


def test_a_closed_weekday_and_a_closed_date_are_not_open() -> None:
    cal = BranchCalendar(frozenset({0}), frozenset({date(2025, 10, 1)}))
    assert not cal.is_open(MON)
    assert not cal.is_open(date(2025, 10, 1))
    assert cal.is_open(MON + timedelta(days=1))


def test_a_due_date_on_a_closed_day_moves_to_the_next_open_day() -> None:
    # 30 days after Mon 2025-09-06 is Mon 2025-10-06, inside the National Day closure.
    cal = BranchCalendar(frozenset({0}), NATIONAL_DAY)
    assert due_date(date(2025, 9, 6), 30, cal) == date(2025, 10, 9)


def test_a_due_date_on_an_open_day_stays() -> None:
    assert due_date(MON, 3, WEEKENDS_CLOSED) == date(2025, 10, 2)


def test_a_due_date_falling_on_saturday_moves_to_monday() -> None:
    assert due_date(MON, 5, WEEKENDS_CLOSED) == date(2025, 10, 6)


def test_a_negative_loan_period_is_refused() -> None:
    with pytest.raises(ValueError):
        due_date(MON, -1, WEEKENDS_CLOSED)


def test_a_calendar_closed_on_every_weekday_raises() -> None:
    with pytest.raises(CalendarAlwaysClosed):
        next_open_day(MON, BranchCalendar(frozenset(range(7))))


def test_a_closure_longer_than_the_search_horizon_raises() -> None:
    closed = frozenset(MON + timedelta(days=i) for i in range(SEARCH_HORIZON_DAYS))
    with pytest.raises(CalendarAlwaysClosed):
        next_open_day(MON, BranchCalendar(closed_dates=closed))


def test_a_closure_of_a_whole_year_still_finds_the_day_after() -> None:
    closed = frozenset(MON + timedelta(days=i) for i in range(366))
    assert next_open_day(MON, BranchCalendar(closed_dates=closed)) == MON + timedelta(days=366)


def test_the_all_closed_calendar_raises_calendar_always_closed_which_is_a_value_error() -> None:
    assert issubclass(CalendarAlwaysClosed, ValueError)


def test_open_days_between_skips_weekends_and_holidays() -> None:
    cal = BranchCalendar(frozenset({5, 6}), NATIONAL_DAY)
    # (Mon 09-29, Fri 10-10]: Tue 30 Sep, then 9 and 10 Oct; the rest is holiday or weekend.
    assert open_days_between(MON, date(2025, 10, 10), cal) == 3


def test_open_days_between_is_zero_when_the_end_is_not_after_the_start() -> None:
    assert open_days_between(MON, MON, BranchCalendar()) == 0
    assert open_days_between(MON, MON - timedelta(days=5), BranchCalendar()) == 0


def test_open_days_between_on_an_always_closed_calendar_is_zero() -> None:
    cal = BranchCalendar(frozenset(range(7)))
    assert open_days_between(MON, MON + timedelta(days=30), cal) == 0


def test_a_calendar_round_trips_through_its_dict_form() -> None:
    cal = BranchCalendar(frozenset({6, 0}), NATIONAL_DAY)
    data = cal.to_dict()
    assert data["closed_weekdays"] == [0, 6]
    assert data["closed_dates"][0] == "2025-10-01"
    assert BranchCalendar.from_dict(data) == cal


def test_an_empty_dict_is_an_always_open_calendar() -> None:
    assert BranchCalendar.from_dict({}) == BranchCalendar()


def test_a_malformed_calendar_dict_names_every_bad_field() -> None:
    with pytest.raises(CalendarInvalid) as err:
        BranchCalendar.from_dict(
            {"closed_weekdays": [7], "closed_dates": ["2025-13-01"], "colour": "red"}
        )
    assert set(err.value.problems) == {"closed_weekdays", "closed_dates[0]", "colour"}
    assert "星期" in err.value.messages("zh-CN")["closed_weekdays"]


def test_a_weekday_outside_zero_to_six_is_refused_by_the_constructor() -> None:
    with pytest.raises(CalendarInvalid):
        BranchCalendar(frozenset({9}))


def test_adding_closed_dates_returns_a_new_calendar() -> None:
    cal = WEEKENDS_CLOSED.with_closed_dates([MON])
    assert not cal.is_open(MON)
    assert WEEKENDS_CLOSED.is_open(MON)


@given(calendars(), days_in_range)
def test_next_open_day_is_open_not_earlier_and_nothing_open_is_skipped(
    cal: BranchCalendar, day: date
) -> None:
    result = next_open_day(day, cal)
    assert cal.is_open(result)
    assert result >= day
    gap = (result - day).days
    assert not any(cal.is_open(day + timedelta(days=i)) for i in range(gap))


@given(calendars(), days_in_range)
def test_next_open_day_is_idempotent(cal: BranchCalendar, day: date) -> None:
    once = next_open_day(day, cal)
    assert next_open_day(once, cal) == once


@given(calendars(), days_in_range)
def test_next_open_day_of_an_open_day_is_that_day(cal: BranchCalendar, day: date) -> None:
    if cal.is_open(day):
        assert next_open_day(day, cal) == day
    else:
        assert next_open_day(day, cal) > day


@given(calendars(), days_in_range, st.integers(0, 120))
def test_a_due_date_is_the_first_open_day_on_or_after_start_plus_days(
    cal: BranchCalendar, start: date, days: int
) -> None:
    result = due_date(start, days, cal)
    target = start + timedelta(days=days)
    assert result >= target
    assert cal.is_open(result)
    assert brute_force_open_days(target - timedelta(days=1), result, cal) == 1


@given(calendars(), days_in_range, st.integers(-10, 800))
def test_open_days_between_matches_a_brute_force_count(
    cal: BranchCalendar, start: date, length: int
) -> None:
    end = start + timedelta(days=length)
    assert open_days_between(start, end, cal) == brute_force_open_days(start, end, cal)


@given(days_in_range, st.frozensets(st.dates(LOW, HIGH), max_size=5))
def test_a_calendar_with_every_weekday_closed_always_raises(
    day: date, dates: frozenset[date]
) -> None:
    with pytest.raises(CalendarAlwaysClosed):
        next_open_day(day, BranchCalendar(frozenset(range(7)), dates))


@given(calendars())
def test_every_calendar_round_trips_through_its_dict_form(cal: BranchCalendar) -> None:
    assert BranchCalendar.from_dict(cal.to_dict()) == cal
