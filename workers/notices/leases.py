"""Leases on notice keys in the database: one sender at a time, and "already queued" marks.

A claim is taken with one atomic upsert that succeeds only when no live claim exists, so two
workers (or two beat schedulers, or a redelivered task) never send the same key at once. A
claim expires by itself (a killed worker leaves one behind), after ``ttl`` seconds, which must
exceed the longest possible send (the SMTP timeout).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.engine import is_postgres, write_connection
from projections.notice_outbox import notice_leases as leases


def _take(engine: Engine, key: str, column: str, until: datetime, now: datetime,
          token: str | None) -> bool:
    insert = pg_insert if is_postgres(engine) else sqlite_insert
    col = leases.c[column]
    values = {"notice_key": key, column: until}
    if token is not None:
        values["token"] = token
    stmt = insert(leases).values(**values).on_conflict_do_update(
        index_elements=["notice_key"],
        set_={column: until, **({"token": token} if token is not None else {})},
        where=or_(col.is_(None), col < now),
    ).returning(leases.c.notice_key)
    with write_connection(engine) as conn, conn.begin():
        return conn.execute(stmt).first() is not None


def claim(engine: Engine, key: str, token: str, now: datetime, ttl_s: float) -> bool:
    """Take the right to send ``key`` until now + ttl; False if someone else holds it."""
    return _take(engine, key, "claimed_until", now + timedelta(seconds=ttl_s), now, token)


def release(engine: Engine, key: str, token: str) -> None:
    """Give the claim back (only our own)."""
    with write_connection(engine) as conn, conn.begin():
        conn.execute(update(leases).where(leases.c.notice_key == key, leases.c.token == token)
                     .values(claimed_until=None, token=None))


def mark_queued(engine: Engine, key: str, now: datetime, for_s: float) -> bool:
    """Note that a send of ``key`` is queued; False if one is already queued and not stale."""
    return _take(engine, key, "queued_until", now + timedelta(seconds=for_s), now, None)


def extend_queued(engine: Engine, key: str, until: datetime) -> None:
    """Set until when a key counts as queued (the end of its back-off after a failed try)."""
    with write_connection(engine) as conn, conn.begin():
        conn.execute(update(leases).where(leases.c.notice_key == key).values(queued_until=until))


def note_attempt(engine: Engine, key: str, wall: datetime) -> tuple[int, datetime]:
    """Count one failed try of ``key``; return the tries so far and when the first one failed."""
    with write_connection(engine) as conn, conn.begin():
        row = conn.execute(
            update(leases).where(leases.c.notice_key == key)
            .values(attempts=leases.c.attempts + 1,
                    first_failed_at=func.coalesce(leases.c.first_failed_at, wall))
            .returning(leases.c.attempts, leases.c.first_failed_at)).first()
    if row is None:  # no lease row (it was forgotten meanwhile): this is the first try
        return 1, wall
    first = row[1] if row[1].tzinfo is not None else row[1].replace(tzinfo=wall.tzinfo)
    return int(row[0]), first


def attempts_of(engine: Engine, key: str) -> int:
    """How many failed tries of ``key`` are counted (0 once it is finished and forgotten)."""
    with engine.connect() as conn:
        value = conn.scalar(select(leases.c.attempts).where(leases.c.notice_key == key))
    return int(value or 0)


def forget(engine: Engine, keys: list[str]) -> None:
    """Drop the leases of finished notices (they are only needed while a key is pending)."""
    if keys:
        with write_connection(engine) as conn, conn.begin():
            conn.execute(delete(leases).where(leases.c.notice_key.in_(keys)))
