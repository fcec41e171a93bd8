"""Queries over the reader_segments read model: a reader's segment and its history, counts,
month-to-month movement, and a reader's dated borrowing up to a cut-off."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Select, func, select

from projections.activities import signups
from projections.reader_segments import (
    main_class,
    rfv_holds,
    rfv_loans,
    rfv_readers,
    segment_history,
)
from projections.segment_rules import movements


def latest_as_of(conn: Connection) -> date | None:
    """The date of the last refresh, or None before the first."""
    value: date | None = conn.scalar(select(func.max(segment_history.c.as_of)))
    return value


def reader_segment_history(conn: Connection, reader_id: str) -> list[dict[str, Any]]:
    """Every snapshot of one reader, oldest first."""
    rows = conn.execute(select(segment_history).where(segment_history.c.reader_id == reader_id)
                        .order_by(segment_history.c.as_of)).mappings()
    return [dict(r) for r in rows]


def segment_counts(conn: Connection, as_of: date | None = None) -> dict[str, int]:
    """Readers per segment at one refresh (default the latest)."""
    as_of = as_of or latest_as_of(conn)
    if as_of is None:
        return {}
    rows = conn.execute(select(segment_history.c.segment, func.count())
                        .where(segment_history.c.as_of == as_of)
                        .group_by(segment_history.c.segment))
    return {segment: int(n) for segment, n in rows}


def attended_by_segment(conn: Connection, as_of: date | None = None,
                        window_days: int = 365) -> dict[str, int]:
    """Readers per segment (at one refresh, default the latest) who attended at least one
    library activity in the window before it: which segments the activities reach."""
    as_of = as_of or latest_as_of(conn)
    if as_of is None:
        return {}
    since = datetime.combine(as_of - timedelta(days=window_days), time.min, UTC)
    until = datetime.combine(as_of + timedelta(days=1), time.min, UTC)
    attended = (select(signups.c.reader_id).where(
        signups.c.status == "attended", signups.c.attended_at >= since,
        signups.c.attended_at < until).distinct().subquery())
    rows = conn.execute(select(segment_history.c.segment, func.count())
                        .where(segment_history.c.as_of == as_of,
                               segment_history.c.reader_id.in_(select(attended.c.reader_id)))
                        .group_by(segment_history.c.segment))
    return {segment: int(n) for segment, n in rows}


def readers_in_segment(segment: str) -> Select[Any]:
    """A subquery of the reader ids whose latest segment is ``segment`` (for list filters)."""
    latest = select(func.max(segment_history.c.as_of)).scalar_subquery()
    return select(segment_history.c.reader_id).where(
        segment_history.c.as_of == latest, segment_history.c.segment == segment)


def month_ends(conn: Connection) -> list[date]:
    """The last refresh date of each month that has one, oldest first."""
    dates = sorted(conn.scalars(select(segment_history.c.as_of).distinct()).all())
    last: dict[tuple[int, int], date] = {}
    for d in dates:
        last[(d.year, d.month)] = d
    return [last[k] for k in sorted(last)]


def _snapshot(conn: Connection, as_of: date) -> dict[str, str]:
    return dict(conn.execute(select(segment_history.c.reader_id, segment_history.c.segment)
                             .where(segment_history.c.as_of == as_of)).all())


def segment_movement(conn: Connection, months: int = 12) -> list[dict[str, Any]]:
    """Readers moving between segments from each month's last refresh to the next month's."""
    ends = month_ends(conn)[-(months + 1):]
    out: list[dict[str, Any]] = []
    for before, after in itertools.pairwise(ends):
        counts = movements(_snapshot(conn, before), _snapshot(conn, after))
        out.extend({"from_as_of": before, "to_as_of": after, "from_segment": a,
                    "to_segment": b, "readers": n} for (a, b), n in sorted(counts.items()))
    return out


def reader_facts(conn: Connection, reader_id: str) -> dict[str, Any] | None:
    """The reader row of the read model, or None."""
    row = conn.execute(select(rfv_readers).where(rfv_readers.c.reader_id == reader_id)
                       ).mappings().first()
    return dict(row) if row else None


def loans_until(conn: Connection, cutoff: date, reader_id: str | None = None
                ) -> list[dict[str, Any]]:
    """Loans opened on or before ``cutoff`` (one reader, or all), as the read model holds them;
    callers must not read closing or renewal dates after the cut-off as known."""
    query = select(rfv_loans).where(rfv_loans.c.opened_on <= cutoff)
    if reader_id is not None:
        query = query.where(rfv_loans.c.reader_id == reader_id)
    return [dict(r) for r in conn.execute(query.order_by(rfv_loans.c.opened_on,
                                                         rfv_loans.c.loan_id)).mappings()]


def holds_until(conn: Connection, cutoff: date, reader_id: str | None = None
                ) -> list[dict[str, Any]]:
    query = select(rfv_holds).where(rfv_holds.c.placed_on <= cutoff)
    if reader_id is not None:
        query = query.where(rfv_holds.c.reader_id == reader_id)
    return [dict(r) for r in conn.execute(query).mappings()]


def all_reader_facts(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(select(rfv_readers).where(
        rfv_readers.c.erased.is_(False)).order_by(rfv_readers.c.reader_id)).mappings()]


def favourite_classes(loans: list[dict[str, Any]], top: int = 3) -> list[dict[str, Any]]:
    """The main classes borrowed most (from loans whose class the reader lets us keep)."""
    counts = Counter(main_class(x["clc_class"]) for x in loans if x["clc_class"])
    ranked = sorted(((c, n) for c, n in counts.items() if c), key=lambda cn: (-cn[1], cn[0]))
    return [{"clc_class": c, "loans": n} for c, n in ranked[:top]]
