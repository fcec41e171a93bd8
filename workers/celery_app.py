"""Celery application factory (the Flask docs' celery_init_app shape, without Flask)."""

from __future__ import annotations

import contextlib
from typing import Any

from celery import Celery, signals

from service.config import Config
from workers.schedule import beat_schedule

TASK_MODULES = ["workers.projection_tasks", "workers.notice_tasks", "workers.scan_tasks"]
TASK_COUNTS = "lector:metrics:tasks"


def create_celery(config: Config) -> Celery:
    """A Celery app on Redis (or the in-memory broker when embedded), JSON only."""
    app = Celery("lector", broker=config.redis_url or "memory://", include=TASK_MODULES)
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_serializer="json",
        task_ignore_result=True, result_backend=None,
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True, timezone="UTC", enable_utc=True,
        beat_schedule=beat_schedule(config),
        broker_transport_options={"visibility_timeout": 3600},
    )
    _count_tasks(config)
    return app


def _count_tasks(config: Config) -> None:
    """Count task outcomes in Redis so /metrics sees every worker process."""
    if config.redis_url is None:
        return
    import redis

    client = redis.Redis.from_url(config.redis_url)

    def bump(name: str, state: str) -> None:
        with contextlib.suppress(redis.RedisError):  # metrics must never break a task
            client.hincrby(TASK_COUNTS, f"{name}:{state}", 1)

    @signals.task_success.connect(weak=False)
    def _ok(sender: Any = None, **_: Any) -> None:
        bump(sender.name, "success")

    @signals.task_failure.connect(weak=False)
    def _failed(sender: Any = None, **_: Any) -> None:
        bump(sender.name, "failure")

    @signals.task_retry.connect(weak=False)
    def _retried(sender: Any = None, **_: Any) -> None:
        bump(sender.name, "retry")
