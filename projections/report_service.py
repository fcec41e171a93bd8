"""The Service report: overdue aging, holds fill time, desk heatmap, channel mix, answers to
readers and a branch comparison, each aggregated from the roll-ups (projections/rollups.py).

Definitions:
- overdue aging, as of a day D: loans open at the end of D whose due date then in force (the
  checkout's, or the last renewal's before the end of D) is before D; days overdue = D - due;
  buckets 1-7, 8-30, 31-90 and 91+ days;
- holds fill time: for holds trapped (a copy set aside) on a day in the range, the hours from
  placing to trapping; pickup time: trapped to checked out; median and p90 by nearest rank
  (the median of an even count is the lower middle value);
- heatmap: checkouts, returns, renewals and holds placed per weekday (0 = Monday) and hour of
  the library's local time, on the chosen channel (default desk);
- channel mix: the same actions per channel (desk, sip2 = kiosk, portal, api, worker);
- feedback and suggestions submitted in the range, how many were answered (decided), and the
  hours to the first answer;
- branch comparison: checkouts, returns, renewals and holds placed per branch, and distinct
  active readers (borrowed or renewed) per branch.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from projections.rollups import actions, activity, holds, loan_dues, loans, messages, range_grains

BUCKETS = (("1-7", 1, 7), ("8-30", 8, 30), ("31-90", 31, 90), ("91+", 91, None))


def day_start(day: date, zone: str) -> datetime:
    """The UTC instant the library's local day begins."""
    return datetime.combine(day, time(), ZoneInfo(zone)).astimezone(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # SQLite: naive UTC


def nearest_rank(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(p * len(ordered)) - 1, 0)]


def _hours(pairs: list[tuple[datetime, datetime]]) -> dict[str, Any]:
    values = [(_aware(b) - _aware(a)).total_seconds() / 3600 for a, b in pairs]
    median, p90 = nearest_rank(values, 0.5), nearest_rank(values, 0.9)
    return {"count": len(values), "median_hours": None if median is None else round(median, 2),
            "p90_hours": None if p90 is None else round(p90, 2)}


def overdue_aging(conn: Connection, as_of: date, zone: str, *, branch: str | None = None,
                  category: str | None = None) -> list[dict[str, Any]]:
    """Loans overdue at the end of ``as_of`` per aging bucket."""
    end = day_start(as_of + timedelta(days=1), zone)
    due = (select(loan_dues.c.due_on).where(loan_dues.c.loan_id == loans.c.loan_id,
                                            loan_dues.c.since < end)
           .order_by(loan_dues.c.since.desc()).limit(1).scalar_subquery())
    query = select(due).where(loans.c.opened_at < end,
                              (loans.c.closed_at.is_(None)) | (loans.c.closed_at >= end))
    if branch:
        query = query.where(loans.c.branch == branch)
    if category:
        query = query.where(loans.c.category == category)
    counts = dict.fromkeys((b[0] for b in BUCKETS), 0)
    for (due_on,) in conn.execute(query):
        days = (as_of - due_on).days
        for name, low, high in BUCKETS:
            if days >= low and (high is None or days <= high):
                counts[name] += 1
    return [{"bucket": name, "loans": counts[name]} for name, _, _ in BUCKETS]


def holds_fill(conn: Connection, start: date, end: date, zone: str, *,
               branch: str | None = None, category: str | None = None) -> dict[str, Any]:
    lo, hi = day_start(start, zone), day_start(end + timedelta(days=1), zone)
    h = holds
    where = [h.c.branch == branch] if branch else []
    where += [h.c.category == category] if category else []
    placed = conn.scalar(select(func.count()).where(h.c.placed_at >= lo, h.c.placed_at < hi,
                                                    *where)) or 0
    trapped = conn.execute(select(h.c.placed_at, h.c.trapped_at, h.c.fulfilled_at).where(
        h.c.trapped_at >= lo, h.c.trapped_at < hi, *where)).all()
    fill = _hours([(p, t) for p, t, _ in trapped])
    pickup = _hours([(t, f) for _, t, f in trapped if f is not None])
    return {"placed": int(placed), "trapped": fill["count"], "fill": fill, "pickup": pickup}


