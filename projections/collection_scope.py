"""What every collection report shares: the date it describes, its filters, and the copies
that were part of the holdings on that date with their circulation up to it."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, and_, case, func, or_, select, union

from projections.collection import (
    coll_copies,
    coll_copy_use,
    coll_loans,
    coll_renewals,
    coll_spans,
    coll_titles,
    utc,
)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` calendar months earlier (the month's last day if shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


@lru_cache(maxsize=65536)
def _hour_offset(timezone: str, hour: datetime) -> timedelta | None:
    """The zone's UTC offset throughout the UTC hour that starts at ``hour``, or None when
    it changes inside that hour (a transition, some of which fall on odd minutes)."""
    zone = ZoneInfo(timezone)
    first = hour.astimezone(zone).utcoffset()
    last = (hour + timedelta(hours=1, microseconds=-1)).astimezone(zone).utcoffset()
    return first if first == last else None


def local_day(moment: datetime, timezone: str) -> date:
    """The local date of an aware instant. The per-copy reports convert three instants a copy;
    a zone conversion is most of their time, so the offset is looked up once per hour."""
    moment = moment.astimezone(UTC)
    offset = _hour_offset(timezone, moment.replace(minute=0, second=0, microsecond=0))
    if offset is None:
        return moment.astimezone(ZoneInfo(timezone)).date()
    return (moment + offset).date()


@dataclass(frozen=True)
class Scope:
    """A report's date (the state at the end of that day, library time) and its filters."""

    as_of: date
    timezone: str
    scheme: str = "clc"
    branch: str | None = None
    class_prefix: str | None = None
    item_type: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def start_of(self, day: date) -> datetime:
        """The instant (UTC) a local day begins."""
        return datetime.combine(day, time(), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant after ``as_of`` (midnight local time, as UTC)."""
        return self.start_of(self.as_of + timedelta(days=1))

    def local_day(self, moment: datetime) -> date:
        return local_day(moment, self.timezone)

    def class_of(self, title: dict[str, Any]) -> str | None:
        return title.get(self.scheme)

    def class_matches(self, key: str | None) -> bool:
        return key is not None and (not self.class_prefix or key.startswith(self.class_prefix))


def held_copies(conn: Connection, scope: Scope) -> list[dict[str, Any]]:
    """Copies in the holdings at the end of ``as_of`` (added or found, not yet withdrawn or
    lost), with their title's class under the scope's scheme and publication year."""
    end = scope.end
    query = (
        select(coll_copies.c.barcode, coll_copies.c.title_id, coll_copies.c.branch,
               coll_copies.c.item_type, coll_copies.c.added_at, coll_titles.c.title,
               coll_titles.c.year, coll_titles.c[scope.scheme].label("class"))
        .join(coll_spans, coll_spans.c.barcode == coll_copies.c.barcode)
        .join(coll_titles, coll_titles.c.title_id == coll_copies.c.title_id, isouter=True)
        .where(coll_spans.c.start_at < end,
               or_(coll_spans.c.end_at.is_(None), coll_spans.c.end_at >= end))
    )
    if scope.branch:
        query = query.where(coll_copies.c.branch == scope.branch)
    if scope.item_type:
        query = query.where(coll_copies.c.item_type == scope.item_type)
    out = []
    for row in conn.execute(query.order_by(coll_copies.c.barcode)).mappings():
        item = dict(row)
        if item["class"] is None and scope.scheme == "clc":
            item["class"] = "?"  # a copy whose title we never saw catalogued
        if scope.class_matches(item["class"]):
            item["added_at"] = utc(item["added_at"])
            out.append(item)
    return out


def loan_stats(conn: Connection, scope: Scope) -> dict[str, dict[str, Any]]:
    """Per copy, up to the end of ``as_of``: checkouts, the last checkout, the last return,
    whether on loan then, and renewals.

    A copy with no checkout, return or renewal after ``as_of`` has today's totals
    (rm_coll_copy_use, one row a copy); only the others are recounted from their loans. So a
    report for today reads one row per copy however long the history, and a past date costs
    what happened after it."""
    end, loans, renewals, use = scope.end, coll_loans.c, coll_renewals.c, coll_copy_use.c
    changed = union(select(loans.barcode).where(loans.opened_at >= end),
                    select(loans.barcode).where(loans.closed_at >= end),
                    select(renewals.barcode).where(renewals.renewed_at >= end)).subquery()
    later = select(changed.c.barcode)
    stats = {
        r.barcode: {"circulations": int(r.circulations), "last_circulated": utc(r.last_opened_at),
                    "last_returned": utc(r.last_closed_at), "on_loan": r.open_loans > 0,
                    "renewals": int(r.renewals)}
        for r in conn.execute(select(use.barcode, use.circulations, use.renewals,
                                     use.open_loans, use.last_opened_at, use.last_closed_at)
                              .where(use.barcode.not_in(later)))
        if r.circulations or r.renewals
    }
    open_then = or_(loans.closed_at.is_(None), loans.closed_at >= end)
    for r in conn.execute(
            select(loans.barcode, func.count(), func.max(loans.opened_at),
                   func.max(case((and_(loans.closed_at.is_not(None), loans.closed_at < end),
                                  loans.closed_at), else_=None)),
                   func.sum(case((open_then, 1), else_=0)))
            .where(loans.opened_at < end, loans.barcode.in_(later)).group_by(loans.barcode)):
        stats[r[0]] = {"circulations": int(r[1]), "last_circulated": utc(r[2]),
                       "last_returned": utc(r[3]), "on_loan": bool(r[4]), "renewals": 0}
    for barcode, count in conn.execute(
            select(renewals.barcode, func.count())
            .where(renewals.renewed_at < end, renewals.barcode.in_(later))
            .group_by(renewals.barcode)):
        stats.setdefault(barcode, _never())["renewals"] = int(count)
    return stats


def _never() -> dict[str, Any]:
    return {"circulations": 0, "last_circulated": None, "last_returned": None,
            "on_loan": False, "renewals": 0}


def stats_for(stats: dict[str, dict[str, Any]], barcode: str) -> dict[str, Any]:
    return stats.get(barcode) or _never()
