"""PostgreSQL's commit order without a global lock: in-flight markers and the read bound.

A plain sequence lets position 11 commit before position 10; a reader that has read 11 never
sees 10. Instead of serialising commits, every appending transaction announces itself before
it draws a position: it takes a transaction-scoped *shared* advisory lock whose key is the
next position the sequence will hand out (``MARK_BASE`` + next). Every position it then draws
is at least that key, because the sequence only climbs. The lock is visible to every session
in ``pg_locks`` while the transaction runs and is released only after its commit (or
rollback) is visible.

A reader computes its bound in one statement, *before* the statement that reads events:
first the sequence's last value ``hw`` (every position drawn so far is <= hw), then the
lowest marker still held. The bound is ``min(hw, lowest marker - 1)``. An event at or below
the bound was drawn before ``hw`` was read; its transaction had taken its marker before
that, so it either still holds it (and the bound stops below it) or has finished, and the
reader's next statement, which takes a fresh READ COMMITTED snapshot, sees it committed or
never. Nobody waits for anybody: commits overlap and PostgreSQL groups their WAL flushes.

This is where Marten lost events (discussion #4953, fixed in 9.16.1): its high-water mark
was taken from gaps in the sequence and could move past a sequence number reserved by a
transaction still in flight. Here a reservation cannot hide, since the marker is taken before
the number is drawn; a gap left by a rolled-back append needs no timeout either, since its
marker went with its transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection

SEQUENCE = "events_position_seq"
# Markers use the single-bigint form of the advisory lock (objsubid 1) with the position
# offset by this base ("LE" in the top 16 bits): positions stay below 2**48 and the keys
# never meet the projections' crc32 keys or the store's append lock.
MARK_BASE = 0x4C45 << 48
_MARK_HIGH = MARK_BASE >> 32

# The marker: a shared lock on the next position. MATERIALIZED and referenced by the insert,
# so it is evaluated (and the lock held) before any nextval() of the same statement.
MARK_CTE = f"""mark AS MATERIALIZED (
    SELECT pg_advisory_xact_lock_shared({MARK_BASE}
        + CASE WHEN s.is_called THEN s.last_value + 1 ELSE s.last_value END) AS held
    FROM {SEQUENCE} s)"""

MARK_SQL = f"WITH {MARK_CTE} SELECT held FROM mark"

# The read bound. The sequence is read by the outer scan and the marker lookup is a subplan
# correlated to that row, so the sequence is always read first.
BOUND_SQL = f"""
SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END AS hw,
       (SELECT min(((l.classid::bigint << 32) | l.objid::bigint)) - {MARK_BASE}
          FROM pg_locks l
         WHERE l.locktype = 'advisory' AND l.objsubid = 1
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid >= {_MARK_HIGH} AND s.last_value IS NOT NULL) AS lowest_in_flight
  FROM {SEQUENCE} s"""


def mark_in_flight(conn: Connection) -> None:
    """Announce the caller's transaction as appending (before it draws any position)."""
    conn.exec_driver_sql(MARK_SQL)


def read_bound(conn: Connection) -> int:
    """The highest position a reader may read up to: every event at or below it is either
    committed and visible to the caller's next statement, or will never exist.

    Call it in its own statement before the read (READ COMMITTED), never inside a
    REPEATABLE READ snapshot taken earlier."""
    hw, lowest = conn.exec_driver_sql(BOUND_SQL).one()
    bound = int(hw)
    if lowest is not None:
        bound = min(bound, int(lowest) - 1)
    return bound
