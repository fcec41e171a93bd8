"""Projection tasks: catch up (coalesced, idempotent via checkpoints) and rebuild."""

from __future__ import annotations

from celery import shared_task

from projections.registry import by_name
from projections.runner import catch_up, catch_up_together, rebuild
from service.adapters.dispatch import PENDING_FLAG
from workers.celery_app import LectorTask


@shared_task(bind=True, base=LectorTask, name="projections.catch_up_all", acks_late=True,
             ignore_result=True)
def catch_up_all(self: LectorTask) -> dict[str, int]:
    """Fold every new event into every projection. Safe to run twice or concurrently."""
    lector = self.lector
    if lector.redis is not None:
        # Clear first: an append after this line enqueues a new task, so none is missed.
        lector.redis.delete(PENDING_FLAG)
    return catch_up_together(lector.engine, lector.store, lector.projections, batch=500)


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
