"""Read model: the notice outbox, one row per notice key, fed by the events that trigger notices.

Event-triggered notices (a trapped hold, a fine, an answer) become rows here; time-triggered
ones arrive as NoticeScheduled events written by the scan. NoticeSent / NoticeFailed /
NoticeCancelled move a row's status. The log (stream ``notice-<key>``) stays the authority
on "already sent"; this table is what dispatchers and staff read.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    func,
    or_,
    select,
    update,
)

from events.feedback import FeedbackAnswered, SuggestionDecided
from events.fines import FineAssessed
from events.holds import HoldCancelled, HoldExpired, HoldTrapped
from events.notices import (
    NoticeCancelled,
    NoticeFailed,
    NoticeGaveUp,
    NoticeResendRequested,
    NoticeScheduled,
    NoticeSent,
)
from events.readers import ReaderErased
from events.store import StoredEvent
from events.vocabulary import NoticeStatus
from projections.base import Projection, handles
from projections.schema import metadata

notices = Table(
    "rm_notices",
    metadata,
    Column("notice_id", String(32), primary_key=True),
    Column("notice_key", String(190), nullable=False, unique=True),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("channel", String(64), nullable=False, default=""),
    # pending sent failed cancelled gave_up
    Column("status", String(16), nullable=False, index=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("message_id", String(200)),
    Column("subject", String(400)),
    Column("last_error", String(400)),
    Column("data", JSON, nullable=False),
    Column("digest_key", String(190), index=True),  # set on items folded into a digest
    Column("trigger_position", BigInteger, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The notice's moment on the business clock (trapped_at, assessed_at, the scan's day, ...):
    # what the staleness window is measured against, so a log written at once (the demo's
    # year) or rebuilt never makes its past look fresh. Null on rows older than the column.
    Column("due_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Operational leases, not part of the fold (never reset by a rebuild): who is sending a key
# right now, and until when a key counts as already queued for a sender.
notice_leases = Table(
    "notice_leases",
    metadata,
    Column("notice_key", String(190), primary_key=True),
    Column("token", String(64)),
    Column("claimed_until", DateTime(timezone=True)),
    Column("queued_until", DateTime(timezone=True)),
    # Retries of a key counted here, not as one event per attempt (docs/notices.md).
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("first_failed_at", DateTime(timezone=True)),
)


def notice_id(key: str) -> str:
    """The short stable id of a notice (URL-safe, the same after every rebuild)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


