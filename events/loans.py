"""Facts about loans: checkout, renewal, return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from events.base import Event
from events.codec import upcaster


@dataclass(frozen=True)
class LoanOpened(Event, type_name="loan.opened", version=2):
    """A copy went out. Category, class and branch are copied in so trends need no joins.

    v2: ``override_codes`` (the soft refusals a librarian passed, empty for most loans),
    ``override_reason`` and ``override_by`` (the staff actor), so the audit shows them.
    """

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
    override_codes: tuple[str, ...] = ()
    override_reason: str | None = None
    override_by: str | None = None


@dataclass(frozen=True)
class LoanRenewed(Event, type_name="loan.renewed", version=3):
    """v2: ``branch``, ``reader_category`` and ``clc_class`` are always present.
    v3: the override fields, as on LoanOpened v2."""

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
    override_codes: tuple[str, ...] = ()
    override_reason: str | None = None
    override_by: str | None = None


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


# Before overrides (a librarian passing a soft refusal) every loan and renewal had none.
NO_OVERRIDE: dict[str, Any] = {"override_codes": [], "override_reason": None, "override_by": None}


@upcaster("loan.opened", 1)
def _opened_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, **NO_OVERRIDE}


@upcaster("loan.renewed", 2)
def _renewed_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    return {**data, **NO_OVERRIDE}
