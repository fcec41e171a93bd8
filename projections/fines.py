"""Read model: each fine with what is still owed, for balances and the fines list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, DateTime, Integer, String, Table, select, update

from events.fines import FineAssessed, FinePaid, FineWaived
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

fines = Table(
    "rm_fines",
    metadata,
    Column("fine_id", String(64), primary_key=True),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("amount_fen", Integer, nullable=False),
    Column("paid_fen", Integer, nullable=False, default=0),
    Column("waived_fen", Integer, nullable=False, default=0),
    Column("owed_fen", Integer, nullable=False),
    Column("barcode", String(64)),
    Column("title_id", String(64)),
    Column("days_late", Integer, nullable=False, default=0),
    Column("assessed_at", DateTime(timezone=True), nullable=False),
    Column("waive_reason", String(400)),
)


class Fines(Projection):
    name = "fines"
    tables = (fines,)

    @handles(FineAssessed)
    def assessed(self, conn: Connection, e: FineAssessed, s: StoredEvent) -> None:
        conn.execute(fines.insert(), dict(
            fine_id=e.fine_id, reader_id=e.reader_id, kind=e.kind, amount_fen=e.amount_fen,
            paid_fen=0, waived_fen=0, owed_fen=e.amount_fen, barcode=e.barcode,
            title_id=e.title_id, days_late=e.days_late, assessed_at=e.assessed_at,
        ))

    @handles(FinePaid)
    def paid(self, conn: Connection, e: FinePaid, s: StoredEvent) -> None:
        for fine_id, amount in e.allocations.items():
            conn.execute(update(fines).where(fines.c.fine_id == fine_id).values(
                paid_fen=fines.c.paid_fen + amount, owed_fen=fines.c.owed_fen - amount))

    @handles(FineWaived)
    def waived(self, conn: Connection, e: FineWaived, s: StoredEvent) -> None:
        conn.execute(update(fines).where(fines.c.fine_id == e.fine_id).values(
            waived_fen=fines.c.waived_fen + e.amount_fen,
            owed_fen=fines.c.owed_fen - e.amount_fen, waive_reason=e.reason))


def list_fines(conn: Connection, reader_id: str, open_only: bool = False) -> list[dict[str, Any]]:
    query = select(fines).where(fines.c.reader_id == reader_id)
    if open_only:
        query = query.where(fines.c.owed_fen > 0)
    return [dict(r) for r in conn.execute(query.order_by(fines.c.assessed_at)).mappings()]


def balance(conn: Connection, reader_id: str) -> int:
    from sqlalchemy import func

    return int(conn.scalar(select(func.coalesce(func.sum(fines.c.owed_fen), 0))
                           .where(fines.c.reader_id == reader_id)) or 0)
