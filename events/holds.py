"""Facts about holds (reservations): a title-level first-come-first-served queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from events.base import Event
from events.codec import upcaster


@dataclass(frozen=True)
class HoldPlaced(Event, type_name="hold.placed", version=2):
    """v2: ``enumeration`` set means the reader waits for that volume only (None: any copy)."""

    hold_id: str
    title_id: str
    reader_id: str
    pickup_branch: str
    placed_at: datetime
    reader_category: str = ""
    clc_class: str | None = None
    enumeration: str | None = None


@upcaster("hold.placed", 1)
def _hold_placed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Holds placed before volumes existed are title-level holds; the oldest ones also predate
    the trend fields (filled as their defaults were then)."""
    return {"reader_category": "", "clc_class": None, **data, "enumeration": None}


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
