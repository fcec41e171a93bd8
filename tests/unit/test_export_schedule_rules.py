"""Scheduled-export rules: every field checked in zh-CN and en, periods, the due moment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from service.data.exporting.schedule_rules import (
    ScheduleSettings,
    delivery_moment,
    due_period,
    parse_settings,
    period_key,
    safe_folder,
)
from service.domain.i18n import FieldProblems

KINDS = ("loans", "payments", "catalogue")
WEEKLY = {"name": "每周逾期", "kind": "loans", "format": "xlsx", "cadence": "weekly",
          "weekday": 1, "at": "07:30", "delivery": "folder", "folder": "weekly/loans"}


def problems(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    with pytest.raises(FieldProblems) as caught:
        parse_settings(data, KINDS)
    return {k: (m.en, m.zh) for k, m in caught.value.problems.items()}


def test_a_weekly_folder_schedule_is_accepted_with_defaults_filled_in() -> None:
    s = parse_settings(WEEKLY, KINDS)
    assert (s.kind, s.format, s.lang, s.cadence, s.weekday, s.monthday, s.at) == (
        "loans", "xlsx", "zh-CN", "weekly", 1, None, "07:30")
    assert s.folder == "weekly/loans" and s.recipients == ()


def test_every_bad_field_is_named_with_a_message_in_both_languages() -> None:
    found = problems({"name": "", "kind": "nope", "format": "pdf", "cadence": "daily",
                      "at": "25:00", "delivery": "fax", "colour": "red"})
    assert set(found) == {"name", "kind", "format", "cadence", "at", "delivery", "colour"}
    assert found["kind"][0].startswith("no export of this kind; known: loans")
    assert found["kind"][1].startswith("没有这种导出")
    assert all(en and zh and en != zh for en, zh in found.values())


def test_a_weekly_schedule_needs_a_weekday_and_refuses_a_day_of_month() -> None:
    found = problems({**WEEKLY, "weekday": 8, "monthday": 3})
    assert set(found) == {"weekday", "monthday"}
    assert problems({**WEEKLY, "weekday": None})["weekday"] == ("is required", "必填")


def test_a_monthly_schedule_needs_a_day_from_1_to_31() -> None:
    base = {**WEEKLY, "cadence": "monthly", "weekday": None}
    assert parse_settings({**base, "monthday": 31}, KINDS).monthday == 31
    assert set(problems({**base, "monthday": 0})) == {"monthday"}
    assert set(problems({**base, "monthday": True})) == {"monthday"}


@pytest.mark.parametrize("folder", ["../etc", "/etc", "a/../../b", "a\\b", "a/b/c/d/e",
                                    "..hidden", "a\x00b", "~root/x" * 30])
def test_a_folder_that_could_leave_the_base_directory_is_refused(folder: str) -> None:
    assert safe_folder(folder) is None
    assert "folder" in problems({**WEEKLY, "folder": folder})


def test_plain_relative_folders_are_normalised() -> None:
    assert safe_folder("") == ""
    assert safe_folder("./reports/每周") == "reports/每周"


def test_an_email_schedule_needs_valid_staff_addresses() -> None:
    base = {**WEEKLY, "delivery": "email", "folder": None}
    s = parse_settings({**base, "recipients": ["lib@example.cn", "lib@example.cn"]}, KINDS)
    assert s.recipients == ("lib@example.cn",)
    found = problems({**base, "recipients": ["ok@example.cn", "not an address"]})
    assert list(found) == ["recipients[1]"]
    assert set(problems({**base, "recipients": []})) == {"recipients"}


def test_periods_are_iso_weeks_and_calendar_months() -> None:
    assert period_key("weekly", date(2026, 12, 31)) == "2026-W53"
    assert period_key("weekly", date(2027, 1, 3)) == "2026-W53"
    assert period_key("monthly", date(2026, 2, 1)) == "2026-02"


def _settings(**changes: Any) -> ScheduleSettings:
    return parse_settings({**WEEKLY, **changes}, KINDS)


def test_a_weekly_period_is_due_from_its_day_and_time_in_the_library_zone() -> None:
    s = _settings(weekday=3, at="06:00")  # Wednesdays 06:00 Shanghai = Tuesday 22:00 UTC
    assert due_period(s, datetime(2026, 12, 1, 21, 59, tzinfo=UTC), "Asia/Shanghai") is None
    assert due_period(s, datetime(2026, 12, 1, 22, 0, tzinfo=UTC), "Asia/Shanghai") == "2026-W49"
    # A scheduler that was down on Wednesday still delivers on Saturday, same period.
    assert due_period(s, datetime(2026, 12, 5, 3, 0, tzinfo=UTC), "Asia/Shanghai") == "2026-W49"


def test_a_monthly_day_past_the_end_of_a_short_month_falls_on_its_last_day() -> None:
    s = _settings(cadence="monthly", weekday=None, monthday=31, at="00:00")
    moment = delivery_moment(s, date(2027, 2, 10), "Europe/Vilnius")
    assert moment.date() == date(2027, 2, 28)
    assert due_period(s, datetime(2027, 2, 27, 21, 59, tzinfo=UTC), "Europe/Vilnius") is None
    assert due_period(s, datetime(2027, 2, 27, 22, 0, tzinfo=UTC), "Europe/Vilnius") == "2027-02"
