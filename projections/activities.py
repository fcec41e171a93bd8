"""Read model: library activities, their sign-ups and attendance, and what the report needs
to tell new readers (registration time, first loan)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    func,
    select,
    update,
)

from events.engagement import (
    ActivityAttended,
    ActivityPublished,
    ActivitySignedUp,
    ActivitySignUpCancelled,
    ActivityWaiterPromoted,
)
from events.engine import as_utc
from events.loans import LoanOpened
from events.readers import ReaderRegistered
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.reader_profiles import reader_profiles as rp
from projections.schema import metadata

TZ = DateTime(timezone=True)

activities = Table(
    "rm_activities",
    metadata,
    Column("activity_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("title_zh", String(300), nullable=False),
    Column("title_en", String(300), nullable=False),
    Column("description_zh", Text, nullable=False),
    Column("description_en", Text, nullable=False),
    Column("branch", String(64), nullable=False),
    Column("starts_at", TZ, nullable=False, index=True),
    Column("ends_at", TZ, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("audience_category", String(64)),
    Column("published_at", TZ, nullable=False),
    Column("seated", Integer, nullable=False),
    Column("waiting", Integer, nullable=False),
    Column("attended", Integer, nullable=False),
    Column("sign_ups", Integer, nullable=False),  # every sign-up ever, cancelled ones too
)

signups = Table(
    "rm_activity_signups",
    metadata,
    Column("activity_id", String(64), primary_key=True),
    Column("reader_id", String(64), primary_key=True, index=True),
    Column("status", String(16), nullable=False),  # seated waiting cancelled attended
    Column("queue_position", BigInteger, nullable=False),  # log position of the sign-up
    Column("signed_up_at", TZ, nullable=False),
    Column("seated_at", TZ),
    Column("cancelled_at", TZ),
    Column("attended_at", TZ),
)

activity_readers = Table(
    "rm_activity_readers",
    metadata,
    Column("reader_id", String(64), primary_key=True),
    Column("registered_at", TZ, nullable=False),
    Column("first_loan_at", TZ),
)

NEW_READER_WINDOW = timedelta(days=30)


def _counts(conn: Connection, activity_id: str, **change: int) -> None:
    a = activities.c
    conn.execute(update(activities).where(a.activity_id == activity_id).values(
        {name: getattr(a, name) + delta for name, delta in change.items()}))


def _signup(conn: Connection, activity_id: str, reader_id: str, **values: Any) -> None:
    conn.execute(update(signups).where(signups.c.activity_id == activity_id,
                                       signups.c.reader_id == reader_id).values(**values))


class Activities(Projection):
    name = "activities"
    personal = False  # no handler reads a personal field (reader ids only)
    tables = (activities, signups, activity_readers)

    @handles(ActivityPublished)
    def published(self, conn: Connection, e: ActivityPublished, s: StoredEvent) -> None:
        conn.execute(activities.insert(), dict(
            activity_id=e.activity_id, kind=e.kind, title_zh=e.title_zh, title_en=e.title_en,
            description_zh=e.description_zh, description_en=e.description_en, branch=e.branch,
            starts_at=e.starts_at, ends_at=e.ends_at, capacity=e.capacity,
            audience_category=e.audience_category, published_at=e.published_at,
            seated=0, waiting=0, attended=0, sign_ups=0))

    @handles(ActivitySignedUp)
    def signed_up(self, conn: Connection, e: ActivitySignedUp, s: StoredEvent) -> None:
        row = dict(activity_id=e.activity_id, reader_id=e.reader_id,
                   status="seated" if e.seated else "waiting", queue_position=s.position,
                   signed_up_at=e.signed_up_at, seated_at=e.signed_up_at if e.seated else None,
                   cancelled_at=None, attended_at=None)
        # A reader who cancelled may sign up again: the row starts over.
        conn.execute(signups.delete().where(signups.c.activity_id == e.activity_id,
                                            signups.c.reader_id == e.reader_id))
        conn.execute(signups.insert(), row)
        if e.seated:
            _counts(conn, e.activity_id, sign_ups=1, seated=1)
        else:
            _counts(conn, e.activity_id, sign_ups=1, waiting=1)

    @handles(ActivitySignUpCancelled)
    def cancelled(self, conn: Connection, e: ActivitySignUpCancelled, s: StoredEvent) -> None:
        _signup(conn, e.activity_id, e.reader_id, status="cancelled", cancelled_at=e.cancelled_at)
        _counts(conn, e.activity_id, **{"seated" if e.was_seated else "waiting": -1})

    @handles(ActivityWaiterPromoted)
    def promoted(self, conn: Connection, e: ActivityWaiterPromoted, s: StoredEvent) -> None:
        _signup(conn, e.activity_id, e.reader_id, status="seated", seated_at=e.promoted_at)
        _counts(conn, e.activity_id, seated=1, waiting=-1)

    @handles(ActivityAttended)
    def attended(self, conn: Connection, e: ActivityAttended, s: StoredEvent) -> None:
        _signup(conn, e.activity_id, e.reader_id, status="attended", attended_at=e.attended_at)
        _counts(conn, e.activity_id, seated=-1, attended=1)

    @handles(ReaderRegistered)
    def registered(self, conn: Connection, e: ReaderRegistered, s: StoredEvent) -> None:
        conn.execute(activity_readers.insert(), dict(reader_id=e.reader_id,
                                                     registered_at=s.recorded_at))

    @handles(LoanOpened)
    def loan_opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        r = activity_readers.c
        conn.execute(update(activity_readers).where(r.reader_id == e.reader_id,
                                                    r.first_loan_at.is_(None))
                     .values(first_loan_at=e.opened_at))


def _public(row: Any) -> dict[str, Any]:
    out = dict(row)
    out["free"] = max(0, out["capacity"] - out["seated"] - out["attended"])
    return out


def list_activities(conn: Connection, *, after: datetime | None = None, offset: int = 0,
                    limit: int = 100) -> list[dict[str, Any]]:
    query = select(activities)
    if after is not None:
        query = query.where(activities.c.ends_at >= after)
    query = query.order_by(activities.c.starts_at, activities.c.activity_id)
    return [_public(r) for r in conn.execute(query.offset(offset).limit(limit)).mappings()]


def get_activity(conn: Connection, activity_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(activities).where(
        activities.c.activity_id == activity_id)).mappings().first()
    return None if row is None else _public(row)


def list_sign_ups(conn: Connection, activity_id: str) -> list[dict[str, Any]]:
    """Sign-ups in the order they came, with each reader's card and name (for the door)."""
    s = signups.c
    query = (select(signups, rp.c.card_number, rp.c.name)
             .outerjoin(rp, rp.c.reader_id == s.reader_id)
             .where(s.activity_id == activity_id).order_by(s.queue_position))
    return [dict(r) for r in conn.execute(query).mappings()]


