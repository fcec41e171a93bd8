"""The scheduled-export task: beat (or the embedded scheduler) runs it every minute."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from workers.celery_app import LectorTask
from workers.exports.delivery import deliver_due
from workers.notices.scanning import notice_now


@shared_task(bind=True, base=LectorTask, name="exports.deliver_scheduled", acks_late=True,
             ignore_result=True)
def deliver_scheduled(self: LectorTask, now: str | None = None) -> list[str]:
    """Deliver every due period once (safe to overlap: the period's lease and stream guard)."""
    lector = self.lector
    at = datetime.fromisoformat(now) if now else notice_now(lector)
    return [f"{d.schedule_id}:{d.period}" for d in deliver_due(lector, at)]
