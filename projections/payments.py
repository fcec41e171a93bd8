"""Read model: the money ledger, one row per fine assessed, payment allocated or waiver."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, DateTime, Integer, String, Table

from events.fines import FineAssessed, FinePaid, FineWaived
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

# One row per (event, fine): a payment spread over three fines is three rows, each with the
# share of the payment that went to that fine, so each fine's rows add up to its balance.
payments = Table(
    "rm_payments",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("line", Integer, primary_key=True, autoincrement=False),
    Column("movement", String(16), nullable=False),  # assessed | paid | waived
    Column("fine_id", String(64), nullable=False, index=True),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("amount_fen", Integer, nullable=False),
    Column("fine_kind", String(16)),  # overdue | lost | other (assessed rows)
    Column("payment_id", String(64)),
    Column("method", String(32)),
    Column("reason", String(400)),
    Column("barcode", String(64)),
    Column("title_id", String(64)),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)


class Payments(Projection):
    name = "payments"
    tables = (payments,)

    @handles(FineAssessed)
    def assessed(self, conn: Connection, e: FineAssessed, s: StoredEvent) -> None:
        conn.execute(payments.insert(), dict(
            position=s.position, line=0, movement="assessed", fine_id=e.fine_id,
            reader_id=e.reader_id, amount_fen=e.amount_fen, fine_kind=e.kind,
            barcode=e.barcode, title_id=e.title_id, at=e.assessed_at))

    @handles(FinePaid)
    def paid(self, conn: Connection, e: FinePaid, s: StoredEvent) -> None:
        rows = [dict(position=s.position, line=n, movement="paid", fine_id=fine_id,
                     reader_id=e.reader_id, amount_fen=amount, payment_id=e.payment_id,
                     method=e.method, at=e.paid_at)
                for n, (fine_id, amount) in enumerate(sorted(e.allocations.items()))]
        if rows:
            conn.execute(payments.insert(), rows)

    @handles(FineWaived)
    def waived(self, conn: Connection, e: FineWaived, s: StoredEvent) -> None:
        conn.execute(payments.insert(), dict(
            position=s.position, line=0, movement="waived", fine_id=e.fine_id,
            reader_id=e.reader_id, amount_fen=e.amount_fen, reason=e.reason, at=e.waived_at))
