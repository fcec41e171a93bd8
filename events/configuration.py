"""Facts about how the library is configured: circulation policy and opening calendar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from events.base import Event


@dataclass(frozen=True)
class PolicyChanged(Event, type_name="policy.changed", version=1):
    """The whole matrix as it is from now on (see service/core/policy.py for its shape)."""

    matrix: dict[str, Any]


@dataclass(frozen=True)
class CalendarChanged(Event, type_name="calendar.changed", version=1):
    branch: str
    calendar: dict[str, Any]


@dataclass(frozen=True)
class ReportSettingsChanged(Event, type_name="report_settings.changed", version=1):
    """The collection-report settings as they are from now on (dead-stock months, weeding
    ages per class, holds per copy per item type; service/core/report_settings.py)."""

    settings: dict[str, Any]
