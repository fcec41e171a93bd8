"""Facts about money a reader owes (integer fen, CNY)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.base import Event


@dataclass(frozen=True)
class FineAssessed(Event, type_name="fine.assessed", version=1):
    fine_id: str
    reader_id: str
    amount_fen: int
    kind: str  # overdue | lost | other
    assessed_at: datetime
    loan_id: str | None = None
    barcode: str | None = None
    title_id: str | None = None
    days_late: int = 0


@dataclass(frozen=True)
class FinePaid(Event, type_name="fine.paid", version=1):
    """A payment, applied to the reader's oldest open fines first."""

    payment_id: str
    reader_id: str
    amount_fen: int
    paid_at: datetime
    allocations: dict[str, int]
    method: str = "cash"


@dataclass(frozen=True)
class FineWaived(Event, type_name="fine.waived", version=1):
    fine_id: str
    reader_id: str
    amount_fen: int
    waived_at: datetime
    reason: str
