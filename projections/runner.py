"""Apply events to projections in position order, one locked runner per projection."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.exc import InterfaceError, OperationalError

from events.engine import write_connection
from events.sqlalchemy_store import SqlEventStore
from events.store import StoredEvent
from projections.base import Projection
from projections.failures import FoldFailed, clear, record
from projections.schema import checkpoints, failures

Progress = Callable[[int, int], None]  # (position reached, last position)


def checkpoint(conn: Connection, name: str) -> int:
    """The last position a projection has applied."""
    return int(conn.scalar(select(checkpoints.c.position).where(checkpoints.c.name == name)) or 0)


def catch_up_batch(
    engine: Engine, store: SqlEventStore, projection: Projection, batch: int = 500
) -> tuple[int, bool]:
    """Apply at most ``batch`` events in one transaction; return (position, done).

    A stuck projection is retried here; if its fold fails again it stays where it was, its
    failure is recorded, and the answer is done (there is nothing more to do for now)."""
    try:
        fold = _fold_batch(engine, store, [projection], batch)
    except FoldFailed as failed:
        return _isolate(engine, store, projection, failed, batch), True
    reached = fold.after[projection.name]
    return reached, reached >= fold.head


def catch_up(
    engine: Engine, store: SqlEventStore, projection: Projection, batch: int = 500,
    progress: Progress | None = None,
) -> int:
    """Apply every pending event; return the checkpoint reached (short of the head if the
    projection is stuck: see projections.failures)."""
    while True:
        reached, done = catch_up_batch(engine, store, projection, batch)
        if progress is not None:
            progress(reached, store.safe_position())
        if done:
            return reached


def reset(engine: Engine, projection: Projection) -> None:
    """Empty a projection and set its checkpoint back to 0, under its lock."""
    with write_connection(engine) as conn, conn.begin():
        _lock_all(conn, [projection.name])
        projection.reset(conn)
        conn.execute(delete(failures).where(failures.c.name == projection.name))
        conn.execute(
            update(checkpoints).where(checkpoints.c.name == projection.name).values(position=0)
        )


def rebuild(
    engine: Engine, store: SqlEventStore, projection: Projection, batch: int = 2000,
    progress: Progress | None = None,
) -> int:
    """Fold the whole log again into a new generation of the projection's tables, beside the
    live ones that keep answering, then swap it in (projections/rebuilding.py). Raises
    RebuildFailed, leaving the live generation as it was, if a handler raises."""
    from projections.rebuilding import rebuild_beside  # it builds on this module's folds

    return rebuild_beside(engine, store, projection, batch, progress)


def rebuild_all(
    engine: Engine, store: SqlEventStore, projections: Sequence[Projection], batch: int = 2000,
    progress: Progress | None = None,
) -> tuple[dict[str, int], list[Exception]]:
    """Rebuild every given projection beside its live tables in one pass over the log (see
    projections/rebuilding.py); returns the checkpoints reached and the rebuilds that failed
    (those projections keep their live tables)."""
    from projections.rebuilding import rebuild_all_beside

    reached, failed = rebuild_all_beside(engine, store, list(projections), batch, progress)
    return reached, list(failed)


def lag(engine: Engine, projections: Sequence[Projection]) -> dict[str, int]:
    """How many positions each projection is behind the head of the log."""
    with engine.connect() as conn:
        head = SqlEventStore(engine).safe_position(conn)
        rows = dict(conn.execute(select(checkpoints.c.name, checkpoints.c.position)).all())
    return {p.name: max(0, head - int(rows.get(p.name, 0))) for p in projections}


def catch_up_together(
    engine: Engine, store: SqlEventStore, projections: Sequence[Projection], batch: int = 1000,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fold new events into several projections in one pass: each event is read and decoded
    once, and each batch is one transaction holding every projection's lock (taken in name
    order, so runners of single projections and of groups never deadlock).

    A projection whose fold raises is set aside at its last good position with its failure
    recorded, and the others go on past that event; a projection already stuck is retried
    on its own afterwards, so a fixed handler heals it on the next run."""
    chosen = sorted(projections, key=lambda p: p.name)
    failed_now: set[str] = set()
    retry: dict[str, int] | None = None
    reached: dict[str, int] = {}
    while True:
        going = [p for p in chosen if p.name not in failed_now]
        if not going:
            break
        try:
            fold = _fold_batch(engine, store, going, batch, skip_stuck=True)
        except FoldFailed as failed:
            culprit = next(p for p in going if p.name == failed.name)
            reached[failed.name] = _isolate(engine, store, culprit, failed, batch)
            failed_now.add(failed.name)
            continue
        if retry is None:
            retry = fold.stuck
        reached.update(fold.after)
        healthy = [n for n in fold.after if n not in fold.stuck]
        if progress is not None:
            progress(min((fold.after[n] for n in healthy), default=fold.head), fold.head)
        if all(fold.after[n] >= fold.head for n in healthy):
            break
    for projection in chosen:
        if projection.name in (retry or {}) and projection.name not in failed_now:
            reached[projection.name] = catch_up(engine, store, projection, batch)
    return reached


