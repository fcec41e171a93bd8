"""The nightly making of the event log's monthly partitions ahead of time (PostgreSQL)."""

from __future__ import annotations

from celery import shared_task

from events.partitions import ensure_partitions
from workers.celery_app import LectorTask


@shared_task(bind=True, base=LectorTask, name="events.ensure_partitions", acks_late=True,
             ignore_result=True)
def ensure_log_partitions(self: LectorTask) -> list[str]:
    """Create the missing months (idempotent, and safe beside a second beat or an upgrade:
    events/partitions.py serialises on an advisory lock); a no-op on SQLite."""
    lector = self.lector
    return ensure_partitions(lector.engine, lector.config.event_partition_months_ahead)
