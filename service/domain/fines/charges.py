"""Overdue fines and replacement charges, in integer fen."""

from __future__ import annotations

from datetime import date

from service.domain.library.calendar import BranchCalendar, open_days_between
from service.domain.library.policy import PolicyRule


def days_late(due: date, returned_on: date, calendar: BranchCalendar) -> int:
    """Open days in (due, returned_on]: the days a late loan can be charged for."""
    return open_days_between(due, returned_on, calendar)


def overdue_fine(
    due: date, returned_on: date, rule: PolicyRule, calendar: BranchCalendar
) -> int:
    """Fine in fen for a return: daily fine x open days late, capped; 0 within grace.

    Closed days are never charged, and they do not use up grace days either: grace days
    are counted in open days. Grace forgives a short delay entirely; once the loan is more
    than ``grace_days`` open days late, every open day since the due date is charged.
    """
    late = days_late(due, returned_on, calendar)
    if late <= rule.grace_days:
        return 0
    return min(late * rule.daily_fine_fen, rule.fine_cap_fen)


def replacement_charge(copy_price_fen: int | None, default_fen: int) -> int:
    """Charge for a lost copy: its recorded price, or the default when none is recorded.

    A recorded price of 0 is treated as unknown (donations and records without a price
    are entered as 0), so the library default applies.
    """
    if default_fen < 0:
        raise ValueError("default_fen must not be negative")
    if copy_price_fen is None or copy_price_fen == 0:
        return default_fen
    if copy_price_fen < 0:
        raise ValueError("copy_price_fen must not be negative")
    return copy_price_fen
