"""What a transient failure does: count the try, back off with a cap, or give up for good.

Tries are counted in ``notice_leases`` (operational state), not as events, so an SMTP relay
that is down for a day adds at most a few events per notice to the log: NoticeFailed when the
notice first fails (or fails for a new reason) and NoticeGaveUp once retrying stops. The
log line follows the same rule: one per state change, never one per try.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from service.application import notices as core
from service.application.context import SYSTEM, Actor
from service.bootstrap import Lector
from workers.notices.delivery import TransientDeliveryError, retry_delay
from workers.notices.leases import extend_queued, note_attempt

log = logging.getLogger(__name__)
WORKER = Actor(SYSTEM, "worker")


class RetryLater(Exception):
    """A channel failed transiently; carries the channel and the delivery error."""

    def __init__(self, channel: str, error: TransientDeliveryError) -> None:
        super().__init__(channel, str(error))
        self.channel, self.error = channel, error


def after_transient(lector: Lector, row: dict[str, Any], failure: RetryLater, now: datetime,
                    wall: datetime) -> tuple[str, float]:
    """Record the failure if it changes the state; ("waiting", delay) or ("gave_up", 0)."""
    cfg, ports = lector.config, lector.ports
    key, reader_id, kind = row["notice_key"], row["reader_id"], row["kind"]
    exc = failure.error
    attempts, first = note_attempt(lector.engine, key, wall)
    too_long = wall - first >= timedelta(hours=cfg.notice_give_up_after_h)
    if attempts > cfg.notice_max_retries or too_long:
        if core.record_gave_up(ports, WORKER, key, reader_id, kind, failure.channel,
                               exc.reason, attempts, now):
            log.warning("notice %s: gave up after %d tries (%s)", key, attempts, exc)
        return "gave_up", 0.0
    delay = retry_delay(attempts - 1, base=cfg.notice_retry_base_s, cap=cfg.notice_retry_cap_s,
                        jitter=random.random())
    delay = max(delay, exc.retry_after or 0.0)
    # The dispatcher hands the key out again only once this has passed: the back-off.
    extend_queued(lector.engine, key, wall + timedelta(seconds=delay))
    if core.record_failed(ports, WORKER, key, reader_id, kind, failure.channel, exc.reason,
                          now, permanent=False):
        log.warning("notice %s waits: %s (retrying with back-off)", key, exc)
    return "waiting", delay
