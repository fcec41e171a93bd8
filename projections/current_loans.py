"""Read model: loans that are open now (by reader, by copy, overdue)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Column, Connection, Date, DateTime, Integer, String, Table, bindparam, select, update

from events.catalogue import CopyMarkedLost
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

current_loans = Table(
    "rm_current_loans",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("barcode", String(64), nullable=False, unique=True),
    Column("title_id", String(64), nullable=False),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("branch", String(64), nullable=False),
    Column("item_type", String(32), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("due_on", Date, nullable=False, index=True),
    Column("renewals_used", Integer, nullable=False, default=0),
)


_END = current_loans.delete().where(current_loans.c.loan_id == bindparam("loan"))


class CurrentLoans(Projection):
    name = "current_loans"
    tables = (current_loans,)

    @handles(LoanOpened)
    def opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        conn.execute(current_loans.insert(), dict(
            loan_id=e.loan_id, barcode=e.barcode, title_id=e.title_id, reader_id=e.reader_id,
            branch=e.branch, item_type=e.item_type, opened_at=e.opened_at, due_on=e.due_on,
            renewals_used=0,
        ))

    @handles(LoanRenewed)
    def renewed(self, conn: Connection, e: LoanRenewed, s: StoredEvent) -> None:
        conn.execute(update(current_loans).where(current_loans.c.loan_id == e.loan_id)
                     .values(due_on=e.due_on, renewals_used=e.renewals_used))

    @handles(LoanClosed, CopyMarkedLost)
    def ended(self, conn: Connection, e: Any, s: StoredEvent) -> None:
        if e.loan_id is not None:
            conn.execute(_END, {"loan": e.loan_id})


def list_loans(conn: Connection, *, reader_id: str | None = None, barcode: str | None = None,
               overdue_on: date | None = None, offset: int = 0,
               limit: int = 500) -> list[dict[str, Any]]:
    """Open loans filtered by reader, copy, or overdue as of a day; soonest due first."""
    from projections.catalogue import copies, titles

    query = select(current_loans, titles.c.title, copies.c.enumeration, copies.c.chronology).join(
        titles, titles.c.title_id == current_loans.c.title_id, isouter=True).join(
        copies, copies.c.barcode == current_loans.c.barcode, isouter=True)
    if reader_id is not None:
        query = query.where(current_loans.c.reader_id == reader_id)
    if barcode is not None:
        query = query.where(current_loans.c.barcode == barcode)
    if overdue_on is not None:
        query = query.where(current_loans.c.due_on < overdue_on)
    query = query.order_by(current_loans.c.due_on, current_loans.c.barcode)
    rows = conn.execute(query.offset(offset).limit(limit)).mappings()
    return [dict(r) for r in rows]
