"""Projection tasks: catch up (per shard, coalesced; idempotent via checkpoints) and rebuild."""

from __future__ import annotations

import os
from typing import Any

from celery import shared_task

from projections.registry import by_name
from projections.runner import catch_up, catch_up_together, rebuild
from projections.shards import claim, shard_named
from service.adapters.dispatch import CATCH_UP_SHARD_TASK, pending_flag
from workers.celery_app import LectorTask


@shared_task(bind=True, base=LectorTask, name="projections.catch_up_all", acks_late=True,
             ignore_result=True)
def catch_up_all(self: LectorTask) -> dict[str, int]:
    """Fold every new event into every projection in one pass (embedded mode's safety net).
    Safe to run twice or beside shard runners: each projection's lock keeps them apart."""
    lector = self.lector
    return catch_up_together(lector.engine, lector.store, lector.projections, batch=500)


@shared_task(bind=True, base=LectorTask, name=CATCH_UP_SHARD_TASK, acks_late=True,
             ignore_result=True)
def catch_up_shard(self: LectorTask, shard: str) -> dict[str, Any]:
    """Fold one shard's projections in one pass, unless another runner has the shard.

    The handshake with the producer (service/adapters/dispatch.py): the claimant clears the
    shard's pending flag before it reads the log; a task that finds the shard claimed
    returns at once and leaves the flag set; the claimant looks at the flag after letting
    go and goes round again if it is set. So every commit's events are folded by a fold
    that started after that commit, and a busy shard never holds a second worker.
    """
    lector = self.lector
    chosen = shard_named(lector.shards, shard)
    folds, reached = 0, {}
    while True:
        with claim(lector.engine, shard) as ours:
            if not ours:
                break
            if lector.redis is not None:
                lector.redis.delete(pending_flag(shard))
            reached = catch_up_together(lector.engine, lector.store, chosen.projections,
                                        batch=500)
            folds += 1
        if lector.redis is None or not lector.redis.exists(pending_flag(shard)):
            break
    # Celery logs this at INFO ("succeeded in ...: {...}"): which process folded which shard.
    return {"shard": shard, "pid": os.getpid(), "folds": folds,
            "reached": min(reached.values(), default=None)}


@shared_task(bind=True, base=LectorTask, name="projections.catch_up_shards", acks_late=True,
             ignore_result=True)
def catch_up_shards(self: LectorTask) -> list[str]:
    """The safety net with workers: enqueue every shard's catch-up whatever its flag says
    (a flag may outlive a lost message or a killed worker by its expiry)."""
    for shard in self.lector.shards:
        self.app.send_task(CATCH_UP_SHARD_TASK, args=[shard.name])
    return [shard.name for shard in self.lector.shards]


@shared_task(bind=True, base=LectorTask, name="projections.catch_up", acks_late=True,
             ignore_result=True)
def catch_up_one(self: LectorTask, name: str) -> int:
    lector = self.lector
    return catch_up(lector.engine, lector.store, by_name(name, lector.config.timezone))


@shared_task(bind=True, base=LectorTask, name="projections.rebuild", acks_late=True,
             ignore_result=True)
def rebuild_one(self: LectorTask, name: str) -> int:
    """Refold one projection from position 0 beside its live tables, then swap it in."""
    lector = self.lector
    return rebuild(lector.engine, lector.store, by_name(name, lector.config.timezone))
