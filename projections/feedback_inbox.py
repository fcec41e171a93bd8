"""Read model: feedback and purchase suggestions, for staff inboxes and readers' accounts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, DateTime, Integer, String, Table, Text, select, update

from events.feedback import (
    FeedbackAnswered,
    FeedbackClosed,
    FeedbackSubmitted,
    SuggestionDecided,
    SuggestionSubmitted,
)
from events.readers import ReaderErased
from events.store import StoredEvent
from events.vocabulary import FeedbackStatus
from projections.base import Projection, handles
from projections.schema import metadata

feedback = Table(
    "rm_feedback",
    metadata,
    Column("feedback_id", String(64), primary_key=True),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("category", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("rating", Integer),
    Column("title_id", String(64)),
    Column("status", String(16), nullable=False),  # open answered closed
    Column("answer", Text),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
)

suggestions = Table(
    "rm_suggestions",
    metadata,
    Column("suggestion_id", String(64), primary_key=True),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("title", String(500), nullable=False),
    Column("author", String(300)),
    Column("isbn", String(13)),
    Column("reason", Text),
    Column("status", String(16), nullable=False),  # submitted accepted ordered rejected
    Column("decision_reason", Text),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
)


class FeedbackInbox(Projection):
    name = "feedback_inbox"
    tables = (feedback, suggestions)

    @handles(FeedbackSubmitted)
    def submitted(self, conn: Connection, e: FeedbackSubmitted, s: StoredEvent) -> None:
        conn.execute(feedback.insert(), dict(
            feedback_id=e.feedback_id, reader_id=e.reader_id, category=e.category, text=e.text or "",
            rating=e.rating, title_id=e.title_id, status=FeedbackStatus.OPEN, submitted_at=e.submitted_at))

    @handles(FeedbackAnswered)
    def answered(self, conn: Connection, e: FeedbackAnswered, s: StoredEvent) -> None:
        conn.execute(update(feedback).where(feedback.c.feedback_id == e.feedback_id)
                     .values(status=FeedbackStatus.ANSWERED, answer=e.answer, answered_at=e.answered_at))

    @handles(FeedbackClosed)
    def closed(self, conn: Connection, e: FeedbackClosed, s: StoredEvent) -> None:
        conn.execute(update(feedback).where(feedback.c.feedback_id == e.feedback_id)
                     .values(status=FeedbackStatus.CLOSED, closed_at=e.closed_at))

    @handles(SuggestionSubmitted)
    def suggested(self, conn: Connection, e: SuggestionSubmitted, s: StoredEvent) -> None:
        conn.execute(suggestions.insert(), dict(
            suggestion_id=e.suggestion_id, reader_id=e.reader_id, title=e.title, author=e.author,
            isbn=e.isbn, reason=e.reason, status="submitted", submitted_at=e.submitted_at))

    @handles(SuggestionDecided)
    def decided(self, conn: Connection, e: SuggestionDecided, s: StoredEvent) -> None:
        conn.execute(update(suggestions).where(suggestions.c.suggestion_id == e.suggestion_id)
                     .values(status=e.decision, decision_reason=e.reason, decided_at=e.decided_at))

    @handles(ReaderErased)
    def reader_erased(self, conn: Connection, e: ReaderErased, s: StoredEvent) -> None:
        # The rows stay (counts by category, rating and status keep their numbers); the words
        # go. A rebuild arrives at the same rows: the erased key decodes the texts to None.
        conn.execute(update(feedback).where(feedback.c.reader_id == e.reader_id)
                     .values(text="", answer=None))
        conn.execute(update(suggestions).where(suggestions.c.reader_id == e.reader_id)
                     .values(reason=None, decision_reason=None))


def list_feedback(conn: Connection, *, reader_id: str | None = None, status: str | None = None,
                  offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    query = select(feedback)
    if reader_id:
        query = query.where(feedback.c.reader_id == reader_id)
    if status:
        query = query.where(feedback.c.status == status)
    query = query.order_by(feedback.c.submitted_at.desc()).offset(offset).limit(limit)
    return [dict(r) for r in conn.execute(query).mappings()]


def list_suggestions(conn: Connection, *, reader_id: str | None = None, status: str | None = None,
                     offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    query = select(suggestions)
    if reader_id:
        query = query.where(suggestions.c.reader_id == reader_id)
    if status:
        query = query.where(suggestions.c.status == status)
    query = query.order_by(suggestions.c.submitted_at.desc()).offset(offset).limit(limit)
    return [dict(r) for r in conn.execute(query).mappings()]
