"""Overdue fines (calendar-aware, capped, with grace) and replacement charges."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.domain.fines.charges import overdue_fine, replacement_charge
from service.domain.library.calendar import BranchCalendar
from service.domain.library.policy import PolicyRule, default_matrix

RULE = default_matrix().resolve("adult", "book", None)  # 10 fen a day, cap 2000, no grace
OPEN = BranchCalendar()
WEEKENDS_CLOSED = BranchCalendar(frozenset({5, 6}))
FRI = date(2025, 10, 10)


def test_a_return_on_the_due_date_costs_nothing() -> None:
    assert overdue_fine(FRI, FRI, RULE, OPEN) == 0


def test_an_early_return_costs_nothing() -> None:
    assert overdue_fine(FRI, FRI - timedelta(days=3), RULE, OPEN) == 0


def test_each_late_day_costs_the_daily_fine() -> None:
    assert overdue_fine(FRI, FRI + timedelta(days=3), RULE, OPEN) == 30


def test_closed_days_are_not_charged() -> None:
    # Due Friday, back Monday: Saturday and Sunday are closed, only Monday counts.
    assert overdue_fine(FRI, FRI + timedelta(days=3), RULE, WEEKENDS_CLOSED) == 10


def test_a_book_dropped_in_the_return_box_on_a_closed_day_costs_nothing() -> None:
    assert overdue_fine(FRI, FRI + timedelta(days=2), RULE, WEEKENDS_CLOSED) == 0


def test_the_fine_stops_at_the_cap() -> None:
    assert overdue_fine(FRI, FRI + timedelta(days=1000), RULE, OPEN) == 2000


def test_a_return_within_grace_days_costs_nothing() -> None:
    rule = replace(RULE, grace_days=3)
    assert overdue_fine(FRI, FRI + timedelta(days=3), rule, OPEN) == 0


def test_after_grace_days_every_late_day_is_charged() -> None:
    rule = replace(RULE, grace_days=3)
    assert overdue_fine(FRI, FRI + timedelta(days=4), rule, OPEN) == 40


def test_grace_days_count_open_days_only() -> None:
    # Three grace days from Friday: Mon, Tue, Wed (the weekend does not use them up).
    rule = replace(RULE, grace_days=3)
    assert overdue_fine(FRI, date(2025, 10, 15), rule, WEEKENDS_CLOSED) == 0
    assert overdue_fine(FRI, date(2025, 10, 16), rule, WEEKENDS_CLOSED) == 40


def test_a_rule_without_daily_fine_never_charges() -> None:
    staff = default_matrix().resolve("staff", "book", None)
    assert overdue_fine(FRI, FRI + timedelta(days=90), staff, OPEN) == 0


def test_a_lost_copy_costs_its_recorded_price() -> None:
    assert replacement_charge(4850, 5000) == 4850


def test_a_lost_copy_without_a_price_costs_the_default() -> None:
    assert replacement_charge(None, 5000) == 5000
    assert replacement_charge(0, 5000) == 5000


def test_negative_prices_are_refused() -> None:
    with pytest.raises(ValueError):
        replacement_charge(-1, 5000)
    with pytest.raises(ValueError):
        replacement_charge(None, -1)


@st.composite
def rules(draw: st.DrawFn) -> PolicyRule:
    daily = draw(st.integers(0, 500))
    cap = draw(st.integers(daily, 10_000))
    grace = draw(st.integers(0, 10))
    return replace(RULE, daily_fine_fen=daily, fine_cap_fen=cap, grace_days=grace)


calendars = st.builds(
    BranchCalendar,
    st.frozensets(st.integers(0, 6), max_size=6),
    st.frozensets(st.dates(date(2025, 1, 1), date(2026, 12, 31)), max_size=40),
)
due_dates = st.dates(date(2025, 6, 1), date(2025, 12, 31))


@given(rules(), calendars, due_dates, st.integers(-30, 400), st.integers(0, 60))
def test_a_later_return_never_costs_less(
    rule: PolicyRule, cal: BranchCalendar, due: date, offset: int, extra: int
) -> None:
    first = due + timedelta(days=offset)
    later = first + timedelta(days=extra)
    assert overdue_fine(due, first, rule, cal) <= overdue_fine(due, later, rule, cal)


@given(rules(), calendars, due_dates, st.integers(-30, 800))
def test_a_fine_is_never_above_the_cap_nor_negative(
    rule: PolicyRule, cal: BranchCalendar, due: date, offset: int
) -> None:
    fine = overdue_fine(due, due + timedelta(days=offset), rule, cal)
    assert 0 <= fine <= rule.fine_cap_fen


@given(rules(), calendars, due_dates, st.integers(0, 60))
def test_a_return_on_or_before_the_due_date_is_free(
    rule: PolicyRule, cal: BranchCalendar, due: date, early: int
) -> None:
    assert overdue_fine(due, due - timedelta(days=early), rule, cal) == 0


@given(rules(), calendars, due_dates, st.integers(1, 400))
def test_a_fine_below_the_cap_is_a_whole_number_of_daily_fines(
    rule: PolicyRule, cal: BranchCalendar, due: date, offset: int
) -> None:
    fine = overdue_fine(due, due + timedelta(days=offset), rule, cal)
    if rule.daily_fine_fen and fine < rule.fine_cap_fen:
        assert fine % rule.daily_fine_fen == 0
