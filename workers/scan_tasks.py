"""The daily notice scan: due-soon, overdue, pickup reminders and digests."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from workers.celery_app import LectorTask
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending, notice_now, scan_notices


@shared_task(bind=True, base=LectorTask, name="notices.scan", acks_late=True, ignore_result=True)
def scan(self: LectorTask, now: str | None = None) -> dict[str, int]:
    """Schedule what is due at ``now`` (ISO; default the clock), then queue the sends."""
    lector = self.lector
    at = datetime.fromisoformat(now) if now else notice_now(lector)
    counts = scan_notices(lector, at)
    counts["queued"] = dispatch_pending(lector, enqueuer(lector, self.app))
    return counts
