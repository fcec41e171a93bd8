"""Celery tasks that send notices: one key per task, and the dispatcher of pending keys."""

from __future__ import annotations

from celery import shared_task

from workers.campaign_sending import send_due_campaigns
from workers.celery_app import LectorTask
from workers.notices.queueing import enqueuer
from workers.notices.scanning import dispatch_pending, notice_now
from workers.notices.sending import deliver_notice


@shared_task(bind=True, base=LectorTask, name="notices.send", acks_late=True, ignore_result=True)
def send_notice(self: LectorTask, key: str) -> str:
    """Send one notice key at most once; a transient failure answers "waiting".

    No Celery retry: the sender counts the try and sets the key's "queued until" to the end
    of its back-off (workers/notices/retrying.py), and the dispatcher hands it out again
    then. So a retry is never a countdown task in Redis (which the broker's visibility
    timeout would redeliver early) and never a log line of its own.
    """
    lector = self.lector
    return deliver_notice(lector, key, notice_now(lector)).status


@shared_task(bind=True, base=LectorTask, name="notices.dispatch", acks_late=True,
             ignore_result=True)
def dispatch(self: LectorTask) -> int:
    """Queue a send for every pending notice that is not queued already (safe to overlap)."""
    lector = self.lector
    return dispatch_pending(lector, enqueuer(lector, self.app))


@shared_task(bind=True, base=LectorTask, name="campaigns.send_due", acks_late=True,
             ignore_result=True)
def send_campaigns(self: LectorTask) -> int:
    """Schedule the notices of campaigns whose send time has come (once per reader), then
    hand them to the senders at once instead of waiting for the next dispatch."""
    lector = self.lector
    counts = send_due_campaigns(lector, notice_now(lector))
    if counts["scheduled"]:
        dispatch_pending(lector, enqueuer(lector, self.app))
    return counts["scheduled"]
