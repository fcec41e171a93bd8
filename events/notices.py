"""Facts about what the library told a reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from events.base import Event


@dataclass(frozen=True)
class NoticeSent(Event, type_name="notice.sent", version=1):
    notice_key: str
    reader_id: str
    kind: str
    channel: str
    message_id: str
    sent_at: datetime
    subject: str = ""

    # A staff-edited subject line may greet the reader by name: keep it under their key.
    pii_fields: ClassVar[frozenset[str]] = frozenset({"subject"})
    pii_subject: ClassVar[str | None] = "reader_id"


@dataclass(frozen=True)
class NoticeFailed(Event, type_name="notice.failed", version=1):
    notice_key: str
    reader_id: str
    kind: str
    channel: str
    reason: str
    failed_at: datetime
    permanent: bool = True


@dataclass(frozen=True)
class NoticeScheduled(Event, type_name="notice.scheduled", version=1):
    """A time-triggered notice (scan) is due; its stream ``notice-<key>`` starts here.

    ``data`` holds the references the sender needs (loan, due date, hold, items of a digest).
    """

    notice_key: str
    reader_id: str
    kind: str
    data: dict[str, Any]
    scheduled_for: date


@dataclass(frozen=True)
class NoticeResendRequested(Event, type_name="notice.resend_requested", version=1):
    """Staff asked for an explicit new send of an earlier notice, under a new key."""

    notice_key: str
    original_key: str
    reader_id: str
    kind: str
    data: dict[str, Any]
    requested_at: datetime


@dataclass(frozen=True)
class NoticeCancelled(Event, type_name="notice.cancelled", version=1):
    """A notice will not be sent: the loan was returned or renewed, the reader opted out, ..."""

    notice_key: str
    reader_id: str
    kind: str
    reason: str
    cancelled_at: datetime


@dataclass(frozen=True)
class NoticeTemplateChanged(Event, type_name="notice.template_changed", version=1):
    """Staff edited one template part; ``source`` None restores the shipped template."""

    kind: str
    lang: str
    part: str
    source: str | None


@dataclass(frozen=True)
class NoticeGaveUp(Event, type_name="notice.gave_up", version=1):
    """Retrying stopped: ``attempts`` tries over the retry window all failed transiently.

    Final, like NoticeCancelled; staff may still resend (a new key).
    """

    notice_key: str
    reader_id: str
    kind: str
    channel: str
    reason: str
    attempts: int
    gave_up_at: datetime
