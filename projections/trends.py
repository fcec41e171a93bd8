"""Read model: daily circulation by CLC class, branch and reader category."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Connection, Date, Integer, String, Table, func, select
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


# Roll-ups: the same counts per day, week and month (grain d / w / m) and per grouping (dim
# all / class / branch / category), with exact distinct borrowers kept as a counter beside a
# membership row per reader. A report reads periods x groups rows, whatever the history.
GRAINS = {"day": "d", "week": "w", "month": "m"}
DIMS = {"all": None, "class": "clc", "branch": "branch", "category": "category"}
rollup = Table(
    "rm_trend_rollup",
    metadata,
    Column("grain", String(1), primary_key=True),
    Column("period", Date, primary_key=True),
    Column("dim", String(8), primary_key=True),
    Column("grp", String(64), primary_key=True),
    *(Column(name, Integer, nullable=False, default=0) for name in (*COUNTS, "distinct_readers")),
)
rollup_readers = Table(
    "rm_trend_rollup_readers",
    metadata,
    Column("grain", String(1), primary_key=True),
    Column("period", Date, primary_key=True),
    Column("dim", String(8), primary_key=True),
    Column("grp", String(64), primary_key=True),
    Column("reader_id", String(64), primary_key=True),
)
ROLLUP_KEY = ("grain", "period", "dim", "grp")


@cache
def _rollup_add(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(rollup)
    names = (*COUNTS, "distinct_readers")
    return stmt.on_conflict_do_update(index_elements=list(ROLLUP_KEY),
                                      set_={n: rollup.c[n] + stmt.excluded[n] for n in names})


@cache
def _membership(dialect: str) -> Any:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    m = rollup_readers
    # RETURNING names the rows inserted (rowcount is not reliable for this on psycopg).
    return (insert(m).on_conflict_do_nothing()
            .returning(m.c.grain, m.c.period, m.c.dim, m.c.grp))


def _new_memberships(conn: Connection, cells: list[dict[str, Any]],
                     reader_id: str) -> set[tuple[Any, ...]]:
    """Record the reader in every cell; the cells where they are new. One statement built
    once per dialect and sent as executemany (SQLAlchemy batches it into one INSERT ...
    RETURNING): a .values([...]) list compiled afresh for every event cost 20 ms a loan."""
    rows = conn.execute(_membership(conn.dialect.name),
                        [{**cell, "reader_id": reader_id} for cell in cells])
    return {tuple(row) for row in rows}


def rollup_cells(key: dict[str, Any]) -> list[dict[str, Any]]:
    """The 12 roll-up cells (3 grains x 4 groupings) one event of this cell counts in."""
    return [{"grain": grain, "period": period_start(key["day"], interval), "dim": dim,
             "grp": key[column] if column else "all"}
            for interval, grain in GRAINS.items() for dim, column in DIMS.items()]


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
    tables = (trends, trend_readers, rollup, rollup_readers)

    def __init__(self, timezone: str) -> None:
        # The library's zone comes from configuration (LECTOR_TIMEZONE); no default here.
        self.zone = ZoneInfo(timezone)

    def _day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def _bump(self, conn: Connection, key: dict[str, Any], column: str,
              reader_id: str | None = None) -> None:
        conn.execute(_upsert(conn.dialect.name, column),
                     {**key, **dict.fromkeys(COUNTS, 0), column: 1})
        cells = rollup_cells(key)
        new = _new_memberships(conn, cells, reader_id) if reader_id is not None else set()
        conn.execute(_rollup_add(conn.dialect.name), [
            {**cell, **dict.fromkeys(COUNTS, 0), column: 1,
             "distinct_readers": int(tuple(cell[k] for k in ROLLUP_KEY) in new)}
            for cell in cells])

    def _key(self, moment: datetime, clc: str | None, branch: str, category: str) -> dict[str, Any]:
        return {"day": self._day(moment), "clc": clc_top(clc), "branch": branch or "?",
                "category": category or "?"}

    @handles(LoanOpened)
    def opened(self, conn: Connection, e: LoanOpened, s: StoredEvent) -> None:
        key = self._key(e.opened_at, e.clc_class, e.branch, e.reader_category)
        self._bump(conn, key, "checkouts", e.reader_id)
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


def next_period(day: date, interval: str) -> date:
    """The first day of the period after the one ``day`` is in."""
    begin = period_start(day, interval)
    if interval == "week":
        return begin + timedelta(days=7)
    if interval == "month":
        return (begin.replace(day=28) + timedelta(days=4)).replace(day=1)
    return begin + timedelta(days=1)


GROUP_COLUMNS = {"class": "clc", "branch": "branch", "category": "category"}
Row = dict[str, Any]


def _whole(conn: Connection, grain: str, dim: str, first: date, last: date) -> list[Row]:
    r = rollup
    rows = conn.execute(select(r.c.period, r.c.grp, *(r.c[n] for n in COUNTS),
                               r.c.distinct_readers)
                        .where(r.c.grain == grain, r.c.dim == dim, r.c.period >= first,
                               r.c.period <= last)).mappings()
    return [{"period": row["period"], "group": row["grp"], **{n: row[n] for n in COUNTS},
             "distinct_readers": row["distinct_readers"]} for row in rows]


def _partial(conn: Connection, dim: str, bucket: date, first: date, last: date) -> list[Row]:
    """A period cut by the range: summed from its days; readers counted distinct in SQL."""
    r, m = rollup, rollup_readers
    days = (r.c.grain == "d", r.c.dim == dim, r.c.period >= first, r.c.period <= last)
    sums = conn.execute(select(r.c.grp, *(func.sum(r.c[n]) for n in COUNTS))
                        .where(*days).group_by(r.c.grp)).all()
    readers: dict[str, int] = dict(conn.execute(
        select(m.c.grp, func.count(func.distinct(m.c.reader_id)))
        .where(m.c.grain == "d", m.c.dim == dim, m.c.period >= first, m.c.period <= last)
        .group_by(m.c.grp)).all())
    return [{"period": bucket, "group": grp, **{n: int(v or 0) for n, v in zip(COUNTS, vals, strict=True)},
             "distinct_readers": int(readers.get(grp, 0))} for grp, *vals in sums]


def report(conn: Connection, start: date, end: date, interval: str = "day",
           group_by: str | None = None) -> list[dict[str, Any]]:
    """Counts per period (and group) between two days inclusive; distinct readers exact.

    Whole periods are read from the roll-ups; a week or month cut by the range is summed from
    its days, so the answer is the same as folding the days, at periods x groups cost."""
    dim = group_by if group_by in GROUP_COLUMNS else "all"
    grain = GRAINS.get(interval, "d")
    interval = interval if interval in GRAINS else "day"
    rows: list[Row] = []
    first_whole = start if period_start(start, interval) == start else next_period(start, interval)
    after = end + timedelta(days=1)
    last_whole_end = after if period_start(after, interval) == after else period_start(end, interval)
    if first_whole >= last_whole_end:  # the range lies inside one or two cut periods
        cursor = start
        while cursor <= end:
            stop = min(end, next_period(cursor, interval) - timedelta(days=1))
            rows += _partial(conn, dim, period_start(cursor, interval), cursor, stop)
            cursor = stop + timedelta(days=1)
    else:
        if start < first_whole:
            rows += _partial(conn, dim, period_start(start, interval), start,
                             first_whole - timedelta(days=1))
        rows += _whole(conn, grain, dim, first_whole, last_whole_end - timedelta(days=1))
        if last_whole_end <= end:
            rows += _partial(conn, dim, last_whole_end, last_whole_end, end)
    rows.sort(key=lambda r: (r["period"], r["group"]))
    return [{**r, "period": r["period"].isoformat()} for r in rows]