class NoticeOutbox(Projection):
    name = "notice_outbox"
    tables = (notices,)

    @handles(HoldTrapped)
    def trapped(self, conn: Connection, e: HoldTrapped, s: StoredEvent) -> None:
        data = {"hold_id": e.hold_id, "title_id": e.title_id, "barcode": e.barcode,
                "pickup_branch": e.pickup_branch, "pickup_by": _day(e.pickup_by)}
        _add(conn, s, f"reservation_ready:{e.hold_id}:{s.position}", e.reader_id,
             "reservation_ready", data, due_at=e.trapped_at)

    @handles(HoldExpired)
    def hold_expired(self, conn: Connection, e: HoldExpired, s: StoredEvent) -> None:
        _add(conn, s, f"hold_expired:{e.hold_id}", e.reader_id, "hold_expired",
             {"hold_id": e.hold_id, "title_id": e.title_id}, due_at=e.expired_at)

    @handles(HoldCancelled)
    def hold_cancelled(self, conn: Connection, e: HoldCancelled, s: StoredEvent) -> None:
        if e.by.startswith("reader:") or e.reason == "reader_erased":
            return  # the reader cancelled it themself (or is being erased): nothing to tell
        _add(conn, s, f"hold_cancelled:{e.hold_id}", e.reader_id, "hold_cancelled",
             {"hold_id": e.hold_id, "title_id": e.title_id, "reason": e.reason},
             due_at=e.cancelled_at)

    @handles(FineAssessed)
    def fine(self, conn: Connection, e: FineAssessed, s: StoredEvent) -> None:
        _add(conn, s, f"fine_assessed:{e.fine_id}", e.reader_id, "fine_assessed",
             {"fine_id": e.fine_id, "amount_fen": e.amount_fen, "fine_kind": e.kind,
              "title_id": e.title_id, "barcode": e.barcode, "days_late": e.days_late},
             due_at=e.assessed_at)

    @handles(FeedbackAnswered)
    def answered(self, conn: Connection, e: FeedbackAnswered, s: StoredEvent) -> None:
        _add(conn, s, f"feedback_answered:{s.position}", e.reader_id, "feedback_answered",
             {"feedback_id": e.feedback_id, "answer": e.answer}, due_at=e.answered_at)

    @handles(SuggestionDecided)
    def decided(self, conn: Connection, e: SuggestionDecided, s: StoredEvent) -> None:
        _add(conn, s, f"suggestion_decided:{s.position}", e.reader_id, "suggestion_decided",
             {"suggestion_id": e.suggestion_id, "decision": e.decision, "reason": e.reason},
             due_at=e.decided_at)

    @handles(NoticeScheduled)
    def scheduled(self, conn: Connection, e: NoticeScheduled, s: StoredEvent) -> None:
        _add(conn, s, e.notice_key, e.reader_id, e.kind, e.data, due_at=_start(e.scheduled_for))
        for item_key in e.data.get("item_keys", []):
            # Items of a digest are rows of their own, so the next scan sees them as covered.
            _add(conn, s, item_key, e.reader_id, item_key.split(":", 1)[0], {},
                 digest_key=e.notice_key, due_at=_start(e.scheduled_for))

    @handles(NoticeResendRequested)
    def resend(self, conn: Connection, e: NoticeResendRequested, s: StoredEvent) -> None:
        _add(conn, s, e.notice_key, e.reader_id, e.kind,
             {**e.data, "resend_of": e.original_key}, due_at=e.requested_at)

    @handles(NoticeSent)
    def sent(self, conn: Connection, e: NoticeSent, s: StoredEvent) -> None:
        row = _row(conn, e.notice_key)
        if row is None:
            return
        # A guardian's copy (channel "g-<guardian>-<channel>") marks the notice sent but is not
        # one of the reader's own channels (workers/notices/guardian_copies.py).
        own = () if e.channel.startswith("g-") else (e.channel,)
        channels = sorted({*filter(None, row["channel"].split(",")), *own})
        values = {"status": NoticeStatus.SENT, "channel": ",".join(channels), "sent_at": e.sent_at,
                  "subject": (e.subject or "")[:400] or row["subject"], "updated_at": s.recorded_at}
        if e.channel == "email":
            values["message_id"] = e.message_id
        conn.execute(update(notices).where(notices.c.notice_key == e.notice_key).values(**values))
        conn.execute(update(notices).where(notices.c.digest_key == e.notice_key)
                     .values(status=NoticeStatus.SENT, channel=values["channel"], sent_at=e.sent_at,
                             updated_at=s.recorded_at))

    @handles(NoticeFailed)
    def failed(self, conn: Connection, e: NoticeFailed, s: StoredEvent) -> None:
        row = _row(conn, e.notice_key)
        if row is None:
            return
        values: dict[str, Any] = {"attempts": row["attempts"] + 1,
                                  "last_error": f"{e.channel}: {e.reason}"[:400],
                                  "updated_at": s.recorded_at}
        if e.permanent and row["status"] == NoticeStatus.PENDING:
            values["status"] = NoticeStatus.FAILED
        conn.execute(update(notices).where(notices.c.notice_key == e.notice_key).values(**values))

    @handles(NoticeGaveUp)
    def gave_up(self, conn: Connection, e: NoticeGaveUp, s: StoredEvent) -> None:
        conn.execute(update(notices).where(notices.c.notice_key == e.notice_key,
                                           notices.c.status == NoticeStatus.PENDING)
                     .values(status=NoticeStatus.GAVE_UP, attempts=e.attempts,
                             last_error=f"{e.channel}: {e.reason}"[:400],
                             updated_at=s.recorded_at))

    @handles(NoticeCancelled)
    def cancelled(self, conn: Connection, e: NoticeCancelled, s: StoredEvent) -> None:
        for column in (notices.c.notice_key, notices.c.digest_key):
            conn.execute(update(notices).where(column == e.notice_key,
                                               notices.c.status == NoticeStatus.PENDING)
                         .values(status=NoticeStatus.CANCELLED, last_error=e.reason[:400],
                                 updated_at=s.recorded_at))

    @handles(ReaderErased)
    def reader_erased(self, conn: Connection, e: ReaderErased, s: StoredEvent) -> None:
        # Nothing more goes out to an erased reader, and what was written to them goes too:
        # subjects and free text copied into the data (answers, reasons).
        conn.execute(update(notices).where(notices.c.reader_id == e.reader_id,
                                           notices.c.status == NoticeStatus.PENDING)
                     .values(status=NoticeStatus.CANCELLED, updated_at=s.recorded_at))
        rows = conn.execute(select(notices.c.notice_key, notices.c.data)
                            .where(notices.c.reader_id == e.reader_id)).all()
        for key, data in rows:
            kept = {k: v for k, v in (data or {}).items() if k not in FREE_TEXT}
            conn.execute(update(notices).where(notices.c.notice_key == key).values(
                data=kept, subject=None, updated_at=s.recorded_at))


