"""Kinds kept to the portal and quiet hours decide which channels a notice uses now."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from service.domain.circulation.hold_wait import estimated_wait_days
from service.domain.notices.preferences import NoticeSettings, quiet_until, split_channels

SH = ZoneInfo("Asia/Shanghai")
NIGHT = NoticeSettings(quiet_start=time(22, 0), quiet_end=time(7, 0))


def test_quiet_hours_that_cross_midnight_end_the_next_morning() -> None:
    assert quiet_until(NIGHT, datetime(2026, 3, 2, 23, 30, tzinfo=SH)) == datetime(
        2026, 3, 3, 7, 0, tzinfo=SH)
    assert quiet_until(NIGHT, datetime(2026, 3, 3, 6, 59, tzinfo=SH)) == datetime(
        2026, 3, 3, 7, 0, tzinfo=SH)
    assert quiet_until(NIGHT, datetime(2026, 3, 3, 7, 0, tzinfo=SH)) is None
    lunch = NoticeSettings(quiet_start=time(12, 0), quiet_end=time(14, 0))
    assert quiet_until(lunch, datetime(2026, 3, 3, 13, 0, tzinfo=SH)) is not None
    assert quiet_until(lunch, datetime(2026, 3, 3, 23, 0, tzinfo=SH)) is None


def test_at_night_the_portal_is_told_now_and_e_mail_waits() -> None:
    now, later, until = split_channels(NIGHT, "overdue", ["in_app", "email"],
                                       datetime(2026, 3, 2, 23, 0, tzinfo=SH))
    assert (now, later, until) == (["in_app"], ["email"], datetime(2026, 3, 3, 7, 0, tzinfo=SH))


def test_a_kind_kept_to_the_portal_goes_to_the_portal_only_at_any_hour() -> None:
    muted = NoticeSettings(muted_kinds=frozenset({"due_soon"}))
    noon = datetime(2026, 3, 3, 12, 0, tzinfo=SH)
    assert split_channels(muted, "due_soon", ["in_app", "email"], noon) == (["in_app"], [], None)
    assert split_channels(muted, "overdue", ["in_app", "email"], noon) == (
        ["in_app", "email"], [], None)


def test_a_hold_waits_one_loan_period_per_round_of_the_queue() -> None:
    assert estimated_wait_days(1, 2, 30) == 30
    assert estimated_wait_days(3, 2, 30) == 60
    assert estimated_wait_days(1, 0, 30) is None
