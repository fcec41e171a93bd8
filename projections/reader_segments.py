"""Read model: each reader's borrowing as dated facts, and their RFV segment at each refresh.

The loans, holds and reader rows are what the segment refresh and the lapse-risk features
read (always filtered by a cut-off date, so nothing after the cut-off leaks in). A refresh is
an event (``segments.refreshed``, one per date), so the segment history is a fold of the log
like any other read model: an incremental build equals a rebuild. Classes are kept only for
readers who keep a reading history; switching history off forgets them, and the breadth of
classes in past snapshots with them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    String,
    Table,
    func,
    select,
    update,
)

from events.holds import HoldPlaced
from events.insights import SegmentsRefreshed
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.readers import (
    ReaderCategoryChanged,
    ReaderErased,
    ReaderPreferencesChanged,
    ReaderRegistered,
)
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata
from projections.segment_rules import ReaderActivity, Scored, name_segment, score_readers

rfv_readers = Table(
    "rm_rfv_readers", metadata,
    Column("reader_id", String(64), primary_key=True),
    Column("category", String(64), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("keep_history", Boolean, nullable=False),
    Column("erased", Boolean, nullable=False),
)

rfv_loans = Table(
    "rm_rfv_loans", metadata,
    Column("loan_id", String(64), primary_key=True),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("opened_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("closed_on", Date),
    Column("first_renewed_on", Date),
    Column("clc_class", String(64)),  # None when the reader keeps no history
)

rfv_holds = Table(
    "rm_rfv_holds", metadata,
    Column("hold_id", String(64), primary_key=True),
    Column("reader_id", String(64), nullable=False, index=True),
    Column("placed_on", Date, nullable=False),
)

segment_history = Table(
    "rm_segment_history", metadata,
    Column("reader_id", String(64), primary_key=True),
    Column("as_of", Date, primary_key=True, index=True),
    Column("tenure_days", Integer, nullable=False),
    Column("recency_days", Integer),
    Column("frequency", Integer, nullable=False),
    Column("breadth", Integer),
    Column("r_score", Integer, nullable=False),
    Column("f_score", Integer, nullable=False),
    Column("v_score", Integer, nullable=False),
    Column("segment", String(32), nullable=False),
)


def main_class(clc_class: str | None) -> str | None:
    """The top-level class of the Chinese Library Classification ('I247.5' -> 'I')."""
    return clc_class.strip()[:1].upper() if clc_class and clc_class.strip() else None


class ReaderSegments(Projection):
    name = "reader_segments"
    personal = False  # no handler reads a personal field (reader ids only)
    tables = (rfv_readers, rfv_loans, rfv_holds, segment_history)

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)

    def _day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _keeps(self, conn: Connection, reader_id: str) -> bool:
        return bool(conn.scalar(select(rfv_readers.c.keep_history)
                                .where(rfv_readers.c.reader_id == reader_id)))

    @handles(ReaderRegistered)
    def registered(self, conn: Connection, e: ReaderRegistered, s: StoredEvent) -> None:
        conn.execute(rfv_readers.insert(), dict(
            reader_id=e.reader_id, category=e.category, registered_on=self._day(s.recorded_at),
            keep_history=e.keep_history, erased=False))

    @handles(ReaderCategoryChanged)
    def category(self, conn: Connection, e: ReaderCategoryChanged, s: StoredEvent) -> None:
        conn.execute(update(rfv_readers).where(rfv_readers.c.reader_id == e.reader_id)
                     .values(category=e.category))

    @handles(ReaderPreferencesChanged)
    def preferences(self, conn: Connection, e: ReaderPreferencesChanged, s: StoredEvent) -> None:
        conn.execute(update(rfv_readers).where(rfv_readers.c.reader_id == e.reader_id)
                     .values(keep_history=e.keep_history))
        if not e.keep_history:
            forget_titles(conn, e.reader_id)

    @handles(ReaderErased)
    def erased(self, conn: Connection, e: ReaderErased, s: StoredEvent) -> None:
        for table in (rfv_loans, rfv_holds, segment_history):
            conn.execute(table.delete().where(table.c.reader_id == e.reader_id))
        conn.execute(update(rfv_readers).where(rfv_readers.c.reader_id == e.reader_id)
                     .values(erased=True, keep_history=False))

    @handles(LoanOpened)
    def opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        keeps, day = self._keeps(conn, e.reader_id), self._day(e.opened_at)
        conn.execute(rfv_loans.insert(), dict(
            loan_id=e.loan_id, reader_id=e.reader_id, opened_on=day,
            due_on=e.due_on, clc_class=e.clc_class if keeps else None))
        # A registration carries no date of its own and the log's recording time can be later
        # than the loans (a library imported with its past): a reader is a reader since the
        # earlier of the two.
        conn.execute(update(rfv_readers).where(rfv_readers.c.reader_id == e.reader_id,
                                               rfv_readers.c.registered_on > day)
                     .values(registered_on=day))

    @handles(LoanRenewed)
    def renewed(self, conn: Connection, e: LoanRenewed, s: StoredEvent) -> None:
        conn.execute(update(rfv_loans).where(rfv_loans.c.loan_id == e.loan_id,
                                             rfv_loans.c.first_renewed_on.is_(None))
                     .values(first_renewed_on=self._day(e.renewed_at)))
        conn.execute(update(rfv_loans).where(rfv_loans.c.loan_id == e.loan_id)
                     .values(due_on=e.due_on))

    @handles(LoanClosed)
    def closed(self, conn: Connection, e: LoanClosed, s: StoredEvent) -> None:
        conn.execute(update(rfv_loans).where(rfv_loans.c.loan_id == e.loan_id)
                     .values(closed_on=self._day(e.closed_at)))

    @handles(HoldPlaced)
    def hold(self, conn: Connection, e: HoldPlaced, s: StoredEvent) -> None:
        conn.execute(rfv_holds.insert(), dict(hold_id=e.hold_id, reader_id=e.reader_id,
                                              placed_on=self._day(e.placed_at)))

    @handles(SegmentsRefreshed)
    def refreshed(self, conn: Connection, e: SegmentsRefreshed, s: StoredEvent) -> None:
        conn.execute(segment_history.delete().where(segment_history.c.as_of == e.as_of))
        rows = [dict(reader_id=x.reader_id, as_of=e.as_of, tenure_days=a.tenure_days,
                     recency_days=a.recency_days, frequency=a.frequency, breadth=a.breadth,
                     r_score=x.recency, f_score=x.frequency, v_score=x.volume,
                     segment=x.segment)
                for a, x in zip(*_scored(activity_as_of(conn, e.as_of, e.window_days)),
                                strict=True)]
        if rows:
            conn.execute(segment_history.insert(), rows)


def _scored(activity: list[ReaderActivity]) -> tuple[list[ReaderActivity], list[Scored]]:
    ordered = sorted(activity, key=lambda a: a.reader_id)
    return ordered, score_readers(ordered)


def forget_titles(conn: Connection, reader_id: str) -> None:
    """History switched off: no class of theirs stays, and past breadth goes with it."""
    conn.execute(update(rfv_loans).where(rfv_loans.c.reader_id == reader_id)
                 .values(clc_class=None))
    rows = conn.execute(select(segment_history).where(segment_history.c.reader_id == reader_id)
                        ).mappings().all()
    for row in rows:
        r, f = row["r_score"], row["f_score"]
        segment = name_segment(r, f, f, row["tenure_days"], row["recency_days"] is not None)
        conn.execute(update(segment_history).where(
            segment_history.c.reader_id == reader_id, segment_history.c.as_of == row["as_of"])
            .values(breadth=None, v_score=f, segment=segment))


def activity_as_of(conn: Connection, as_of: date, window_days: int) -> list[ReaderActivity]:
    """Every registered, unerased reader's window (as_of - window, as_of], loans opened by
    ``as_of`` only."""
    start = as_of - timedelta(days=window_days)
    readers = conn.execute(select(rfv_readers.c.reader_id, rfv_readers.c.registered_on,
                                  rfv_readers.c.keep_history)
                           .where(rfv_readers.c.erased.is_(False),
                                  rfv_readers.c.registered_on <= as_of)).all()
    in_window = (rfv_loans.c.opened_on > start) & (rfv_loans.c.opened_on <= as_of)
    counts = {r: (n, last) for r, n, last in conn.execute(
        select(rfv_loans.c.reader_id, func.count(), func.max(rfv_loans.c.opened_on))
        .where(in_window).group_by(rfv_loans.c.reader_id))}
    classes: dict[str, set[str]] = {}
    for reader_id, clc in conn.execute(select(rfv_loans.c.reader_id, rfv_loans.c.clc_class)
                                       .where(in_window, rfv_loans.c.clc_class.is_not(None))):
        main = main_class(clc)
        if main:
            classes.setdefault(reader_id, set()).add(main)
    out = []
    for reader_id, registered_on, keeps in readers:
        n, last = counts.get(reader_id, (0, None))
        out.append(ReaderActivity(
            reader_id=reader_id, tenure_days=(as_of - registered_on).days,
            recency_days=(as_of - last).days if last is not None else None, frequency=int(n),
            breadth=len(classes.get(reader_id, ())) if keeps else None))
    return out