# Keys of notice data that hold text written by people (staff answers and reasons).
FREE_TEXT = frozenset({"answer", "reason"})


def _start(day: date) -> datetime:
    # The scan's day as an instant (midnight UTC, 08:00 in Shanghai): close enough for a
    # staleness window counted in hours.
    return datetime.combine(day, time(0), UTC)


def _add(conn: Connection, s: StoredEvent, key: str, reader_id: str, kind: str,
         data: dict[str, Any], digest_key: str | None = None,
         due_at: datetime | None = None) -> None:
    if _row(conn, key) is not None:
        return  # the same key from a second trigger is the same notice
    conn.execute(notices.insert(), dict(
        notice_id=notice_id(key), notice_key=key, reader_id=reader_id, kind=kind, channel="",
        status=NoticeStatus.PENDING, attempts=0, data=data, digest_key=digest_key,
        trigger_position=s.position, created_at=s.recorded_at, updated_at=s.recorded_at,
        due_at=due_at if due_at is not None else s.recorded_at,
    ))


def _row(conn: Connection, key: str) -> dict[str, Any] | None:
    row = conn.execute(select(notices).where(notices.c.notice_key == key)).mappings().first()
    return dict(row) if row else None


def get_notice(conn: Connection, *, key: str | None = None,
               notice_id_: str | None = None) -> dict[str, Any] | None:
    """One notice by key or by id."""
    column, value = (notices.c.notice_key, key) if key is not None else (
        notices.c.notice_id, notice_id_)
    row = conn.execute(select(notices).where(column == value)).mappings().first()
    return dict(row) if row else None


def list_notices(conn: Connection, *, reader_id: str | None = None, kind: str | None = None,
                 status: str | None = None, offset: int = 0,
                 limit: int = 50) -> tuple[list[dict[str, Any]], int]:
    """A page of notices, newest first, and the total count."""
    query = select(notices)
    if reader_id is not None:
        query = query.where(notices.c.reader_id == reader_id)
    if kind is not None:
        query = query.where(notices.c.kind == kind)
    if status is not None:
        query = query.where(notices.c.status == status)
    total = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = conn.execute(query.order_by(notices.c.trigger_position.desc(), notices.c.notice_key)
                        .offset(offset).limit(limit)).mappings()
    return [dict(r) for r in rows], int(total)


def pending_to_send(conn: Connection, due_after: datetime, wall: datetime,
                    limit: int = 500) -> list[str]:
    """Keys a sender should pick up now: pending, not stale, not queued or backing off.

    ``due_after`` is on the business clock (the notice's moment), ``wall`` is real time (the
    leases). Digest items travel with their digest.
    """
    moment = func.coalesce(notices.c.due_at, notices.c.created_at)
    lease = notice_leases
    rows = conn.execute(
        select(notices.c.notice_key)
        .outerjoin(lease, lease.c.notice_key == notices.c.notice_key)
        .where(notices.c.status == NoticeStatus.PENDING, notices.c.digest_key.is_(None),
               moment >= due_after,
               or_(lease.c.queued_until.is_(None), lease.c.queued_until < wall))
        .order_by(notices.c.trigger_position).limit(limit))
    return [r[0] for r in rows]


def is_stale(row: dict[str, Any], due_after: datetime) -> bool:
    """Whether a notice's moment lies before the staleness window (explicit resends never do)."""
    moment = row.get("due_at") or row["created_at"]
    if moment.tzinfo is None:  # SQLite drops the zone; we only ever store UTC
        moment = moment.replace(tzinfo=UTC)
    return not row["data"].get("resend_of") and bool(moment < due_after)


def known_keys(conn: Connection, keys: list[str]) -> set[str]:
    """Which of these keys already have a row (scheduled, sent, or covered by a digest)."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found |= {r[0] for r in conn.execute(
            select(notices.c.notice_key).where(notices.c.notice_key.in_(chunk)))}
    return found


def digest_items(conn: Connection, digest_key: str) -> list[dict[str, Any]]:
    """Rows of the items a digest covers."""
    rows = conn.execute(select(notices).where(notices.c.digest_key == digest_key)
                        .order_by(notices.c.notice_key)).mappings()
    return [dict(r) for r in rows]
