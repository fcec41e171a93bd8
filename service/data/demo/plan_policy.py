"""The circulation policy the demo plan assumes; the executor configures Lector to match."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from service.data.demo.calendar_cn import next_open_day


@dataclass(frozen=True)
class DemoPolicy:
    """One rule for every reader category and item type, typical of a Chinese public library."""

    loan_days: int = 30
    renewal_days: int = 30  # a renewal runs from the renewal date (never shortens the loan)
    max_renewals: int = 1
    loan_limit: int = 10  # loans plus waiting holds stay under this
    hold_limit: int = 5
    hold_pickup_days: int = 7  # the plan always collects within 4 open days
    daily_fine_fen: int = 10  # 0.10 yuan per day late

    def due_date(self, checked_out: date) -> date:
        """Due date of a loan made on `checked_out` (moved off closed days)."""
        return next_open_day(checked_out + timedelta(days=self.loan_days))

    def renewed_due_date(self, due: date, renewed_on: date) -> date:
        """Due date after a renewal on `renewed_on`."""
        return next_open_day(max(due, renewed_on + timedelta(days=self.renewal_days)))

    def fine_fen(self, due: date, returned: date) -> int:
        """Fine for returning on `returned` a loan due on `due`."""
        return max(0, (returned - due).days) * self.daily_fine_fen


DEMO_POLICY = DemoPolicy()
