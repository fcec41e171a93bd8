"""Facts about what readers tell the library: feedback and purchase suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from events.base import Event

# Free text a reader (or staff answering them) writes may name or reach the person, so it is
# encrypted under the reader's key like the contact fields: erasing the reader erases it.


@dataclass(frozen=True)
class FeedbackSubmitted(Event, type_name="feedback.submitted", version=1):
    feedback_id: str
    reader_id: str
    category: str
    text: str
    submitted_at: datetime
    rating: int | None = None
    title_id: str | None = None

    pii_fields: ClassVar[frozenset[str]] = frozenset({"text"})
    pii_subject: ClassVar[str | None] = "reader_id"


@dataclass(frozen=True)
class FeedbackAnswered(Event, type_name="feedback.answered", version=1):
    feedback_id: str
    reader_id: str
    answer: str
    answered_at: datetime

    pii_fields: ClassVar[frozenset[str]] = frozenset({"answer"})
    pii_subject: ClassVar[str | None] = "reader_id"


@dataclass(frozen=True)
class FeedbackClosed(Event, type_name="feedback.closed", version=1):
    feedback_id: str
    reader_id: str
    closed_at: datetime


@dataclass(frozen=True)
class SuggestionSubmitted(Event, type_name="suggestion.submitted", version=1):
    suggestion_id: str
    reader_id: str
    title: str
    submitted_at: datetime
    author: str | None = None
    isbn: str | None = None
    reason: str | None = None

    pii_fields: ClassVar[frozenset[str]] = frozenset({"reason"})
    pii_subject: ClassVar[str | None] = "reader_id"


@dataclass(frozen=True)
class SuggestionDecided(Event, type_name="suggestion.decided", version=1):
    suggestion_id: str
    reader_id: str
    decision: str  # accepted | ordered | rejected
    decided_at: datetime
    reason: str = ""

    pii_fields: ClassVar[frozenset[str]] = frozenset({"reason"})
    pii_subject: ClassVar[str | None] = "reader_id"
