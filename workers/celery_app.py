"""Celery application factory (the Flask docs' celery_init_app shape, without Flask)."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

from celery import Celery, Task, signals

from service.bootstrap import Lector, bootstrap
from service.config import Config
from workers.schedule import beat_schedule

TASK_MODULES = ["workers.projection_tasks", "workers.notice_tasks", "workers.scan_tasks",
                "workers.relationship_tasks", "workers.export_tasks", "workers.partition_tasks"]
TASK_COUNTS = "lector:metrics:tasks"


class LectorHolder:
    """The composition root of one Celery app in one process, built on first use.

    A worker's prefork children each call ``reset_after_fork`` (workers/main.py), so no
    engine, pool or Redis connection is ever shared across fork; embedded mode and tests
    pass the Lector they already have to ``create_celery``.
    """

    def __init__(self, config: Config, lector: Lector | None = None) -> None:
        self.config, self._lector, self._lock = config, lector, threading.Lock()

    def get(self) -> Lector:
        with self._lock:
            if self._lector is None:
                self._lector = bootstrap(self.config)
            return self._lector

    def reset_after_fork(self) -> None:
        """Forget the parent's connections (never closing them: the parent still uses them)."""
        self._lector, self._lock = None, threading.Lock()


class LectorTask(Task):  # type: ignore[misc]
    """Base of every Lector task (Flask's FlaskTask shape): ``self.lector`` is its app's root."""

    @property
    def lector(self) -> Lector:
        return lector_holder(self.app).get()


def lector_holder(app: Celery) -> LectorHolder:
    holder = getattr(app, "lector_holder", None)
    if not isinstance(holder, LectorHolder):
        raise RuntimeError("this Celery app was not made by workers.celery_app.create_celery")
    return holder


def create_celery(config: Config, lector: Lector | None = None) -> Celery:
    """A Celery app on Redis (or the in-memory broker when embedded), JSON only.

    Its tasks reach ``lector`` (when given: embedded mode, tests) or a Lector built from
    ``config`` in the process that runs them.
    """
    app = Celery("lector", broker=config.redis_url or "memory://", include=TASK_MODULES,
                 task_cls=LectorTask)
    app.lector_holder = LectorHolder(config, lector)  # type: ignore[attr-defined]
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_serializer="json",
        task_ignore_result=True, result_backend=None,
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True, timezone="UTC", enable_utc=True,
        beat_schedule=beat_schedule(config),
        broker_transport_options={"visibility_timeout": 3600},
    )
    if config.redis_url is not None:
        app.conf.update(single_beat(config))
    _count_tasks(config)
    return app


def single_beat(config: Config) -> dict[str, Any]:
    """celery-redbeat: the schedule's state and a lock in Redis, so exactly one beat sends.

    The beat holding ``lector:beat:lock`` renews it on every tick; a second beat blocks
    before its first tick and retries every max interval, taking over once the lock has
    expired (the holder died). The lock outlives at least three ticks, so a beat that is
    merely busy never loses it.
    """
    max_interval = config.beat_max_interval_s
    return {
        "beat_scheduler": "redbeat.RedBeatScheduler",
        "redbeat_redis_url": config.redis_url,
        "redbeat_key_prefix": "lector:beat",
        "redbeat_lock_timeout": max(int(config.beat_lock_timeout_s), int(3 * max_interval) + 1),
        "beat_max_loop_interval": max_interval,
    }


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
