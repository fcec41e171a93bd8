"""Facts about holds (reservations): a title-level first-come-first-served queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from events.base import Event


@dataclass(frozen=True)
class HoldPlaced(Event, type_name="hold.placed", version=1):
    hold_id: str
    title_id: str
    reader_id: str
    pickup_branch: str
    placed_at: datetime
    reader_category: str = ""
    clc_class: str | None = None


@dataclass(frozen=True)
class HoldTrapped(Event, type_name="hold.trapped", version=1):
    """A copy was set aside for the first waiting reader; ``reason`` says why it went to them."""

    hold_id: str
    title_id: str
    reader_id: str
    barcode: str
    pickup_branch: str
    pickup_by: date
    trapped_at: datetime
    reason: str


@dataclass(frozen=True)
class HoldFulfilled(Event, type_name="hold.fulfilled", version=1):
    hold_id: str
    title_id: str
    reader_id: str
    barcode: str
    loan_id: str


@dataclass(frozen=True)
class HoldExpired(Event, type_name="hold.expired", version=1):
    hold_id: str
    title_id: str
    reader_id: str
    barcode: str | None
    expired_at: datetime


@dataclass(frozen=True)
class HoldCancelled(Event, type_name="hold.cancelled", version=1):
    hold_id: str
    title_id: str
    reader_id: str
    barcode: str | None
    cancelled_at: datetime
    by: str
    reason: str = ""
