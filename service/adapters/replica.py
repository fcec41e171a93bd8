"""The read replica: whether it is usable now, what it cost us, and how far behind it is."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from events.schema import events
from projections.schema import checkpoints

# Fallbacks by reason, shared by every gunicorn worker through Redis (like lector:metrics:tasks).
REPLICA_COUNTS = "lector:metrics:replica"


class ReplicaRoute:
    """Per process: skip the replica for ``retry_s`` after it failed, count every fallback."""

    def __init__(self, retry_s: float, redis: Any = None) -> None:
        self.retry_s, self.redis = retry_s, redis
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.local_counts: dict[str, int] = {}  # embedded mode: one process, no Redis

    def usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def failed(self) -> None:
        # Without the pause every read would pay the connect timeout while the replica is down.
        self._down_until = time.monotonic() + self.retry_s
        self.count("unreachable")

    def count(self, reason: str) -> None:
        if self.redis is not None:
            try:
                self.redis.hincrby(REPLICA_COUNTS, reason, 1)
                return
            except Exception:  # a metric must never fail a read
                pass
        with self._lock:
            self.local_counts[reason] = self.local_counts.get(reason, 0) + 1

    def counts(self) -> dict[str, int]:
        if self.redis is not None:
            try:
                return {k.decode(): int(v) for k, v in self.redis.hgetall(REPLICA_COUNTS).items()}
            except Exception:
                pass
        with self._lock:
            return dict(self.local_counts)


def lowest_checkpoint(engine: Engine, names: Sequence[str]) -> int:
    """The least position the named projections have applied (all of them when none named)."""
    with engine.connect() as conn:
        query = select(checkpoints.c.name, checkpoints.c.position)
        if names:
            query = query.where(checkpoints.c.name.in_(list(names)))
        reached = dict(conn.execute(query).all())
    if not names:
        return min(reached.values(), default=0)
    return min(reached.get(n, 0) for n in names)


def replica_lag(primary: Engine, replica: Engine) -> dict[str, Any]:
    """WAL bytes not yet replayed, seconds since the last replayed commit, log positions behind."""
    try:
        with replica.connect() as conn:
            row = conn.execute(text(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text,"
                " EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()),"
                " pg_is_wal_replay_paused()")).one()
            replica_head = int(conn.scalar(select(func.coalesce(func.max(events.c.position), 0)))
                               or 0)
        with primary.connect() as conn:
            primary_head = int(conn.scalar(select(func.coalesce(func.max(events.c.position), 0)))
                               or 0)
            behind_bytes = (conn.scalar(text(
                "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), CAST(:lsn AS pg_lsn))"),
                {"lsn": row[1]}) if row[1] else None)
    except DBAPIError as exc:
        return {"status": "down", "error": type(exc.orig or exc).__name__}
    return {"status": "ok" if row[0] else "not_a_replica",
            "replay_paused": bool(row[3]),
            "lag_bytes": None if behind_bytes is None else int(behind_bytes),
            # Grows while the primary is idle too: read it with lag_bytes and positions.
            "seconds_since_last_replayed_commit": None if row[2] is None else float(row[2]),
            "positions_behind": max(0, primary_head - replica_head)}
