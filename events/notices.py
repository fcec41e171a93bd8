"""Facts about what the library told a reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True)
class NoticeFailed(Event, type_name="notice.failed", version=1):
    notice_key: str
    reader_id: str
    kind: str
    channel: str
    reason: str
    failed_at: datetime
    permanent: bool = True
