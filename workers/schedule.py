"""Every periodic job, in one place (used by celery beat and by the embedded scheduler)."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab, schedule

from service.config import Config
from workers.notices.timing import notice_schedule
from workers.relationship_timing import relationship_schedule


def beat_schedule(config: Config) -> dict[str, dict[str, Any]]:
    """Task name, timing and arguments of every periodic job."""
    return {
        # Safety net: catch-up is also enqueued after every commit, coalesced. With workers
        # it enqueues every shard's catch-up, so the net spreads over them too; embedded, it
        # folds everything in one pass, as each commit does.
        "projections-safety-net": {
            "task": ("projections.catch_up_all" if config.embedded
                     else "projections.catch_up_shards"),
            "schedule": schedule(config.catch_up_interval_s),
        },
        **notice_schedule(config),
        **relationship_schedule(config),
        # Scheduled exports: each period is delivered once however often this runs.
        "exports-scheduled": {
            "task": "exports.deliver_scheduled",
            "schedule": schedule(config.export_schedule_interval_s),
        },
        # PostgreSQL: next months' event log partitions, made long before their first append.
        "events-partitions-nightly": {
            "task": "events.ensure_partitions",
            "schedule": crontab(hour=3, minute=15),
        },
    }


__all__ = ["beat_schedule", "crontab", "schedule"]
