"""How the service asks for projection work after a commit: in-process or via Celery."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
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


class InBackground:
    """Run an after-commit hook on one thread of this process, after the command returns.

    Under gunicorn a sync worker otherwise folds (embedded) or enqueues (Celery) before it
    answers, and the embedded folds of four workers wait on each other's projection locks:
    that wait was most of a desk checkout's time (bench/README.md, circulation_bench).
    Here the request only records the position and wakes the thread; the thread runs the
    hook once for everything signalled since its last run began, so a burst costs one pass.

    Nothing the command promised moves: its events are committed before the hook is called,
    read-your-writes is the response's ``position`` (queries wait for it with
    ``min_position``), and a hook that never runs (the process dies first) leaves only a
    lag the next command's pass folds, as when the database drops during an inline catch-up.
    """

    def __init__(self, hook: Any) -> None:
        self.hook = hook
        self._fresh()
        # A forked child has no thread and no waiters (and maybe a lock held by a thread
        # that did not follow); a weak reference, so a dropped hook is not kept for ever.
        fresh = weakref.WeakMethod(self._fresh)
        os.register_at_fork(after_in_child=lambda: _call_if_alive(fresh))
        # A worker stopped gracefully (gunicorn's TERM ends in sys.exit) finishes the pass it
        # owes first, so a quiet library is not left behind until its next command.
        drain = weakref.WeakMethod(self.drain)
        atexit.register(lambda: _call_if_alive(drain, 5.0))

    def _fresh(self) -> None:
        self._cond = threading.Condition()
        self._latest = 0  # highest position signalled
        self._pending = False  # signalled since the thread last started a run
        self._running = False
        self._thread: threading.Thread | None = None

    def __call__(self, position: int) -> None:
        with self._cond:
            self._latest = max(self._latest, position)
            self._pending = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="lector-after-commit",
                                                daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
                self._pending, self._running, position = False, True, self._latest
            try:
                self.hook(position)
            except Exception:  # the thread must outlive one failed run; the next one retries
                log.exception("after-commit work failed")
            finally:
                with self._cond:
                    self._running = False
                    self._cond.notify_all()

    def drain(self, timeout_s: float = 30.0) -> bool:
        """Wait until every signalled position has been handled; False on timeout."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._pending or self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True


def _call_if_alive(method: weakref.WeakMethod[Any], *args: Any) -> None:
    bound = method()
    if bound is not None:
        bound(*args)
