"""Read model: copies in transit between branches (the desk's transit list)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, DateTime, String, Table, delete, select

from events.loans import LoanOpened
from events.store import StoredEvent
from events.transit import CopyArrived, CopySentInTransit
from projections.base import Projection, handles
from projections.schema import metadata

transits = Table(
    "rm_transits",
    metadata,
    Column("barcode", String(64), primary_key=True),
    Column("title_id", String(64), nullable=False),
    Column("from_branch", String(64), nullable=False),
    Column("to_branch", String(64), nullable=False, index=True),
    Column("reason", String(16), nullable=False),  # home | hold
    Column("hold_id", String(64)),
    Column("sent_at", DateTime(timezone=True), nullable=False),
)


class Transits(Projection):
    name = "transits"
    tables = (transits,)

    @handles(CopySentInTransit)
    def sent(self, conn: Connection, e: CopySentInTransit, s: StoredEvent) -> None:
        conn.execute(delete(transits).where(transits.c.barcode == e.barcode))
        conn.execute(transits.insert(), dict(
            barcode=e.barcode, title_id=e.title_id, from_branch=e.from_branch,
            to_branch=e.to_branch, reason=e.reason, hold_id=e.hold_id, sent_at=e.sent_at))

    @handles(CopyArrived, LoanOpened)
    def ended(self, conn: Connection, e: CopyArrived | LoanOpened, s: StoredEvent) -> None:
        conn.execute(delete(transits).where(transits.c.barcode == e.barcode))


def list_transits(conn: Connection, *, to_branch: str | None = None,
                  from_branch: str | None = None) -> list[dict[str, Any]]:
    """Copies on their way, oldest first, with their titles."""
    from projections.catalogue import titles

    query = select(transits, titles.c.title).join(
        titles, titles.c.title_id == transits.c.title_id, isouter=True)
    if to_branch is not None:
        query = query.where(transits.c.to_branch == to_branch)
    if from_branch is not None:
        query = query.where(transits.c.from_branch == from_branch)
    return [dict(r) for r in conn.execute(query.order_by(transits.c.sent_at)).mappings()]
