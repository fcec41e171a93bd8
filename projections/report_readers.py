"""The Readers report: active, new, returning and lapsed readers over any range, in SQL.

Definitions (stated in the API, the exports and docs/reports.md):
- the window is [start, end] (local days, inclusive); the previous window is the same number
  of days just before it;
- active: borrowed or renewed at least once in the window (distinct readers over the whole
  window, never a sum of months);
- new: registered in the window (grouped by the category and home branch at registration);
- returning: active in the window and active in the previous window;
- lapsed: active in the previous window and not active in this one;
- loans: checkouts in the window; loans per active reader = loans / active.
With a group (branch or reader category) each figure is counted within the group: a reader
active at two branches is active at each, and counts once in the total.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Integer, String, func, literal_column, select, union_all

from projections.rollups import activity, range_grains, registrations

GROUPS = {"branch", "category"}
FILTERS = ("branch", "category")


def previous_window(start: date, end: date) -> tuple[date, date]:
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def _grp(table: Any, group_by: str | None) -> Any:
    return table.c[group_by] if group_by else literal_column("'all'", String)


def _grouped(query: Any, table: Any, group_by: str | None) -> Any:
    """GROUP BY the group column (a constant would be refused by PostgreSQL)."""
    return query.group_by(table.c[group_by]) if group_by else query


def _where(table: Any, filters: dict[str, str | None]) -> list[Any]:
    return [table.c[k] == v for k, v in filters.items() if k in FILTERS and v]


def _members(start: date, end: date, group_by: str | None, filters: dict[str, str | None],
             now: int) -> Any:
    """(group, reader, in this window, in the previous window) rows of one window."""
    return (select(_grp(activity, group_by).label("grp"), activity.c.reader_id,
                   literal_column(str(now), Integer).label("now"),
                   literal_column(str(1 - now), Integer).label("before"))
            .where(range_grains(activity, start, end), *_where(activity, filters)))


def report_readers(conn: Connection, start: date, end: date, *, group_by: str | None = None,
                   branch: str | None = None, category: str | None = None) -> list[dict[str, Any]]:
    """One row per group (or one 'all' row): active, new, returning, lapsed, loans."""
    filters = {"branch": branch, "category": category}
    p_start, p_end = previous_window(start, end)
    # One pass: each (group, reader) once, flagged by the windows it was active in.
    both = union_all(_members(start, end, group_by, filters, 1),
                     _members(p_start, p_end, group_by, filters, 0)).subquery("both_windows")
    pairs = (select(both.c.grp, func.max(both.c.now).label("now"),
                    func.max(both.c.before).label("before"))
             .group_by(both.c.grp, both.c.reader_id).subquery("pairs"))
    out: dict[str, dict[str, Any]] = {}

    def row(grp: str) -> dict[str, Any]:
        return out.setdefault(grp, {"group": grp, "active": 0, "new": 0, "returning": 0,
                                    "lapsed": 0, "loans": 0, "renewals": 0})

    for grp, active, returning, lapsed in conn.execute(
            select(pairs.c.grp, func.sum(pairs.c.now), func.sum(pairs.c.now * pairs.c.before),
                   func.sum((1 - pairs.c.now) * pairs.c.before)).group_by(pairs.c.grp)):
        item = row(grp)
        item.update(active=int(active or 0), returning=int(returning or 0),
                    lapsed=int(lapsed or 0))
    for grp, n_loans, n_renewals in conn.execute(_grouped(
            select(_grp(activity, group_by), func.sum(activity.c.loans),
                   func.sum(activity.c.renewals))
            .where(range_grains(activity, start, end), *_where(activity, filters)),
            activity, group_by)):
        if grp is None:
            continue
        row(grp).update(loans=int(n_loans or 0), renewals=int(n_renewals or 0))
    reg = registrations
    for grp, n in conn.execute(_grouped(
            select(_grp(reg, group_by), func.count())
            .where(reg.c.registered_on >= start, reg.c.registered_on <= end, *_where(reg, filters)),
            reg, group_by)):
        if n:
            row(grp)["new"] = n
    if not out:
        row("all")
    for item in out.values():
        item["loans_per_active"] = round(item["loans"] / item["active"], 2) if item["active"] else 0.0
    return sorted(out.values(), key=lambda r: r["group"])
