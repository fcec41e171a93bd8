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
class ListEntryDefined(Event, type_name="list_entry.defined", version=1):
    """A code joined one of the managed lists (branch, reader category, item type, collection).

    ``clc_prefixes`` is used by collections only: the CLC classes the collection gathers.
    """

    kind: str
    code: str
    name_zh: str
    name_en: str
    clc_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListEntryChanged(Event, type_name="list_entry.changed", version=1):
    """A managed code's names (or a collection's classes) as they are from now on."""

    kind: str
    code: str
    name_zh: str
    name_en: str
    clc_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListEntryRetired(Event, type_name="list_entry.retired", version=1):
    """A managed code may no longer be used by new commands (history keeps it)."""

    kind: str
    code: str


@dataclass(frozen=True)
class ReportSettingsChanged(Event, type_name="report_settings.changed", version=1):
    """The collection-report settings as they are from now on (dead-stock months, weeding
    ages per class, holds per copy per item type; service/application/report_settings.py)."""

    settings: dict[str, Any]


@dataclass(frozen=True)
class SelfServiceChanged(Event, type_name="self_service.changed", version=1):
    """Whether readers may borrow by scanning a book with their phone at this branch."""

    branch: str
    portal_checkout: bool
