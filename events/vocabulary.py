"""The status words of copies, holds, notices and feedback, defined once.

They are StrEnums, so a member equals (and is stored as) the same plain string the database
and the event log already hold: ``CopyStatus.ON_LOAN == "on_loan"``. Defined in events/
because projections write them and may import events but not service.
"""

from __future__ import annotations

from enum import StrEnum


class CopyStatus(StrEnum):
    """Where a copy stands in circulation (catalogue.copies.status, CopyState.status)."""

    MISSING = "missing"  # no CopyAdded seen yet (fold state only)
    AVAILABLE = "available"
    ON_LOAN = "on_loan"
    TRAPPED = "trapped"  # on the hold shelf for one reader
    LOST = "lost"
    WITHDRAWN = "withdrawn"


class HoldStatus(StrEnum):
    """A hold's life (hold_queue.holds.status)."""

    WAITING = "waiting"
    TRAPPED = "trapped"
    FULFILLED = "fulfilled"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class NoticeStatus(StrEnum):
    """A notice row in the outbox (notice_outbox.notices.status)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    GAVE_UP = "gave_up"
    CANCELLED = "cancelled"


class FeedbackStatus(StrEnum):
    """A reader's feedback message (feedback_inbox.feedback.status)."""

    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
