"""Read model: what happened to each reader, newest first, from the log (for the staff 360 view).

Each row names the event type and a few plain facts (never a free text, never personal data:
those stay encrypted in the log). For a reader who keeps no reading history the rows carry no
title or copy, and switching history off removes them from the rows already kept.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    String,
    Table,
    func,
    select,
    update,
)

from events import feedback, fines, holds, loans, notices, readers
from events.base import Event
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

timeline = Table(
    "rm_reader_timeline", metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("type", String(100), nullable=False),
    Column("channel", String(32)),
    Column("detail", JSON, nullable=False),
)

timeline_keepers = Table(
    "rm_timeline_keepers", metadata,
    Column("reader_id", String(64), primary_key=True),
    Column("keep", Boolean, nullable=False),
)

# Plain facts worth showing; titles and copies only for readers who keep history.
PLAIN = ("category", "previous", "due_on", "amount_fen", "kind", "channel", "days_late",
         "renewals_used", "pickup_branch", "branch", "status", "decision",
         "override_codes", "override_reason", "override_by")  # a librarian's override, audited
TITLED = ("barcode", "title_id")

TRACKED: tuple[type[Event], ...] = (
    readers.ReaderRegistered, readers.ReaderUpdated, readers.ReaderCategoryChanged,
    readers.ReaderBlocked, readers.ReaderUnblocked, readers.ReaderPreferencesChanged,
    loans.LoanOpened, loans.LoanRenewed, loans.LoanClosed,
    holds.HoldPlaced, holds.HoldTrapped, holds.HoldFulfilled, holds.HoldExpired,
    holds.HoldCancelled, fines.FineAssessed, fines.FinePaid, fines.FineWaived,
    feedback.FeedbackSubmitted, feedback.FeedbackAnswered, feedback.FeedbackClosed,
    feedback.SuggestionSubmitted, feedback.SuggestionDecided,
    notices.NoticeSent, notices.NoticeFailed,
)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value.isoformat() if isinstance(value, date | datetime) else value


class ReaderTimeline(Projection):
    name = "reader_timeline"
    personal = False  # no handler reads a personal field (reader ids only)
    tables = (timeline_keepers, timeline)

    @handles(*TRACKED)
    def happened(self, conn: Connection, e: Event, s: StoredEvent) -> None:
        reader_id = getattr(e, "reader_id")  # noqa: B009 - every tracked event names its reader
        if isinstance(e, readers.ReaderRegistered):
            conn.execute(timeline_keepers.insert(), dict(reader_id=reader_id,
                                                         keep=e.keep_history))
        elif isinstance(e, readers.ReaderPreferencesChanged):
            conn.execute(update(timeline_keepers).where(timeline_keepers.c.reader_id == reader_id)
                         .values(keep=e.keep_history))
            if not e.keep_history:
                forget_titles(conn, reader_id)
        keeps = bool(conn.scalar(select(timeline_keepers.c.keep)
                                 .where(timeline_keepers.c.reader_id == reader_id)))
        names = PLAIN + TITLED if keeps else PLAIN
        detail = {n: _plain(getattr(e, n)) for n in names if getattr(e, n, None) not in (None, ())}
        conn.execute(timeline.insert(), dict(
            position=s.position, reader_id=reader_id, occurred_at=s.recorded_at,
            type=e.type_name, channel=(s.meta or {}).get("channel"), detail=detail))

    @handles(readers.ReaderErased)
    def erased(self, conn: Connection, e: readers.ReaderErased, s: StoredEvent) -> None:
        conn.execute(timeline.delete().where(timeline.c.reader_id == e.reader_id))
        conn.execute(update(timeline_keepers).where(timeline_keepers.c.reader_id == e.reader_id)
                     .values(keep=False))


def forget_titles(conn: Connection, reader_id: str) -> None:
    rows = conn.execute(select(timeline.c.position, timeline.c.detail)
                        .where(timeline.c.reader_id == reader_id)).all()
    for position, detail in rows:
        if any(k in detail for k in TITLED):
            kept = {k: v for k, v in detail.items() if k not in TITLED}
            conn.execute(update(timeline).where(timeline.c.position == position)
                         .values(detail=kept))


def list_timeline(conn: Connection, reader_id: str, offset: int = 0, limit: int = 50
                  ) -> tuple[list[dict[str, Any]], int]:
    """A page of one reader's timeline, newest first, and its length."""
    total = conn.scalar(select(func.count()).where(timeline.c.reader_id == reader_id)) or 0
    rows = conn.execute(select(timeline).where(timeline.c.reader_id == reader_id)
                        .order_by(timeline.c.position.desc()).offset(offset).limit(limit))
    return [dict(r) for r in rows.mappings()], int(total)
