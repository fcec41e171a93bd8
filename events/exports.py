"""Facts about scheduled exports: a schedule's life and each period's delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.base import Event


@dataclass(frozen=True)
class ScheduledExportCreated(Event, type_name="scheduled_export.created", version=1):
    """Staff asked for ``kind`` as ``format`` every week or month, delivered to a target.

    ``weekday`` is 1 (Monday) to 7 for weekly schedules, ``monthday`` 1 to 31 for monthly
    ones (a shorter month delivers on its last day); ``at`` is HH:MM in the library's zone.
    ``delivery`` is ``folder`` (``folder`` under the configured base directory) or ``email``
    (``recipients``, staff addresses).
    """

    schedule_id: str
    name: str
    kind: str
    format: str
    lang: str
    cadence: str  # weekly | monthly
    weekday: int | None
    monthday: int | None
    at: str
    delivery: str  # folder | email
    folder: str | None
    recipients: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class ScheduledExportChanged(Event, type_name="scheduled_export.changed", version=1):
    """The schedule's settings replaced as a whole (the same fields as at creation)."""

    schedule_id: str
    name: str
    kind: str
    format: str
    lang: str
    cadence: str
    weekday: int | None
    monthday: int | None
    at: str
    delivery: str
    folder: str | None
    recipients: tuple[str, ...]
    changed_at: datetime


@dataclass(frozen=True)
class ScheduledExportRemoved(Event, type_name="scheduled_export.removed", version=1):
    schedule_id: str
    removed_at: datetime


@dataclass(frozen=True)
class ScheduledExportDelivered(Event, type_name="scheduled_export.delivered", version=1):
    """One period's file was delivered. Its stream ``export-delivery-<id>-<period>`` holds
    only this event, so the store's (stream, version) key refuses a second delivery."""

    schedule_id: str
    period_key: str  # 2026-W49 (ISO week) or 2026-12
    kind: str
    format: str
    delivered_at: datetime
    position: int  # the log position the file reflects
    file_name: str
    target: str  # folder path relative to the base, or the recipients joined by ", "
    size_bytes: int
