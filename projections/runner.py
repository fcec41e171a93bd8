"""Apply events to projections in position order, one locked runner per projection."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.engine import is_postgres, write_connection
from events.sqlalchemy_store import SqlEventStore
from projections.base import Projection
from projections.schema import checkpoints

Progress = Callable[[int, int], None]  # (position reached, last position)


def ensure_checkpoints(engine: Engine, projections: Sequence[Projection]) -> None:
    """Create the checkpoint row of each projection if it is missing."""
    with write_connection(engine) as conn, conn.begin():
        dialect_insert = pg_insert if is_postgres(engine) else sqlite_insert
        for projection in projections:
            conn.execute(
                dialect_insert(checkpoints)
                .values(name=projection.name, position=0)
                .on_conflict_do_nothing(index_elements=["name"])
            )


def checkpoint(conn: Connection, name: str) -> int:
    """The last position a projection has applied."""
    return int(conn.scalar(select(checkpoints.c.position).where(checkpoints.c.name == name)) or 0)


def _lock(conn: Connection, name: str) -> int:
    """Take the projection's lock for this transaction and return its checkpoint.

    On PostgreSQL an advisory lock keyed by the name serialises runners across processes;
    on SQLite the write transaction (BEGIN IMMEDIATE) already excludes every other writer.
    """
    if conn.engine.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(zlib.crc32(name.encode()))))
    position = conn.scalar(select(checkpoints.c.position).where(checkpoints.c.name == name))
    if position is None:  # first run of a new projection: start from the beginning
        conn.execute(checkpoints.insert(), dict(name=name, position=0))
        return 0
    return int(position)


def catch_up_batch(
    engine: Engine, store: SqlEventStore, projection: Projection, batch: int = 500
) -> tuple[int, bool]:
    """Apply at most ``batch`` events in one transaction; return (position, done)."""
    types = sorted(projection.handled_types)
    with write_connection(engine) as conn, conn.begin():
        start = _lock(conn, projection.name)
        head = store.last_position(conn)
        if head <= start:
            return start, True
        events = store.read_all(start, batch, types=types, until=head, conn=conn)
        for stored in events:
            projection.apply(conn, stored)
        # A short batch means nothing else up to ``head`` concerns us: skip ahead to it.
        # Safe because positions are given out in commit order (see the store).
        reached = events[-1].position if len(events) == batch else head
        conn.execute(
            update(checkpoints)
            .where(checkpoints.c.name == projection.name)
            .values(position=reached, updated_at=datetime.now(UTC))
        )
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
        _lock(conn, projection.name)
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
        with write_connection(engine) as conn, conn.begin():
            starts = _lock_all(conn, [p.name for p in chosen])
            head = store.last_position(conn)
            low = min(starts.values(), default=head)
            if head <= low:
                return starts
            behind = [p for p in chosen if starts[p.name] < head]
            types = sorted(set().union(*(p.handled_types for p in behind)))
            events = store.read_all(low, batch, types=types, until=head, conn=conn)
            for stored in events:
                for projection in behind:
                    if stored.position > starts[projection.name]:
                        projection.apply(conn, stored)
            reached = events[-1].position if len(events) == batch else head
            conn.execute(
                update(checkpoints)
                .where(checkpoints.c.name.in_([p.name for p in behind]))
                .values(position=reached, updated_at=datetime.now(UTC))
            )
        if progress is not None:
            progress(reached, head)
        if reached >= head:
            return {p.name: max(starts[p.name], reached) for p in chosen}


def _lock_all(conn: Connection, names: list[str]) -> dict[str, int]:
    """Take several projections' locks (in the given, sorted order) and read their checkpoints
    in two round trips, so folding after every command stays cheap."""
    if conn.engine.dialect.name == "postgresql":
        conn.execute(select(*(func.pg_advisory_xact_lock(zlib.crc32(n.encode())) for n in names)))
    found = dict(conn.execute(
        select(checkpoints.c.name, checkpoints.c.position).where(checkpoints.c.name.in_(names))
    ).all())
    missing = [n for n in names if n not in found]
    if missing:  # first run of new projections: start from the beginning
        conn.execute(checkpoints.insert(), [{"name": n, "position": 0} for n in missing])
    return {n: int(found.get(n, 0)) for n in names}
