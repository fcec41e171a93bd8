"""Facts about loans: checkout, renewal, return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from events.base import Event


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
class LoanRenewed(Event, type_name="loan.renewed", version=1):
    loan_id: str
    barcode: str
    reader_id: str
    title_id: str
    renewed_at: datetime
    due_on: date
    previous_due_on: date
    renewals_used: int
    branch: str = ""
    reader_category: str = ""
    clc_class: str | None = None


@dataclass(frozen=True)
class LoanClosed(Event, type_name="loan.closed", version=1):
    loan_id: str
    barcode: str
    reader_id: str
    title_id: str
    branch: str
    closed_at: datetime
    due_on: date
    days_late: int = 0
    reader_category: str = ""
    clc_class: str | None = None
    item_type: str = "book"
