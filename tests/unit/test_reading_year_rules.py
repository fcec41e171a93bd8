"""The reading year's small rules: pages from an extent, the longest run of weeks."""

from __future__ import annotations

from datetime import date

from service.application.relationships.reading_year import longest_week_streak, pages_of


def test_pages_come_from_the_extent_in_either_language() -> None:
    assert pages_of("320 p. ; 21 cm") == 320
    assert pages_of("xii, 455 pages") == 455
    assert pages_of("356页") == 356
    assert pages_of("1 v.") is None and pages_of(None) is None


def test_the_longest_streak_counts_consecutive_iso_weeks_and_the_earliest_wins() -> None:
    days = [date(2026, 1, 5), date(2026, 1, 7), date(2026, 1, 12), date(2026, 1, 19),  # 3 weeks
            date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16)]  # 3 weeks, later
    assert longest_week_streak(days) == (3, date(2026, 1, 5), date(2026, 1, 19))
    assert longest_week_streak([date(2026, 12, 31), date(2027, 1, 4)]) == (
        2, date(2026, 12, 28), date(2027, 1, 4))  # across the new year
    assert longest_week_streak([]) == (0, None, None)
