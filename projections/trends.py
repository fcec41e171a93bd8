"""Read model: daily circulation by CLC class, branch and reader category."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Connection, Date, Integer, String, Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.holds import HoldPlaced
from events.loans import LoanClosed, LoanOpened, LoanRenewed
from events.store import StoredEvent
from projections.base import Projection, handles
from projections.schema import metadata

KEY = ("day", "clc", "branch", "category")
COUNTS = ("checkouts", "returns", "renewals", "holds_placed")

trends = Table(
    "rm_trends",
    metadata,
    Column("day", Date, primary_key=True),
    Column("clc", String(8), primary_key=True),
    Column("branch", String(64), primary_key=True),
    Column("category", String(32), primary_key=True),
    *(Column(name, Integer, nullable=False, default=0) for name in COUNTS),
)

# One row per reader who borrowed in a cell, so distinct readers add up over any period.
trend_readers = Table(
    "rm_trend_readers",
    metadata,
    Column("day", Date, primary_key=True),
    Column("clc", String(8), primary_key=True),
    Column("branch", String(64), primary_key=True),
    Column("category", String(32), primary_key=True),
    Column("reader_id", String(64), primary_key=True),
)


@cache
def _upsert(dialect: str, column: str) -> Any:
    """Add one to a counter cell, creating the cell on first use (built once per dialect)."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(trends).on_conflict_do_update(
        index_elements=list(KEY), set_={column: trends.c[column] + 1})


@cache
def _reader_seen(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(trend_readers).on_conflict_do_nothing()


def clc_top(clc_class: str | None) -> str:
    """The top-level CLC class (one letter; 'T' subdivisions like TP count as T), or '?'."""
    return clc_class[0].upper() if clc_class and clc_class[0].isalpha() else "?"


class Trends(Projection):
    name = "trends"
    tables = (trends, trend_readers)

    def __init__(self, timezone: str) -> None:
        # The library's zone comes from configuration (LECTOR_TIMEZONE); no default here.
        self.zone = ZoneInfo(timezone)

    def _day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _bump(self, conn: Connection, key: dict[str, Any], column: str) -> None:
        conn.execute(_upsert(conn.dialect.name, column),
                     {**key, **dict.fromkeys(COUNTS, 0), column: 1})

    def _key(self, moment: datetime, clc: str | None, branch: str, category: str) -> dict[str, Any]:
        return {"day": self._day(moment), "clc": clc_top(clc), "branch": branch or "?",
                "category": category or "?"}

    @handles(LoanOpened)
    def opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        key = self._key(e.opened_at, e.clc_class, e.branch, e.reader_category)
        self._bump(conn, key, "checkouts")
        conn.execute(_reader_seen(conn.dialect.name), {**key, "reader_id": e.reader_id})

    @handles(LoanClosed)
    def closed(self, conn: Connection, e: LoanClosed, s: StoredEvent) -> None:
        self._bump(conn, self._key(e.closed_at, e.clc_class, e.branch, e.reader_category),
                   "returns")

    @handles(LoanRenewed)
    def renewed(self, conn: Connection, e: LoanRenewed, s: StoredEvent) -> None:
        self._bump(conn, self._key(e.renewed_at, e.clc_class, e.branch, e.reader_category),
                   "renewals")

    @handles(HoldPlaced)
    def hold(self, conn: Connection, e: HoldPlaced, s: StoredEvent) -> None:
        self._bump(conn, self._key(e.placed_at, e.clc_class, e.pickup_branch, e.reader_category),
                   "holds_placed")


def period_start(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


GROUP_COLUMNS = {"class": "clc", "branch": "branch", "category": "category"}


def report(conn: Connection, start: date, end: date, interval: str = "day",
           group_by: str | None = None) -> list[dict[str, Any]]:
    """Counts per period (and group) between two days inclusive; distinct readers exact."""
    column = GROUP_COLUMNS.get(group_by or "")
    totals: dict[tuple[date, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    rows = conn.execute(select(trends).where(trends.c.day >= start, trends.c.day <= end))
    for row in rows.mappings():
        bucket = (period_start(row["day"], interval), row[column] if column else "all")
        for name in COUNTS:
            totals[bucket][name] += row[name]
    readers: dict[tuple[date, str], set[str]] = defaultdict(set)
    for row in conn.execute(select(trend_readers).where(
            trend_readers.c.day >= start, trend_readers.c.day <= end)).mappings():
        readers[(period_start(row["day"], interval), row[column] if column else "all")].add(
            row["reader_id"])
    return [
        {"period": period.isoformat(), "group": group, **counts,
         "distinct_readers": len(readers.get((period, group), ()))}
        for (period, group), counts in sorted(totals.items())
    ]
