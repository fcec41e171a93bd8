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

CATCH_UP_TASK = "projections.catch_up_all"
PENDING_FLAG = "lector:catch_up:pending"


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
    """With a broker: enqueue one catch-up task, coalescing bursts through a Redis flag.

    The worker clears the flag *before* it reads the log, so an append that lands after
    the clear always enqueues a fresh task: nothing is left behind until the safety net.
    """

    def __init__(self, redis: Any, celery: Any, ttl_s: int = 30) -> None:
        self.redis, self.celery, self.ttl_s = redis, celery, ttl_s

    def __call__(self, position: int) -> None:
        try:
            if self.redis.set(PENDING_FLAG, position, nx=True, ex=self.ttl_s):
                self.celery.send_task(CATCH_UP_TASK)
        except Exception:  # the beat safety net will catch up; a command never fails here
            log.exception("could not enqueue projection catch-up")
