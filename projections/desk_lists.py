"""Desk lists over the hold queue and the copies: the pull list and the hold shelf."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from events.vocabulary import CopyStatus, HoldStatus
from projections.catalogue import copies, titles
from projections.hold_queue import holds
from projections.reader_profiles import reader_profiles


def pull_list(conn: Connection, branch: str | None = None) -> list[dict[str, Any]]:
    """Copies on the shelf to fetch for waiting holds: the first waiting holds of each queue
    paired with the title's available copies (of the held volume), one copy per hold."""
    waiting = conn.execute(
        select(holds.c.hold_id, holds.c.title_id, holds.c.reader_id, holds.c.pickup_branch,
               holds.c.enumeration, titles.c.title)
        .join(titles, titles.c.title_id == holds.c.title_id, isouter=True)
        .where(holds.c.status == HoldStatus.WAITING).order_by(holds.c.placed_position)
    ).mappings().all()
    if not waiting:
        return []
    shelf = conn.execute(
        select(copies.c.barcode, copies.c.title_id, copies.c.branch, copies.c.shelf_mark,
               copies.c.enumeration)
        .where(copies.c.title_id.in_({w["title_id"] for w in waiting}),
               copies.c.status == CopyStatus.AVAILABLE).order_by(copies.c.barcode)
    ).mappings().all()
    free: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in shelf:
        free[c["title_id"]].append(dict(c))
    out = []
    for w in waiting:
        pool = free[w["title_id"]]
        fits = [c for c in pool if w["enumeration"] is None or c["enumeration"] == w["enumeration"]]
        # a copy at the pickup branch first, so fewer copies travel
        fits.sort(key=lambda c: c["branch"] != w["pickup_branch"])
        if not fits:
            continue
        chosen = fits[0]
        pool.remove(chosen)
        if branch is None or chosen["branch"] == branch:
            out.append({**chosen, "hold_id": w["hold_id"], "title": w["title"],
                        "reader_id": w["reader_id"], "pickup_branch": w["pickup_branch"]})
    return out


def hold_shelf(conn: Connection, on: date, branch: str | None = None) -> list[dict[str, Any]]:
    """Copies set aside whose pickup deadline is ``on`` or already passed, with the reader."""
    query = (
        select(holds.c.hold_id, holds.c.barcode, holds.c.title_id, holds.c.reader_id,
               holds.c.pickup_branch, holds.c.pickup_by, titles.c.title,
               reader_profiles.c.name.label("reader_name"), reader_profiles.c.card_number)
        .join(titles, titles.c.title_id == holds.c.title_id, isouter=True)
        .join(reader_profiles, reader_profiles.c.reader_id == holds.c.reader_id, isouter=True)
        .where(holds.c.status == HoldStatus.TRAPPED, holds.c.pickup_by <= on)
        .order_by(holds.c.pickup_by, holds.c.hold_id)
    )
    if branch is not None:
        query = query.where(holds.c.pickup_branch == branch)
    return [{**r, "expired": r["pickup_by"] < on} for r in conn.execute(query).mappings()]
