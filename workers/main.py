"""Worker entry point: `celery -A workers.main worker` and `celery -A workers.main beat`."""

from __future__ import annotations

from celery import signals

from service.config import Config
from workers.celery_app import create_celery, lector_holder

celery = create_celery(Config.from_env())


@signals.worker_process_init.connect
def _fresh_connections(**_: object) -> None:
    lector_holder(celery).reset_after_fork()
