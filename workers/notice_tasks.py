"""Celery tasks that send notices: one key per task, and the dispatcher of pending keys."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from celery import current_app, shared_task

from workers.notices.delivery import TransientDeliveryError, backoff_seconds
from workers.notices.leases import extend_queued
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending, notice_now
from workers.notices.sending import deliver_notice
from workers.runtime import get_lector


@shared_task(name="notices.send", bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send_notice(self: Any, key: str) -> str:
    """Send one notice key at most once; transient failures retry with back-off and jitter."""
    lector = get_lector()
    try:
        return deliver_notice(lector, key, notice_now(lector)).status
    except TransientDeliveryError as exc:
        cfg = lector.config
        if self.request.retries >= cfg.notice_max_retries:
            return "waiting"  # the dispatcher hands it out again after notice_requeue_s
        delay = backoff_seconds(self.request.retries, base=cfg.notice_retry_base_s,
                                cap=cfg.notice_retry_cap_s, jitter=random.random())
        delay = max(delay, exc.retry_after or 0.0)
        # Keep the "queued" mark while we wait, so the dispatcher does not double the retry.
        until = datetime.now(UTC) + timedelta(seconds=delay + cfg.notice_requeue_s)
        extend_queued(lector.engine, key, until)
        options = {"queue": cfg.notice_queue} if cfg.notice_queue else {}
        raise self.retry(exc=exc, countdown=delay, **options) from exc


@shared_task(name="notices.dispatch", acks_late=True, ignore_result=True)
def dispatch() -> int:
    """Queue a send for every pending notice that is not queued already (safe to overlap)."""
    lector = get_lector()
    return dispatch_pending(lector, enqueuer(lector, current_app))
