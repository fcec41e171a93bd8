"""Facts about loans: checkout, renewal, return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from events.base import Event
from events.codec import upcaster


@dataclass(frozen=True)
class LoanOpened(Event, type_name="loan.opened", version=1):
    """A copy went out. Category, class and branch are copied in so trends need no joins."""

    loan_id: str
    barcode: str
    title_id: str
    reader_id: str
    branch: str
    item_type: str
    reader_category: str
    clc_class: str | None
    opened_at: datetime
    due_on: date
    hold_id: str | None = None


@dataclass(frozen=True)
class LoanRenewed(Event, type_name="loan.renewed", version=2):
    """v2: ``branch``, ``reader_category`` and ``clc_class`` are always present."""

    loan_id: str
    barcode: str
    reader_id: str
    title_id: str
    renewed_at: datetime
    due_on: date
    previous_due_on: date
    renewals_used: int
    branch: str
    reader_category: str
    clc_class: str | None


@dataclass(frozen=True)
class LoanClosed(Event, type_name="loan.closed", version=2):
    """v2: ``reader_category``, ``clc_class`` and ``item_type`` are always present."""

    loan_id: str
    barcode: str
    reader_id: str
    title_id: str
    branch: str
    closed_at: datetime
    due_on: date
    reader_category: str
    clc_class: str | None
    item_type: str
    days_late: int = 0


# The first LoanRenewed and LoanClosed lacked the fields trends need; they were added with
# defaults while still labelled v1, so a stored v1 may or may not carry them. Fill only what
# is absent, with the value the old default gave (v2 has no defaults: every command knows them).


@upcaster("loan.renewed", 1)
def _renewed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {"branch": "", "reader_category": "", "clc_class": None, **data}


@upcaster("loan.closed", 1)
def _closed_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {"reader_category": "", "clc_class": None, "item_type": "book", **data}