def reader_status(conn: Connection, activity_id: str, reader_id: str) -> str | None:
    return conn.execute(select(signups.c.status).where(
        signups.c.activity_id == activity_id, signups.c.reader_id == reader_id)).scalar()


def reader_activities(conn: Connection, reader_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """A reader's sign-ups with their activity, newest activity first."""
    s, a = signups.c, activities.c
    query = (select(s.activity_id, s.status, s.signed_up_at, s.attended_at, a.kind, a.title_zh,
                    a.title_en, a.branch, a.starts_at, a.ends_at)
             .join(activities, a.activity_id == s.activity_id)
             .where(s.reader_id == reader_id).order_by(a.starts_at.desc()).limit(limit))
    return [dict(r) for r in conn.execute(query).mappings()]


def waiting_place(conn: Connection, activity_id: str, reader_id: str) -> int | None:
    """1 for the first reader waiting, ... (None if this reader is not waiting)."""
    s = signups.c
    mine = conn.execute(select(s.queue_position).where(
        s.activity_id == activity_id, s.reader_id == reader_id,
        s.status == "waiting")).scalar()
    if mine is None:
        return None
    ahead = conn.execute(select(func.count()).select_from(signups).where(
        s.activity_id == activity_id, s.status == "waiting", s.queue_position < mine)).scalar()
    return int(ahead or 0) + 1


def activity_report(conn: Connection, *, since: datetime | None = None,
                    until: datetime | None = None) -> list[dict[str, Any]]:
    """Per activity: sign-ups, seats taken, attendance and its rate, new readers gained.

    A new reader gained is an attendee who registered within 30 days before the activity
    started, or who had never borrowed before it started and borrowed within 30 days after
    it ended.
    """
    a, s, r = activities.c, signups.c, activity_readers.c
    query = select(activities)
    if since is not None:
        query = query.where(a.starts_at >= since)
    if until is not None:
        query = query.where(a.starts_at < until)
    rows = [dict(x) for x in conn.execute(query.order_by(a.starts_at)).mappings()]
    out = []
    for row in rows:
        attendees = conn.execute(
            select(r.registered_at, r.first_loan_at).select_from(signups)
            .join(activity_readers, r.reader_id == s.reader_id)
            .where(s.activity_id == row["activity_id"], s.status == "attended")).all()
        start, end = as_utc(row["starts_at"]), as_utc(row["ends_at"])
        gained = sum(1 for registered, first in attendees
                     if start - NEW_READER_WINDOW <= as_utc(registered) <= start
                     or (first is not None and start <= as_utc(first) <= end + NEW_READER_WINDOW))
        seats = row["seated"] + row["attended"]
        out.append({**{k: row[k] for k in ("activity_id", "kind", "title_zh", "title_en",
                                           "branch", "starts_at", "ends_at", "capacity")},
                    "sign_ups": row["sign_ups"], "seats_taken": seats,
                    "waiting": row["waiting"], "attended": row["attended"],
                    "attendance_rate": round(row["attended"] / seats, 4) if seats else None,
                    "new_readers": gained})
    return out



def seated_between(conn: Connection, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Seated readers of activities starting in [start, end): whom to remind."""
    a, s = activities.c, signups.c
    query = (select(s.reader_id, a.activity_id, a.title_zh, a.title_en, a.description_zh,
                    a.description_en, a.branch, a.starts_at)
             .join(activities, a.activity_id == s.activity_id)
             .where(a.starts_at >= start, a.starts_at < end, s.status == "seated")
             .order_by(a.starts_at, s.queue_position))
    return [dict(r) for r in conn.execute(query).mappings()]
