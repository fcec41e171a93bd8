"""Celery tasks that send notices: one key per task, and the dispatcher of pending keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from celery import current_app, shared_task

from workers.notices.leases import extend_queued
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending, notice_now
from workers.notices.sending import deliver_notice
from workers.runtime import get_lector


@shared_task(name="notices.send", bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send_notice(self: Any, key: str) -> str:
    """Send one notice key at most once; a transient failure retries after its back-off.

    The tries are counted and the delay chosen by the sender (workers/notices/retrying.py),
    which also decides when to give up, so a Celery retry and a later dispatch agree.
    """
    lector = get_lector()
    result = deliver_notice(lector, key, notice_now(lector))
    if result.status != "waiting":
        return result.status
    cfg = lector.config
    # Keep the "queued" mark while we wait, so the dispatcher does not double the retry.
    until = datetime.now(UTC) + timedelta(seconds=result.retry_in + cfg.notice_requeue_s)
    extend_queued(lector.engine, key, until)
    options = {"queue": cfg.notice_queue} if cfg.notice_queue else {}
    raise self.retry(countdown=result.retry_in, **options)


@shared_task(name="notices.dispatch", acks_late=True, ignore_result=True)
def dispatch() -> int:
    """Queue a send for every pending notice that is not queued already (safe to overlap)."""
    lector = get_lector()
    return dispatch_pending(lector, enqueuer(lector, current_app))
