"""How the service asks for projection work after a commit: in-process or via Celery."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from events.sqlalchemy_store import SqlEventStore
from projections.base import Projection
from projections.runner import catch_up_together

log = logging.getLogger(__name__)

CATCH_UP_TASK = "projections.catch_up_all"  # every projection in one pass (embedded, by hand)
CATCH_UP_SHARD_TASK = "projections.catch_up_shard"  # one shard (after each commit, with Redis)


def pending_flag(shard: str) -> str:
    """The Redis key that says a catch-up of this shard is queued and not yet started."""
    return f"lector:catch_up:pending:{shard}"

class InProcessCatchUp:
    """Embedded mode: fold new events right away, in the caller's process."""

    def __init__(self, engine: Engine, store: SqlEventStore, projections: Sequence[Projection]):
        self.engine, self.store, self.projections = engine, store, list(projections)

    def __call__(self, position: int) -> None:
        try:
            catch_up_together(self.engine, self.store, self.projections)
        except (OperationalError, InterfaceError, DisconnectionError):
            # The command has committed: losing the database now must not report it as failed.
            # The next command's catch-up (or the embedded scheduler) folds what is left.
            log.warning("database unavailable for the in-process catch-up; it will resume")


class CeleryCatchUp:
    """With a broker: enqueue one catch-up task per projection shard, each coalescing bursts
    through its own Redis flag, so N workers fold up to that many shards at once.

    The runner that claims a shard clears its flag *before* it reads the log, so an append
    that lands after the clear always enqueues a fresh task: nothing is left behind until
    the safety net (workers/projection_tasks.py has the other half of this handshake).
    """

    def __init__(self, redis: Any, celery: Any, shards: Sequence[str], ttl_s: int = 30) -> None:
        self.redis, self.celery, self.shards, self.ttl_s = redis, celery, list(shards), ttl_s

    def __call__(self, position: int) -> None:
        try:
            pipe = self.redis.pipeline(transaction=False)  # one round trip for every shard
            for shard in self.shards:
                pipe.set(pending_flag(shard), position, nx=True, ex=self.ttl_s)
            for shard, fresh in zip(self.shards, pipe.execute(), strict=True):
                if fresh:
                    self.celery.send_task(CATCH_UP_SHARD_TASK, args=[shard])
        except Exception:  # the beat safety net will catch up; a command never fails here
            log.exception("could not enqueue projection catch-up")
