"""Facts about readers. Personal fields are encrypted under the reader's own key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from events.base import Event
from events.codec import upcaster

PERSONAL = frozenset({"name", "phone", "email", "id_number", "address"})


@dataclass(frozen=True)
class ReaderRegistered(Event, type_name="reader.registered", version=1):
    reader_id: str
    card_number: str
    name: str | None
    category: str
    language: str = "zh-CN"
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None
    address: str | None = None
    notice_channels: tuple[str, ...] = ("email",)
    keep_history: bool = True
    expires_on: date | None = None
    home_branch: str | None = None

    pii_fields: ClassVar[frozenset[str]] = PERSONAL
    pii_subject: ClassVar[str | None] = "reader_id"


@dataclass(frozen=True)
class ReaderUpdated(Event, type_name="reader.updated", version=1):
    """Only the fields named in ``changed`` carry new values."""

    reader_id: str
    changed: tuple[str, ...]
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    id_number: str | None = None
    address: str | None = None
    expires_on: date | None = None
    home_branch: str | None = None

    pii_fields: ClassVar[frozenset[str]] = PERSONAL
    pii_subject: ClassVar[str | None] = "reader_id"


@dataclass(frozen=True)
class ReaderCategoryChanged(Event, type_name="reader.category_changed", version=1):
    reader_id: str
    category: str
    previous: str


@dataclass(frozen=True)
class ReaderBlocked(Event, type_name="reader.blocked", version=1):
    reader_id: str
    reason: str


@dataclass(frozen=True)
class ReaderUnblocked(Event, type_name="reader.unblocked", version=1):
    reader_id: str
    note: str = ""


@dataclass(frozen=True)
class ReaderPreferencesChanged(Event, type_name="reader.preferences_changed", version=2):
    """v2 adds ``marketing``: consent to outreach (campaigns). Personal-information law
    (PIPL) wants consent, so it is off unless the reader turned it on."""

    reader_id: str
    language: str
    notice_channels: tuple[str, ...]
    keep_history: bool
    digest: bool = False
    marketing: bool = False


@upcaster("reader.preferences_changed", 1)
def _preferences_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # Before campaigns nobody was asked, so nobody consented; v1 rows written before the
    # digest field existed lack it too.
    return {"digest": False, **data, "marketing": False}


@dataclass(frozen=True)
class ReaderErased(Event, type_name="reader.erased", version=2):
    """The reader's key is deleted with this event: their personal data is gone for good.

    ``reason`` is the administrator's note (no personal data in it); ``forced`` says the
    erase went ahead with ``open_loans`` loans and ``owed_fen`` fines still open.
    """

    reader_id: str
    reason: str = ""
    erased_at: datetime | None = None
    forced: bool = False
    open_loans: int = 0
    owed_fen: int = 0


@upcaster("reader.erased", 1)
def _erased_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # v1 carried the reader id only (it was declared but never written by a command).
    return {"reason": "", "erased_at": None, "forced": False, "open_loans": 0, "owed_fen": 0,
            **data}


@dataclass(frozen=True)
class ReaderNoticeSettingsChanged(Event, type_name="reader.notice_settings_changed", version=1):
    """Which kinds of notice the reader wants by e-mail or message (the rest only in the
    portal), and the quiet hours (library time, "HH:MM") when nothing is sent but in the portal."""

    reader_id: str
    muted_kinds: tuple[str, ...]
    quiet_start: str | None
    quiet_end: str | None
