"""Facts about how the library is configured: circulation policy and opening calendar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from events.base import Event


@dataclass(frozen=True)
class PolicyChanged(Event, type_name="policy.changed", version=1):
    """The whole matrix as it is from now on (see service/domain/library/policy.py for its shape)."""

    matrix: dict[str, Any]


@dataclass(frozen=True)
class CalendarChanged(Event, type_name="calendar.changed", version=1):
    branch: str
    calendar: dict[str, Any]


@dataclass(frozen=True)
class SelfServiceChanged(Event, type_name="self_service.changed", version=1):
    """Whether readers may borrow by scanning a book with their phone at this branch."""

    branch: str
    portal_checkout: bool
