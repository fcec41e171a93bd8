"""Read model: what each reader borrowed, kept only for readers who want it kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Connection, DateTime, String, Table, bindparam, select, update

from events.loans import LoanClosed, LoanOpened
from events.readers import ReaderErased, ReaderPreferencesChanged, ReaderRegistered
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

history = Table(
    "rm_reading_history",
    metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("title_id", String(64), nullable=False),
    Column("barcode", String(64), nullable=False),
    Column("borrowed_at", DateTime(timezone=True), nullable=False),
    Column("returned_at", DateTime(timezone=True)),
)

# Whether each reader keeps a history: the projection's own memory of the preference.
keepers = Table(
    "rm_history_keepers",
    metadata,
    Column("reader_id", String(64), primary_key=True),
    Column("keep", Boolean, nullable=False),
)


_RETURNED = (update(history).where(history.c.loan_id == bindparam("loan"))
             .values(returned_at=bindparam("at")))
_KEEPS = select(keepers.c.keep).where(keepers.c.reader_id == bindparam("rid"))


class ReadingHistory(Projection):
    name = "reading_history"
    personal = False  # no handler reads a personal field (reader ids only)
    tables = (keepers, history)

    @handles(ReaderRegistered)
    def registered(self, conn: Connection, e: ReaderRegistered, s: StoredEvent) -> None:
        conn.execute(keepers.insert(), dict(reader_id=e.reader_id, keep=e.keep_history))

    @handles(ReaderPreferencesChanged)
    def preferences(self, conn: Connection, e: ReaderPreferencesChanged, s: StoredEvent) -> None:
        conn.execute(update(keepers).where(keepers.c.reader_id == e.reader_id)
                     .values(keep=e.keep_history))
        if not e.keep_history:
            # Switching history off removes what was kept, not only what comes next.
            conn.execute(history.delete().where(history.c.reader_id == e.reader_id))

    @handles(ReaderErased)
    def erased(self, conn: Connection, e: ReaderErased, s: StoredEvent) -> None:
        conn.execute(history.delete().where(history.c.reader_id == e.reader_id))
        conn.execute(update(keepers).where(keepers.c.reader_id == e.reader_id).values(keep=False))

    @handles(LoanOpened)
    def opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        keep = conn.scalar(_KEEPS, {"rid": e.reader_id})
        if keep:
            conn.execute(history.insert(), dict(
                loan_id=e.loan_id, reader_id=e.reader_id, title_id=e.title_id,
                barcode=e.barcode, borrowed_at=e.opened_at))

    @handles(LoanClosed)
    def closed(self, conn: Connection, e: LoanClosed, s: StoredEvent) -> None:
        conn.execute(_RETURNED, {"loan": e.loan_id, "at": e.closed_at})


def list_history(conn: Connection, reader_id: str, offset: int = 0,
                 limit: int = 100, q: str | None = None) -> tuple[list[dict[str, Any]], int]:
    """A page of the reader's history, newest first; ``q`` keeps titles containing it."""
    from sqlalchemy import func

    from projections.catalogue import titles

    query = (select(history, titles.c.title, titles.c.authors, titles.c.clc_class)
             .join(titles, titles.c.title_id == history.c.title_id, isouter=True)
             .where(history.c.reader_id == reader_id))
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(titles.c.title.ilike(f"%{escaped}%", escape="\\"))
    total = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.order_by(history.c.borrowed_at.desc()).offset(offset).limit(limit)
    return [dict(r) for r in conn.execute(query).mappings()], int(total)


def keeps_history(conn: Connection, reader_id: str) -> bool:
    return bool(conn.scalar(select(keepers.c.keep).where(keepers.c.reader_id == reader_id)))
