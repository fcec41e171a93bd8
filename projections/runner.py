"""Apply events to projections in position order, one locked runner per projection."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, select, update

from events.engine import write_connection
from events.sqlalchemy_store import SqlEventStore
from projections.base import Projection
from projections.schema import checkpoints

Progress = Callable[[int, int], None]  # (position reached, last position)


def checkpoint(conn: Connection, name: str) -> int:
    """The last position a projection has applied."""
    return int(conn.scalar(select(checkpoints.c.position).where(checkpoints.c.name == name)) or 0)


def catch_up_batch(
    engine: Engine, store: SqlEventStore, projection: Projection, batch: int = 500
) -> tuple[int, bool]:
    """Apply at most ``batch`` events in one transaction; return (position, done)."""
    after, head = _fold_batch(engine, store, [projection], batch)
    reached = after[projection.name]
    return reached, reached >= head


def catch_up(
    engine: Engine, store: SqlEventStore, projection: Projection, batch: int = 500,
    progress: Progress | None = None,
) -> int:
    """Apply every pending event; return the checkpoint reached."""
    while True:
        reached, done = catch_up_batch(engine, store, projection, batch)
        if progress is not None:
            progress(reached, store.last_position())
        if done:
            return reached


def reset(engine: Engine, projection: Projection) -> None:
    """Empty a projection and set its checkpoint back to 0, under its lock."""
    with write_connection(engine) as conn, conn.begin():
        _lock_all(conn, [projection.name])
        projection.reset(conn)
        conn.execute(
            update(checkpoints).where(checkpoints.c.name == projection.name).values(position=0)
        )


def rebuild(
    engine: Engine, store: SqlEventStore, projection: Projection, batch: int = 2000,
    progress: Progress | None = None,
) -> int:
    """Drop a projection's state and fold the whole log again, in chunks."""
    reset(engine, projection)
    return catch_up(engine, store, projection, batch, progress)


def lag(engine: Engine, projections: Sequence[Projection]) -> dict[str, int]:
    """How many positions each projection is behind the head of the log."""
    with engine.connect() as conn:
        head = SqlEventStore(engine).last_position(conn)
        rows = dict(conn.execute(select(checkpoints.c.name, checkpoints.c.position)).all())
    return {p.name: max(0, head - int(rows.get(p.name, 0))) for p in projections}


def catch_up_together(
    engine: Engine, store: SqlEventStore, projections: Sequence[Projection], batch: int = 1000,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fold new events into several projections in one pass: each event is read and decoded
    once, and each batch is one transaction holding every projection's lock (taken in name
    order, so runners of single projections and of groups never deadlock)."""
    chosen = sorted(projections, key=lambda p: p.name)
    while True:
        after, head = _fold_batch(engine, store, chosen, batch)
        if progress is not None:
            progress(min(after.values(), default=head), head)
        if all(position >= head for position in after.values()):
            return after


def _fold_batch(
    engine: Engine, store: SqlEventStore, chosen: Sequence[Projection], batch: int
) -> tuple[dict[str, int], int]:
    """One transaction: lock the projections, apply at most ``batch`` events to those behind,
    move their checkpoints. Returns every checkpoint afterwards and the head of the log."""
    with write_connection(engine) as conn, conn.begin():
        starts = _lock_all(conn, [p.name for p in chosen])
        head = store.last_position(conn)
        behind = [p for p in chosen if starts[p.name] < head]
        if not behind:
            return starts, head
        low = min(starts[p.name] for p in behind)
        types = sorted(set().union(*(p.handled_types for p in behind)))
        events = store.read_all(low, batch, types=types, until=head, conn=conn)
        for stored in events:
            for projection in behind:
                if stored.position > starts[projection.name]:
                    projection.apply(conn, stored)
        # A short batch means nothing else up to ``head`` concerns these projections: skip
        # ahead to it. Safe because positions are given out in commit order (see the store).
        reached = events[-1].position if len(events) == batch else head
        conn.execute(
            update(checkpoints)
            .where(checkpoints.c.name.in_([p.name for p in behind]))
            .values(position=reached, updated_at=datetime.now(UTC))
        )
        return {name: max(start, reached) for name, start in starts.items()}, head


def _lock_all(conn: Connection, names: list[str]) -> dict[str, int]:
    """Take the projections' locks (in the given order) and read their checkpoints in two
    round trips, so folding after every command stays cheap. On PostgreSQL advisory locks
    keyed by name serialise runners across processes; on SQLite the write transaction
    (BEGIN IMMEDIATE) already excludes every other writer."""
    if conn.engine.dialect.name == "postgresql":
        conn.execute(select(*(func.pg_advisory_xact_lock(zlib.crc32(n.encode())) for n in names)))
    found = dict(conn.execute(
        select(checkpoints.c.name, checkpoints.c.position).where(checkpoints.c.name.in_(names))
    ).all())
    missing = [n for n in names if n not in found]
    if missing:  # first run of new projections: start from the beginning
        conn.execute(checkpoints.insert(), [{"name": n, "position": 0} for n in missing])
    return {n: int(found.get(n, 0)) for n in names}
