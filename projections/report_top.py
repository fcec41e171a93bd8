"""The Top report: most borrowed titles, authors and classes over any range, in SQL.

Definitions: a circulation is a checkout (loan opened) on a local day in [start, end];
renewals are counted beside it, never in it. Classes are top-level CLC classes as the loan
recorded them; authors are the title's current author names (a title with two authors counts
for each). Ties are broken by name so pages are stable.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, func, select

from projections.rollups import range_grains, title_authors, title_use, titles_seen

KINDS = ("title", "author", "class")


def _filtered(query: Any, start: date, end: date, branch: str | None, category: str | None,
              clc: str | None) -> Any:
    t = title_use
    query = query.where(range_grains(t, start, end))
    for column, value in (("branch", branch), ("category", category), ("clc", clc)):
        if value:
            query = query.where(t.c[column] == value)
    return query


def report_top(conn: Connection, start: date, end: date, *, by: str = "title",
               branch: str | None = None, category: str | None = None, clc: str | None = None,
               offset: int = 0, limit: int = 20) -> tuple[list[dict[str, Any]], int]:
    """(one page of rows, number of rows in all), most circulations first."""
    t = title_use
    loans, renewals = func.sum(t.c.loans).label("loans"), func.sum(t.c.renewals).label("renewals")
    if by == "author":
        key = title_authors.c.author
        base = select(key.label("key"), loans, renewals,
                      func.count(func.distinct(t.c.title_id)).label("titles")).select_from(
            t.join(title_authors, title_authors.c.title_id == t.c.title_id))
    else:
        key = t.c.title_id if by == "title" else t.c.clc
        base = select(key.label("key"), loans, renewals,
                      func.count(func.distinct(t.c.title_id)).label("titles"))
    grouped = _filtered(base, start, end, branch, category, clc).group_by(key)
    # Only groups with a checkout rank (a renewal alone is no circulation in the range).
    ranked = grouped.having(func.sum(t.c.loans) > 0).subquery("ranked")
    total = int(conn.scalar(select(func.count()).select_from(ranked)) or 0)
    query = select(ranked).order_by(ranked.c.loans.desc(), ranked.c.key).offset(offset).limit(limit)
    if by == "title":
        query = (select(ranked, titles_seen.c.title, titles_seen.c.authors)
                 .join(titles_seen, titles_seen.c.title_id == ranked.c.key, isouter=True)
                 .order_by(ranked.c.loans.desc(), ranked.c.key).offset(offset).limit(limit))
    rows = []
    for n, r in enumerate(conn.execute(query).mappings(), start=offset + 1):
        item = {"rank": n, "key": r["key"], "loans": int(r["loans"]),
                "renewals": int(r["renewals"]), "titles": int(r["titles"])}
        if by == "title":
            item["title"] = r["title"] or ""
            item["authors"] = list(r["authors"] or [])
        rows.append(item)
    return rows, total
