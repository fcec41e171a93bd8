"""Read model: the roll-ups the Readers, Top and Service reports aggregate in SQL.

Every fact is kept twice, once per local day (grain ``d``) and once per local month (grain
``m``). A report over any range reads whole months from the month rows and the ragged edges
from the day rows (``range_grains``), so it touches periods x groups rows, never the history
before or after the range. Times are business times (``opened_at``, ``closed_at``...) in the
library's zone, so imported or backfilled history lands on the day it happened.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    DateTime,
    Integer,
    String,
    Table,
    and_,
    or_,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.catalogue import CopyMarkedLost, TitleCatalogued, TitleUpdated
from events.feedback import FeedbackAnswered, FeedbackSubmitted, SuggestionDecided, SuggestionSubmitted
from events.holds import HoldCancelled, HoldExpired, HoldPlaced, HoldTrapped
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.readers import ReaderRegistered
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata
from projections.trends import clc_top

S = String(64)


def _grain_key(*extra: Column[Any]) -> tuple[Column[Any], ...]:
    return (Column("grain", String(1), primary_key=True),
            Column("period", Date, primary_key=True), *extra)


# A reader active (borrowed or renewed) in a period, per branch and reader category.
activity = Table("rm_rr_activity", metadata, *_grain_key(
    Column("branch", S, primary_key=True), Column("category", String(32), primary_key=True),
    Column("reader_id", S, primary_key=True)),
    Column("loans", Integer, nullable=False), Column("renewals", Integer, nullable=False))

# Checkouts and renewals of a title in a period, per class, branch and reader category.
title_use = Table("rm_rr_title_use", metadata, *_grain_key(
    Column("title_id", S, primary_key=True), Column("clc", String(8), primary_key=True),
    Column("branch", S, primary_key=True), Column("category", String(32), primary_key=True)),
    Column("loans", Integer, nullable=False), Column("renewals", Integer, nullable=False))

# Desk activity per local day, weekday (0 = Monday) and hour, by branch, channel and kind.
actions = Table("rm_rr_actions", metadata, *_grain_key(
    Column("weekday", Integer, primary_key=True), Column("hour", Integer, primary_key=True),
    Column("branch", S, primary_key=True), Column("channel", String(16), primary_key=True),
    Column("kind", String(16), primary_key=True)),
    Column("count", Integer, nullable=False))

titles_seen = Table("rm_rr_titles", metadata, Column("title_id", S, primary_key=True),
                    Column("title", String(500), nullable=False),
                    Column("authors", JSON, nullable=False))
title_authors = Table("rm_rr_title_authors", metadata, Column("title_id", S, primary_key=True),
                      Column("author", String(300), primary_key=True))

registrations = Table("rm_rr_registrations", metadata, Column("reader_id", S, primary_key=True),
                      Column("registered_on", Date, nullable=False, index=True),
                      Column("category", String(32), nullable=False),
                      Column("branch", S, nullable=False))

loans = Table("rm_rr_loans", metadata, Column("loan_id", S, primary_key=True),
              Column("reader_id", S, nullable=False), Column("branch", S, nullable=False),
              Column("category", String(32), nullable=False),
              Column("opened_at", DateTime(timezone=True), nullable=False),
              Column("closed_at", DateTime(timezone=True), nullable=True, index=True))
# The due date in force from each moment on (checkout, then each renewal).
loan_dues = Table("rm_rr_loan_dues", metadata, Column("loan_id", S, primary_key=True),
                  Column("since", DateTime(timezone=True), primary_key=True),
                  Column("due_on", Date, nullable=False))

holds = Table("rm_rr_holds", metadata, Column("hold_id", S, primary_key=True),
              Column("branch", S, nullable=False), Column("category", String(32), nullable=False),
              Column("placed_at", DateTime(timezone=True), nullable=False, index=True),
              Column("trapped_at", DateTime(timezone=True), nullable=True, index=True),
              Column("fulfilled_at", DateTime(timezone=True), nullable=True),
              Column("ended_at", DateTime(timezone=True), nullable=True))

# Feedback and purchase suggestions: when submitted, when first answered or decided.
messages = Table("rm_rr_messages", metadata, Column("item_id", S, primary_key=True),
                 Column("kind", String(16), nullable=False),
                 Column("submitted_at", DateTime(timezone=True), nullable=False, index=True),
                 Column("answered_at", DateTime(timezone=True), nullable=True))


def _utc(moment: datetime) -> datetime:
    """Instants are stored in UTC (SQLite keeps the wall clock and drops the zone)."""
    return moment.astimezone(UTC)


def month_of(day: date) -> date:
    return day.replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def range_grains(table: Table, start: date, end: date) -> Any:
    """The rows of ``table`` that cover [start, end] exactly: whole months from the month
    grain, the days before the first and after the last whole month from the day grain."""
    first = start if start.day == 1 else next_month(start)
    stop = next_month(end) if next_month(end) - timedelta(days=1) == end else month_of(end)
    g, p = table.c.grain, table.c.period
    if first >= stop:  # no whole month inside
        return and_(g == "d", p >= start, p <= end)
    return or_(and_(g == "m", p >= first, p < stop),
               and_(g == "d", p >= start, p < first), and_(g == "d", p >= stop, p <= end))


@cache
def _adder(dialect: str, table: Table, counters: tuple[str, ...]) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    keys = [c.name for c in table.primary_key.columns]
    stmt = insert(table)
    return stmt.on_conflict_do_update(
        index_elements=keys, set_={c: table.c[c] + stmt.excluded[c] for c in counters})


def _names(values: Any) -> list[str]:
    out = []
    for v in values or ():
        name = v.get("name") if isinstance(v, dict) else v
        if name and str(name) not in out:
            out.append(str(name)[:300])
    return out


class ReportRollups(Projection):
    name = "report_rollups"
    personal = False  # no handler reads a personal field (reader ids only)
    tables = (activity, title_use, actions, titles_seen, title_authors, registrations,
              loans, loan_dues, holds, messages)

    def __init__(self, timezone: str) -> None:
        self.zone = ZoneInfo(timezone)

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def _add(self, conn: Connection, table: Table, day: date, key: dict[str, Any],
             counts: dict[str, int]) -> None:
        stmt = _adder(conn.dialect.name, table, tuple(counts))
        conn.execute(stmt, [{"grain": "d", "period": day, **key, **counts},
                            {"grain": "m", "period": month_of(day), **key, **counts}])

    def _act(self, conn: Connection, moment: datetime, branch: str, kind: str,
             s: StoredEvent) -> None:
        local = self._local(moment)
        channel = str(s.meta.get("channel") or "api")[:16]
        self._add(conn, actions, local.date(), {"weekday": local.weekday(), "hour": local.hour,
                  "branch": branch or "?", "channel": channel, "kind": kind}, {"count": 1})

    def _use(self, conn: Connection, e: Any, moment: datetime, loans_n: int, renewals: int) -> None:
        day = self._local(moment).date()
        branch, category = e.branch or "?", e.reader_category or "?"
        self._add(conn, activity, day, {"branch": branch, "category": category,
                  "reader_id": e.reader_id}, {"loans": loans_n, "renewals": renewals})
        self._add(conn, title_use, day, {"title_id": e.title_id, "clc": clc_top(e.clc_class),
                  "branch": branch, "category": category}, {"loans": loans_n, "renewals": renewals})

    @handles(LoanOpened)
    def opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        self._use(conn, e, e.opened_at, 1, 0)
        self._act(conn, e.opened_at, e.branch, "checkout", s)
        conn.execute(loans.insert(), {"loan_id": e.loan_id, "reader_id": e.reader_id,
                     "branch": e.branch or "?", "category": e.reader_category or "?",
                     "opened_at": _utc(e.opened_at), "closed_at": None})
        conn.execute(loan_dues.insert(), {"loan_id": e.loan_id, "since": _utc(e.opened_at),
                                          "due_on": e.due_on})
        if e.hold_id:
            conn.execute(update(holds).where(holds.c.hold_id == e.hold_id)
                         .values(fulfilled_at=_utc(e.opened_at), ended_at=_utc(e.opened_at)))

    @handles(LoanRenewed)
    def renewed(self, conn: Connection, e: LoanRenewed, s: StoredEvent) -> None:
        self._use(conn, e, e.renewed_at, 0, 1)
        self._act(conn, e.renewed_at, e.branch, "renewal", s)
        conn.execute(loan_dues.insert(), {"loan_id": e.loan_id, "since": _utc(e.renewed_at),
                                          "due_on": e.due_on})

    @handles(LoanClosed)
    def closed(self, conn: Connection, e: LoanClosed, s: StoredEvent) -> None:
        self._act(conn, e.closed_at, e.branch, "return", s)
        conn.execute(update(loans).where(loans.c.loan_id == e.loan_id)
                     .values(closed_at=_utc(e.closed_at)))

    @handles(CopyMarkedLost)
    def lost(self, conn: Connection, e: CopyMarkedLost, s: StoredEvent) -> None:
        if e.loan_id:  # the loan ends when the copy is declared lost (no business time given)
            conn.execute(update(loans).where(loans.c.loan_id == e.loan_id,
                                             loans.c.closed_at.is_(None))
                         .values(closed_at=_utc(s.recorded_at)))

    @handles(HoldPlaced)
    def placed(self, conn: Connection, e: HoldPlaced, s: StoredEvent) -> None:
        self._act(conn, e.placed_at, e.pickup_branch, "hold", s)
        conn.execute(holds.insert(), {"hold_id": e.hold_id, "branch": e.pickup_branch or "?",
                     "category": e.reader_category or "?", "placed_at": _utc(e.placed_at)})

    @handles(HoldTrapped)
    def trapped(self, conn: Connection, e: HoldTrapped, s: StoredEvent) -> None:
        conn.execute(update(holds).where(holds.c.hold_id == e.hold_id, holds.c.trapped_at.is_(None))
                     .values(trapped_at=_utc(e.trapped_at)))

    @handles(HoldExpired, HoldCancelled)
    def hold_ended(self, conn: Connection, e: Any, s: StoredEvent) -> None:
        moment = getattr(e, "expired_at", None) or e.cancelled_at
        conn.execute(update(holds).where(holds.c.hold_id == e.hold_id).values(ended_at=_utc(moment)))

    @handles(ReaderRegistered)
    def registered(self, conn: Connection, e: ReaderRegistered, s: StoredEvent) -> None:
        # The registration carries no business time: the moment it was recorded is its time.
        conn.execute(registrations.insert(), {
            "reader_id": e.reader_id, "registered_on": self._local(s.recorded_at).date(),
            "category": e.category or "?", "branch": e.home_branch or "?"})

    @handles(TitleCatalogued)
    def catalogued(self, conn: Connection, e: TitleCatalogued, s: StoredEvent) -> None:
        conn.execute(titles_seen.insert(), {"title_id": e.title_id, "title": e.title[:500],
                                            "authors": _names(e.authors)})
        self._authors(conn, e.title_id, _names(e.authors))

    @handles(TitleUpdated)
    def title_updated(self, conn: Connection, e: TitleUpdated, s: StoredEvent) -> None:
        values: dict[str, Any] = {}
        if "title" in e.changes:
            values["title"] = str(e.changes["title"] or "")[:500]
        if "authors" in e.changes:
            values["authors"] = _names(e.changes["authors"])
            conn.execute(title_authors.delete().where(title_authors.c.title_id == e.title_id))
            self._authors(conn, e.title_id, values["authors"])
        if values:
            conn.execute(update(titles_seen).where(titles_seen.c.title_id == e.title_id)
                         .values(**values))

    def _authors(self, conn: Connection, title_id: str, names: list[str]) -> None:
        if names:
            conn.execute(title_authors.insert(), [{"title_id": title_id, "author": n}
                                                  for n in names])

    @handles(FeedbackSubmitted, SuggestionSubmitted)
    def submitted(self, conn: Connection, e: Any, s: StoredEvent) -> None:
        kind = "feedback" if isinstance(e, FeedbackSubmitted) else "suggestion"
        item = e.feedback_id if kind == "feedback" else e.suggestion_id
        conn.execute(messages.insert(), {"item_id": f"{kind}:{item}", "kind": kind,
                                         "submitted_at": _utc(e.submitted_at)})

    @handles(FeedbackAnswered, SuggestionDecided)
    def answered(self, conn: Connection, e: Any, s: StoredEvent) -> None:
        if isinstance(e, FeedbackAnswered):
            item, moment = f"feedback:{e.feedback_id}", e.answered_at
        else:
            item, moment = f"suggestion:{e.suggestion_id}", e.decided_at
        conn.execute(update(messages).where(messages.c.item_id == item,
                                            messages.c.answered_at.is_(None))
                     .values(answered_at=_utc(moment)))