@dataclass(frozen=True)
class _Fold:
    after: dict[str, int]  # every checkpoint after the batch
    head: int  # the head of the log the batch folded towards
    stuck: dict[str, int]  # projections with a recorded failure, and its position


def _fold_batch(
    engine: Engine, store: SqlEventStore, chosen: Sequence[Projection], batch: int,
    *, skip_stuck: bool = False, until: int | None = None,
) -> _Fold:
    """One transaction: lock the projections, apply at most ``batch`` events to those behind,
    move their checkpoints. ``skip_stuck`` leaves projections with a recorded failure alone;
    otherwise folding past their failed event clears the failure. A handler that raises
    aborts the batch with FoldFailed (the transaction rolls back)."""
    with write_connection(engine) as conn, conn.begin():
        starts, stuck = _lock_all(conn, [p.name for p in chosen])
        # The read bound, not the last position: an append still in flight below the last
        # committed one must not be skipped (events/pg_log.py).
        head = store.safe_position(conn)
        if until is not None:
            head = min(head, until)
        behind = [p for p in chosen if starts[p.name] < head
                  and not (skip_stuck and p.name in stuck)]
        stale = [n for n, failed in stuck.items() if starts[n] >= failed]
        if stale:  # another runner folded past the failure before it was noted
            clear(conn, stale, head)
        if not behind:
            return _Fold(starts, head, stuck)
        low = min(starts[p.name] for p in behind)
        types = sorted(set().union(*(p.handled_types for p in behind)))
        events = store.read_all(low, batch, types=types, until=head, conn=conn)
        for stored in events:
            for projection in behind:
                if stored.position > starts[projection.name]:
                    _apply(conn, projection, stored)
        # A short batch means nothing else up to ``head`` concerns these projections: skip
        # ahead to it. Safe because positions are given out in commit order (see the store).
        reached = events[-1].position if len(events) == batch else head
        names = [p.name for p in behind]
        conn.execute(
            update(checkpoints)
            .where(checkpoints.c.name.in_(names))
            .values(position=reached, updated_at=datetime.now(UTC))
        )
        healing = [n for n in names if n in stuck]
        if healing:
            clear(conn, healing, reached)
        after = {name: max(start, reached) if name in names else start
                 for name, start in starts.items()}
        return _Fold(after, head, stuck)


def _apply(conn: Connection, projection: Projection, stored: StoredEvent) -> None:
    try:
        projection.apply(conn, stored)
    except (OperationalError, InterfaceError):
        raise  # the database itself is unreachable: no single projection is to blame
    except Exception as exc:
        raise FoldFailed(projection.name, stored, exc) from exc


def _isolate(
    engine: Engine, store: SqlEventStore, projection: Projection, failed: FoldFailed, batch: int
) -> int:
    """Fold a failing projection alone up to the event before the one it failed on, then
    record the failure; returns its checkpoint."""
    while True:
        try:
            fold = _fold_batch(engine, store, [projection], batch, until=failed.position - 1)
        except FoldFailed as earlier:  # only if a handler is not deterministic
            failed = earlier
            continue
        if fold.after[projection.name] >= failed.position - 1:
            break
    with write_connection(engine) as conn, conn.begin():
        starts, _stuck = _lock_all(conn, [projection.name])
        if starts[projection.name] < failed.position:  # not if a fixed runner got past it
            record(conn, failed)
    return fold.after[projection.name]


def _lock_all(conn: Connection, names: list[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Take the projections' locks (in the given order) and read their checkpoints and
    failures in two round trips, so folding after every command stays cheap. On PostgreSQL
    advisory locks keyed by name serialise runners across processes; on SQLite the write
    transaction (BEGIN IMMEDIATE) already excludes every other writer."""
    if conn.engine.dialect.name == "postgresql":
        conn.execute(select(*(func.pg_advisory_xact_lock(zlib.crc32(n.encode())) for n in names)))
    rows = conn.execute(
        select(checkpoints.c.name, checkpoints.c.position, failures.c.position)
        .select_from(checkpoints.outerjoin(failures, failures.c.name == checkpoints.c.name))
        .where(checkpoints.c.name.in_(names))
    ).all()
    found = {name: int(position) for name, position, _failed in rows}
    stuck = {name: int(failed) for name, _position, failed in rows if failed is not None}
    missing = [n for n in names if n not in found]
    if missing:  # first run of new projections: start from the beginning
        conn.execute(checkpoints.insert(), [{"name": n, "position": 0} for n in missing])
    return {n: found.get(n, 0) for n in names}, stuck
