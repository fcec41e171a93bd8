"""Recommendations for a reader and "also borrowed" for a title, by the library's rules.

The nightly refresh records one ``recommendations.refreshed`` per library date (the
projection computes the item-kNN lists from its co-borrowing counts at that event). At query
time the rules apply to whatever is current: never a title the reader has had, has on loan
or has on hold; never a title with no lendable copy (all withdrawn or lost); titles on the
shelf at the reader's branch rank higher; fewer than 3 titles, or no list yet: popularity.
A reader who keeps no reading history gets the popularity list only and is never profiled.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, select

from events import streams
from events.insights import RecommendationsRefreshed
from events.store import LoadedStreams, PendingEvent
from events.vocabulary import HoldStatus
from projections import recommendation_queries as q
from projections.co_borrowing import MIN_LOANS
from projections.current_loans import current_loans
from projections.hold_queue import holds
from projections.reader_profiles import reader_profiles
from service.application.context import Actor, Ports
from service.application.execute import Decision, Outcome, execute
from service.application.settings import library_today

NEIGHBOURS = 50  # similar titles kept per title
KEEP = 50  # list length kept per reader (the rules then filter it)
SHELF_BOOST = 1.5  # a title on the shelf at the reader's branch: its score times this
MIN_CO_READERS = 2  # "also borrowed" never shows a pair fewer readers share
PROJECTIONS = ("co_borrowing", "catalogue", "current_loans", "hold_queue", "reader_profiles")


def refresh_recommendations(ports: Ports, actor: Actor, as_of: date | None = None) -> Outcome:
    """Recompute every reader's list as of ``as_of`` (default yesterday). Once per date: a
    second run, even racing the first, appends nothing (``refreshed`` says which)."""
    now = ports.clock()
    day = as_of or library_today(now, ports.timezone) - timedelta(days=1)
    stream = streams.recommendations_stream(day.isoformat())

    def decide(loaded: LoadedStreams) -> Decision:
        if loaded.version(stream):
            return Decision([], {"as_of": day.isoformat(), "refreshed": False})
        event = RecommendationsRefreshed(as_of=day, neighbours=NEIGHBOURS, keep=KEEP,
                                         refreshed_at=now)
        return Decision([PendingEvent(event, (stream,))],
                        {"as_of": day.isoformat(), "refreshed": True})

    return execute(ports, actor, "refresh_recommendations", [stream], decide)


def _reader_branch(conn: Connection, reader_id: str) -> str | None:
    home = conn.scalar(select(reader_profiles.c.home_branch)
                       .where(reader_profiles.c.reader_id == reader_id))
    if home:
        return str(home)
    last = conn.scalar(select(current_loans.c.branch).where(current_loans.c.reader_id == reader_id)
                       .order_by(current_loans.c.opened_at.desc()).limit(1))
    return str(last) if last else None


def _holding(conn: Connection, reader_id: str) -> set[str]:
    on_loan = set(conn.scalars(select(current_loans.c.title_id)
                               .where(current_loans.c.reader_id == reader_id)))
    on_hold = set(conn.scalars(select(holds.c.title_id).where(
        holds.c.reader_id == reader_id,
        holds.c.status.in_((HoldStatus.WAITING, HoldStatus.TRAPPED)))))
    return on_loan | on_hold


def for_reader(conn: Connection, reader_id: str, limit: int = 10) -> dict[str, Any]:
    """The reader's list under the rules, with the basis it came from."""
    keeps = q.keeps_history(conn, reader_id)
    exclude = _holding(conn, reader_id)
    had: set[str] = set()
    personal: list[tuple[str, float]] = []
    if keeps:
        had = q.titles_had(conn, reader_id)
        exclude |= had
        if len(had) >= MIN_LOANS:
            personal = q.personal_list(conn, reader_id)
    basis = "item_knn" if personal else ("popular" if keeps else "history_off")
    popular = q.popular(conn, limit * 5 + len(exclude))
    ids = sorted({t for t, _ in personal + popular} - exclude)
    lendable = q.lendable(conn, ids)
    branch = _reader_branch(conn, reader_id)
    shelf = q.on_shelf_at(conn, ids, branch)

    def ranked(pool: list[tuple[str, float]], source: str) -> list[tuple[str, float, str]]:
        kept = [(t, s * (SHELF_BOOST if t in shelf else 1.0), source) for t, s in pool
                if t in lendable and t not in exclude]
        return sorted(kept, key=lambda x: (-x[1], x[0]))

    chosen = ranked(personal, "item_knn")[:limit]
    seen = {t for t, _, _ in chosen}
    # Too few personal titles left after the rules: popular ones fill the list, after them.
    chosen += [x for x in ranked(popular, "popular") if x[0] not in seen][:limit - len(chosen)]
    info = q.describe(conn, [t for t, _, _ in chosen])
    return {"reader_id": reader_id, "personal": bool(personal), "basis": basis,
            "keeps_history": keeps, "branch": branch, "as_of": q.latest_refresh(conn),
            "items": [{**_title(info, t), "score": round(s, 6), "on_shelf": t in shelf,
                       "source": source} for t, s, source in chosen]}


def _title(info: dict[str, dict[str, Any]], title_id: str) -> dict[str, Any]:
    row = info.get(title_id, {})
    return {"title_id": title_id, "title": row.get("title"), "authors": row.get("authors") or [],
            "clc_class": row.get("clc_class")}


def also_borrowed(conn: Connection, title_id: str, limit: int = 10) -> dict[str, Any]:
    """Readers who borrowed this also borrowed: pairs at least MIN_CO_READERS readers share,
    lendable titles only, by cosine then count."""
    pairs = q.co_borrowed(conn, title_id, MIN_CO_READERS)
    lendable = q.lendable(conn, [t for t, _, _ in pairs])
    kept = [p for p in pairs if p[0] in lendable][:limit]
    info = q.describe(conn, [t for t, _, _ in kept])
    return {"title_id": title_id, "min_readers": MIN_CO_READERS, "items": [
        {**_title(info, t), "readers": n, "similarity": sim} for t, n, sim in kept]}
