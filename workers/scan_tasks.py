"""The daily notice scan: due-soon, overdue, pickup reminders and digests."""

from __future__ import annotations

from datetime import datetime

from celery import current_app, shared_task

from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending, notice_now, scan_notices
from workers.runtime import get_lector


@shared_task(name="notices.scan", acks_late=True, ignore_result=True)
def scan(now: str | None = None) -> dict[str, int]:
    """Schedule what is due at ``now`` (ISO; default the clock), then queue the sends."""
    lector = get_lector()
    at = datetime.fromisoformat(now) if now else notice_now(lector)
    counts = scan_notices(lector, at)
    counts["queued"] = dispatch_pending(lector, enqueuer(lector, current_app))
    return counts
