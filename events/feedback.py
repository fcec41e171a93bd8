"""Facts about what readers tell the library: feedback and purchase suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from events.base import Event


@dataclass(frozen=True)
class FeedbackSubmitted(Event, type_name="feedback.submitted", version=1):
    feedback_id: str
    reader_id: str
    category: str
    text: str
    submitted_at: datetime
    rating: int | None = None
    title_id: str | None = None


@dataclass(frozen=True)
class FeedbackAnswered(Event, type_name="feedback.answered", version=1):
    feedback_id: str
    reader_id: str
    answer: str
    answered_at: datetime


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


@dataclass(frozen=True)
class SuggestionDecided(Event, type_name="suggestion.decided", version=1):
    suggestion_id: str
    reader_id: str
    decision: str  # accepted | ordered | rejected
    decided_at: datetime
    reason: str = ""
