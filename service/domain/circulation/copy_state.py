"""A copy's decision state, folded from its stream (pure)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from events.catalogue import CopyAdded, CopyFound, CopyMarkedLost, CopyWithdrawn
from events.holds import HoldCancelled, HoldExpired, HoldFulfilled, HoldTrapped
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.store import StoredEvent
from events.transit import CopyArrived, CopySentInTransit
from events.vocabulary import CopyStatus


@dataclass
class CopyState:
    barcode: str
    title_id: str | None = None
    branch: str = ""
    item_type: str = "book"
    price_fen: int | None = None
    status: str = CopyStatus.MISSING
    loan_id: str | None = None
    reader_id: str | None = None
    due_on: date | None = None
    renewals_used: int = 0
    hold_id: str | None = None  # set while trapped
    trapped_for: str | None = None
    pickup_by: date | None = None
    pickup_branch: str | None = None  # set while trapped
    in_transit_to: str | None = None  # the branch the copy is on its way to
    lost_while_on_loan: bool = False
    enumeration: str | None = None  # the volume this copy is ("v.3"); None: the whole title
    chronology: str | None = None  # the year/issue of a serial copy ("2024 no.5")


def fold_copy(events: Iterable[StoredEvent], barcode: str) -> CopyState:
    """Fold the events of one copy (events about other copies are ignored)."""
    s = CopyState(barcode)
    for stored in events:
        e = stored.event
        if getattr(e, "barcode", None) != barcode:
            continue
        match e:
            case CopyAdded():
                s.title_id, s.branch, s.item_type = e.title_id, e.branch, e.item_type
                s.price_fen, s.status = e.price_fen, CopyStatus.AVAILABLE
                s.enumeration, s.chronology = e.enumeration, e.chronology
            case CopyWithdrawn():
                s.status = CopyStatus.WITHDRAWN
            case CopyMarkedLost():
                s.status, s.lost_while_on_loan = CopyStatus.LOST, e.loan_id is not None
                s.loan_id = s.due_on = None
            case CopyFound():
                s.status, s.lost_while_on_loan = CopyStatus.AVAILABLE, False
                s.loan_id = s.reader_id = s.due_on = None
            case LoanOpened():
                s.status, s.loan_id, s.reader_id = CopyStatus.ON_LOAN, e.loan_id, e.reader_id
                s.due_on, s.renewals_used = e.due_on, 0
                s.hold_id = s.trapped_for = s.pickup_by = s.pickup_branch = None
                s.in_transit_to = None  # lent where it lay: no longer on its way
            case LoanRenewed():
                s.due_on, s.renewals_used = e.due_on, e.renewals_used
            case LoanClosed():
                s.status = CopyStatus.AVAILABLE
                s.loan_id = s.reader_id = s.due_on = None
            case HoldTrapped():
                s.status, s.hold_id, s.trapped_for, s.pickup_by = (
                    CopyStatus.TRAPPED, e.hold_id, e.reader_id, e.pickup_by
                )
                s.pickup_branch = e.pickup_branch
            case HoldFulfilled() | HoldExpired() | HoldCancelled():
                if s.hold_id == e.hold_id and s.status == CopyStatus.TRAPPED:
                    s.status = CopyStatus.AVAILABLE
                    s.hold_id = s.trapped_for = s.pickup_by = s.pickup_branch = None
            case CopySentInTransit():
                s.in_transit_to = e.to_branch
            case CopyArrived():
                s.in_transit_to = None
    return s
