"""Read model: every hold with its status; queue positions are derived when read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    DateTime,
    String,
    Table,
    and_,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import aliased

from events.holds import HoldCancelled, HoldExpired, HoldFulfilled, HoldPlaced, HoldTrapped
from events.store import StoredEvent
from events.vocabulary import HoldStatus
from projections.base import Projection, handles
from projections.schema import metadata

holds = Table(
    "rm_holds",
    metadata,
    Column("hold_id", String(64), primary_key=True),
    Column("title_id", String(64), nullable=False, index=True),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("pickup_branch", String(64), nullable=False),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("placed_position", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # waiting trapped fulfilled expired cancelled
    Column("barcode", String(64)),
    Column("pickup_by", Date),
    Column("ended_at", DateTime(timezone=True)),
    Column("enumeration", String(64)),  # a volume hold's volume; None: any copy of the title
)

OPEN = (HoldStatus.WAITING, HoldStatus.TRAPPED)


class HoldQueue(Projection):
    name = "hold_queue"
    tables = (holds,)

    @handles(HoldPlaced)
    def placed(self, conn: Connection, e: HoldPlaced, s: StoredEvent) -> None:
        conn.execute(holds.insert(), dict(
            hold_id=e.hold_id, title_id=e.title_id, reader_id=e.reader_id,
            pickup_branch=e.pickup_branch, placed_at=e.placed_at, placed_position=s.position,
            status=HoldStatus.WAITING, enumeration=e.enumeration,
        ))

    @handles(HoldTrapped)
    def trapped(self, conn: Connection, e: HoldTrapped, s: StoredEvent) -> None:
        conn.execute(update(holds).where(holds.c.hold_id == e.hold_id)
                     .values(status=HoldStatus.TRAPPED, barcode=e.barcode, pickup_by=e.pickup_by))

    @handles(HoldFulfilled)
    def fulfilled(self, conn: Connection, e: HoldFulfilled, s: StoredEvent) -> None:
        _end(conn, e.hold_id, HoldStatus.FULFILLED, s)

    @handles(HoldExpired)
    def expired(self, conn: Connection, e: HoldExpired, s: StoredEvent) -> None:
        _end(conn, e.hold_id, HoldStatus.EXPIRED, s)

    @handles(HoldCancelled)
    def cancelled(self, conn: Connection, e: HoldCancelled, s: StoredEvent) -> None:
        _end(conn, e.hold_id, HoldStatus.CANCELLED, s)


def _end(conn: Connection, hold_id: str, status: str, s: StoredEvent) -> None:
    conn.execute(update(holds).where(holds.c.hold_id == hold_id)
                 .values(status=status, ended_at=s.recorded_at))


def _with_position() -> Any:
    """Holds plus their 1-based place in their queue (derived, not stored).

    Title-level holds queue per title, volume holds per volume of the title.
    """
    earlier = aliased(holds)
    same_queue = or_(and_(earlier.c.enumeration.is_(None), holds.c.enumeration.is_(None)),
                     earlier.c.enumeration == holds.c.enumeration)
    ahead = (
        select(func.count()).select_from(earlier)
        .where(and_(earlier.c.title_id == holds.c.title_id,
                    earlier.c.status == HoldStatus.WAITING,
                    same_queue, earlier.c.placed_position < holds.c.placed_position))
        .scalar_subquery()
    )
    return select(holds, (ahead + 1).label("queue_position"))


def list_holds(conn: Connection, *, reader_id: str | None = None, title_id: str | None = None,
               status: str | None = None, offset: int = 0, limit: int = 500) -> list[dict[str, Any]]:
    from projections.catalogue import titles

    query = _with_position().add_columns(titles.c.title).join(
        titles, titles.c.title_id == holds.c.title_id, isouter=True)
    if reader_id is not None:
        query = query.where(holds.c.reader_id == reader_id)
    if title_id is not None:
        query = query.where(holds.c.title_id == title_id)
    if status is not None:
        query = query.where(holds.c.status == status)
    rows = conn.execute(query.order_by(holds.c.placed_position).offset(offset).limit(limit))
    out = []
    for row in rows.mappings():
        item = dict(row)
        if item["status"] != HoldStatus.WAITING:
            item["queue_position"] = None
        out.append(item)
    return out


def waiting_counts(conn: Connection, title_ids: list[str]) -> dict[str, int]:
    if not title_ids:
        return {}
    rows = conn.execute(
        select(holds.c.title_id, func.count()).where(
            holds.c.title_id.in_(title_ids), holds.c.status == HoldStatus.WAITING
        ).group_by(holds.c.title_id)
    ).all()
    return {t: int(n) for t, n in rows}


def expired_trapped(conn: Connection, today: Any) -> list[str]:
    """Trapped holds whose pickup deadline has passed (for the hourly expiry job)."""
    rows = conn.execute(select(holds.c.hold_id).where(
        holds.c.status == HoldStatus.TRAPPED, holds.c.pickup_by < today))
    return [r[0] for r in rows]
