"""Reports: holds pressure per title and the buy list it implies."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, or_, select

from projections.collection import coll_holds, coll_titles
from projections.collection_scope import Scope, held_copies


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def report_holds_pressure(conn: Connection, scope: Scope, ratios: Mapping[str, int],
                          default_ratio: int) -> list[dict[str, Any]]:
    """Titles with active holds on ``as_of`` (placed, not yet fulfilled, cancelled or expired;
    waiting or set aside), their holdable copies, holds per copy, and the copies to buy so
    that there is one copy per R holds (R by item type); highest pressure first."""
    end = scope.end
    query = (select(coll_holds.c.title_id, coll_holds.c.hold_id)
             .where(coll_holds.c.placed_at < end,
                    or_(coll_holds.c.ended_at.is_(None), coll_holds.c.ended_at >= end)))
    if scope.branch:
        query = query.where(coll_holds.c.pickup_branch == scope.branch)
    holds = Counter(title_id for title_id, _ in conn.execute(query))
    if not holds:
        return []
    types: dict[str, Counter[str]] = defaultdict(Counter)
    for copy in held_copies(conn, Scope(scope.as_of, scope.timezone, scope.scheme, scope.branch,
                                        None, scope.item_type)):
        types[copy["title_id"]][copy["item_type"]] += 1
    titles = {r["title_id"]: r for r in conn.execute(
        select(coll_titles.c.title_id, coll_titles.c.title, coll_titles.c[scope.scheme]
               .label("class"), coll_titles.c.year)
        .where(coll_titles.c.title_id.in_(list(holds)))).mappings()}
    rows = []
    for title_id, active in holds.items():
        title = titles.get(title_id) or {"title": "", "class": None, "year": None}
        key = title["class"] if title["class"] is not None or scope.scheme != "clc" else "?"
        if not scope.class_matches(key):
            continue
        counts = types.get(title_id, Counter())
        # The title's item type: that of most of its copies (ties: the first by name).
        item_type = min(counts, key=lambda t: (-counts[t], t)) if counts else None
        if scope.item_type and item_type != scope.item_type:
            continue
        copies = sum(counts.values())
        ratio = ratios.get(item_type or "", default_ratio)
        rows.append({
            "title_id": title_id, "title": title["title"], "class": key, "year": title["year"],
            "item_type": item_type, "active_holds": active, "holdable_copies": copies,
            "holds_ratio": round(active / copies, 2) if copies else None,
            "holds_per_copy_target": ratio,
            "copies_needed": max(0, _ceil_div(active, ratio) - copies),
        })
    return sorted(rows, key=lambda r: (r["holds_ratio"] is not None, -(r["holds_ratio"] or 0),
                                       -r["active_holds"], r["title_id"]))


def report_buy_list(conn: Connection, scope: Scope, ratios: Mapping[str, int],
                    default_ratio: int) -> list[dict[str, Any]]:
    """Titles to buy more copies of: ceil(active holds / R) - holdable copies, when above 0;
    most copies needed first."""
    rows = [r for r in report_holds_pressure(conn, scope, ratios, default_ratio)
            if r["copies_needed"] > 0]
    return sorted(rows, key=lambda r: (-r["copies_needed"], -r["active_holds"], r["title_id"]))
