"""Read model: one row per reader with contact, category, preferences and activity."""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    bindparam,
    select,
    update,
)

from events.feedback import FeedbackSubmitted
from events.holds import HoldPlaced
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.readers import (
    ReaderBlocked,
    ReaderCategoryChanged,
    ReaderErased,
    ReaderPreferencesChanged,
    ReaderRegistered,
    ReaderUnblocked,
    ReaderUpdated,
)
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

reader_profiles = Table(
    "rm_reader_profiles",
    metadata,
    Column("reader_id", String(64), primary_key=True),
    Column("card_number", String(64), nullable=False, unique=True),
    Column("name", String(200)),
    Column("category", String(64), nullable=False),
    Column("language", String(8), nullable=False),
    Column("phone", String(64)),
    Column("email", String(200)),
    Column("id_number", String(64)),
    Column("address", String(400)),
    Column("notice_channels", JSON, nullable=False),
    Column("keep_history", Boolean, nullable=False),
    Column("digest", Boolean, nullable=False, default=False),
    # Consent to campaigns (PIPL: off unless the reader opted in).
    Column("marketing", Boolean, nullable=False, default=False),
    Column("expires_on", Date),
    Column("home_branch", String(64)),
    Column("manual_block", String(400)),
    Column("erased", Boolean, nullable=False, default=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("search_text", String(1000), nullable=False, index=True),
    Column("lifetime_loans", Integer, nullable=False, default=0),
    Column("last_activity_at", DateTime(timezone=True)),
)

SEARCHABLE = ("card_number", "name", "phone", "email")

# Built once: the hot per-loan updates skip statement construction on every event.
_BORROWED = (
    update(reader_profiles).where(reader_profiles.c.reader_id == bindparam("rid"))
    .values(lifetime_loans=reader_profiles.c.lifetime_loans + 1,
            last_activity_at=bindparam("at"))
)
_ACTIVE = (
    update(reader_profiles).where(reader_profiles.c.reader_id == bindparam("rid"))
    .values(last_activity_at=bindparam("at"))
)


def search_text(values: dict[str, Any]) -> str:
    """Lower-cased concatenation of the searchable fields (substring search, Chinese too)."""
    return " ".join(str(values[k]).lower() for k in SEARCHABLE if values.get(k))


class ReaderProfiles(Projection):
    name = "reader_profiles"
    tables = (reader_profiles,)

    @handles(ReaderRegistered)
    def registered(self, conn: Connection, e: ReaderRegistered, s: StoredEvent) -> None:
        row = {
            "reader_id": e.reader_id, "card_number": e.card_number, "name": e.name,
            "category": e.category, "language": e.language, "phone": e.phone,
            "email": e.email, "id_number": e.id_number, "address": e.address,
            "notice_channels": list(e.notice_channels), "keep_history": e.keep_history,
            "digest": False, "marketing": False, "expires_on": e.expires_on, "home_branch": e.home_branch,
            "manual_block": None, "erased": False, "registered_at": s.recorded_at,
            "updated_at": s.recorded_at, "lifetime_loans": 0, "last_activity_at": s.recorded_at,
        }
        row["search_text"] = search_text(row)
        conn.execute(reader_profiles.insert(), dict(**row))

    @handles(ReaderUpdated)
    def updated(self, conn: Connection, e: ReaderUpdated, s: StoredEvent) -> None:
        current = conn.execute(
            select(reader_profiles).where(reader_profiles.c.reader_id == e.reader_id)
        ).mappings().one()
        values = {name: getattr(e, name) for name in e.changed}
        merged = {**current, **values}
        self._set(conn, e.reader_id, s, **values, search_text=search_text(merged))

    @handles(ReaderCategoryChanged)
    def category(self, conn: Connection, e: ReaderCategoryChanged, s: StoredEvent) -> None:
        self._set(conn, e.reader_id, s, category=e.category)

    @handles(ReaderBlocked)
    def blocked(self, conn: Connection, e: ReaderBlocked, s: StoredEvent) -> None:
        self._set(conn, e.reader_id, s, manual_block=e.reason)

    @handles(ReaderUnblocked)
    def unblocked(self, conn: Connection, e: ReaderUnblocked, s: StoredEvent) -> None:
        self._set(conn, e.reader_id, s, manual_block=None)

    @handles(ReaderPreferencesChanged)
    def preferences(self, conn: Connection, e: ReaderPreferencesChanged, s: StoredEvent) -> None:
        self._set(
            conn, e.reader_id, s, language=e.language, keep_history=e.keep_history,
            notice_channels=list(e.notice_channels), digest=e.digest,
            marketing=e.marketing,
        )

    @handles(ReaderErased)
    def erased(self, conn: Connection, e: ReaderErased, s: StoredEvent) -> None:
        card = conn.scalar(
            select(reader_profiles.c.card_number).where(reader_profiles.c.reader_id == e.reader_id)
        )
        self._set(
            conn, e.reader_id, s, name=None, phone=None, email=None, id_number=None,
            address=None, erased=True, search_text=str(card or "").lower(),
            manual_block=None, notice_channels=[], keep_history=False, digest=False,
            marketing=False,
        )

    @handles(LoanOpened)
    def borrowed(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        conn.execute(_BORROWED, {"rid": e.reader_id, "at": s.recorded_at})

    @handles(LoanClosed, LoanRenewed, HoldPlaced, FeedbackSubmitted)
    def active(self, conn: Connection, e: Any, s: StoredEvent) -> None:
        conn.execute(_ACTIVE, {"rid": e.reader_id, "at": s.recorded_at})

    @staticmethod
    def _set(conn: Connection, reader_id: str, s: StoredEvent, **values: Any) -> None:
        conn.execute(
            update(reader_profiles)
            .where(reader_profiles.c.reader_id == reader_id)
            .values(**values, updated_at=s.recorded_at)
        )


def get_reader(conn: Connection, reader_id: str) -> dict[str, Any] | None:
    """One reader's profile row, or None."""
    row = conn.execute(
        select(reader_profiles).where(reader_profiles.c.reader_id == reader_id)
    ).mappings().first()
    return dict(row) if row else None


def get_reader_by_card(conn: Connection, card_number: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(reader_profiles).where(reader_profiles.c.card_number == card_number)
    ).mappings().first()
    return dict(row) if row else None


def list_readers(
    conn: Connection, *, q: str | None = None, card_number: str | None = None,
    category: str | None = None, segment: str | None = None, offset: int = 0, limit: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """A page of readers matching the filters, and the total count."""
    from sqlalchemy import func

    from projections.reader_segment_queries import readers_in_segment

    query = select(reader_profiles)
    if segment:
        query = query.where(reader_profiles.c.reader_id.in_(readers_in_segment(segment)))
    if card_number:
        query = query.where(reader_profiles.c.card_number == card_number)
    if category:
        query = query.where(reader_profiles.c.category == category)
    if q:
        query = query.where(reader_profiles.c.search_text.contains(q.lower(), autoescape=True))
    total = conn.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = conn.execute(
        query.order_by(reader_profiles.c.card_number).offset(offset).limit(limit)
    ).mappings()
    return [dict(r) for r in rows], int(total)