def _actions(start: date, end: date, branch: str | None) -> list[Any]:
    where = [range_grains(actions, start, end)]
    return where + ([actions.c.branch == branch] if branch else [])


def heatmap(conn: Connection, start: date, end: date, *, channel: str = "desk",
            branch: str | None = None) -> list[dict[str, Any]]:
    """All 7 x 24 cells (weekday 0 = Monday, local hour), zeros included, for charting."""
    a = actions
    cells = {(w, h): 0 for w in range(7) for h in range(24)}
    for w, h, n in conn.execute(select(a.c.weekday, a.c.hour, func.sum(a.c.count))
                                .where(*_actions(start, end, branch), a.c.channel == channel)
                                .group_by(a.c.weekday, a.c.hour)):
        cells[(w, h)] = int(n)
    return [{"weekday": w, "hour": h, "actions": n} for (w, h), n in sorted(cells.items())]


def channel_mix(conn: Connection, start: date, end: date, *,
                branch: str | None = None) -> list[dict[str, Any]]:
    a = actions
    rows = conn.execute(select(a.c.channel, a.c.kind, func.sum(a.c.count))
                        .where(*_actions(start, end, branch)).group_by(a.c.channel, a.c.kind))
    out: dict[str, dict[str, Any]] = {}
    for channel, kind, n in rows:
        item = out.setdefault(channel, {"channel": channel, "checkout": 0, "return": 0,
                                        "renewal": 0, "hold": 0, "total": 0})
        item[kind] += int(n)
        item["total"] += int(n)
    return sorted(out.values(), key=lambda r: r["channel"])


def reader_messages(conn: Connection, start: date, end: date, zone: str) -> list[dict[str, Any]]:
    lo, hi = day_start(start, zone), day_start(end + timedelta(days=1), zone)
    m = messages
    out = []
    for kind in ("feedback", "suggestion"):
        rows = conn.execute(select(m.c.submitted_at, m.c.answered_at).where(
            m.c.kind == kind, m.c.submitted_at >= lo, m.c.submitted_at < hi)).all()
        answered = _hours([(s, a) for s, a in rows if a is not None])
        out.append({"kind": kind, "submitted": len(rows), "answered": answered["count"],
                    "median_hours": answered["median_hours"], "p90_hours": answered["p90_hours"]})
    return out


def branch_comparison(conn: Connection, start: date, end: date) -> list[dict[str, Any]]:
    a = actions
    out: dict[str, dict[str, Any]] = {}

    def row(branch: str) -> dict[str, Any]:
        return out.setdefault(branch, {"branch": branch, "checkout": 0, "return": 0,
                                       "renewal": 0, "hold": 0, "active_readers": 0})

    for branch, kind, n in conn.execute(select(a.c.branch, a.c.kind, func.sum(a.c.count))
                                        .where(range_grains(a, start, end))
                                        .group_by(a.c.branch, a.c.kind)):
        row(branch)[kind] = int(n)
    members = (select(activity.c.branch, activity.c.reader_id)
               .where(range_grains(activity, start, end)).distinct().subquery())
    for branch, n in conn.execute(select(members.c.branch, func.count())
                                  .group_by(members.c.branch)):
        row(branch)["active_readers"] = int(n)
    return sorted(out.values(), key=lambda r: r["branch"])


def report_service(conn: Connection, start: date, end: date, as_of: date, zone: str, *,
                   branch: str | None = None, category: str | None = None,
                   channel: str = "desk") -> dict[str, Any]:
    """Every section of the Service report in one answer."""
    return {
        "overdue_aging": overdue_aging(conn, as_of, zone, branch=branch, category=category),
        "holds": holds_fill(conn, start, end, zone, branch=branch, category=category),
        "heatmap": heatmap(conn, start, end, channel=channel, branch=branch),
        "channels": channel_mix(conn, start, end, branch=branch),
        "messages": reader_messages(conn, start, end, zone),
        "branches": branch_comparison(conn, start, end),
    }
