"""WSGI entry for gunicorn: `gunicorn 'service.wsgi:app'`."""

from __future__ import annotations

from dataclasses import replace

from service import create_app
from service.config import Config

config = Config.from_env()
if config.after_commit is None and config.embedded:
    # Embedded under gunicorn: each sync worker's catch-up in the request waited on the other
    # workers' projection locks (bench/README.md, circulation_bench); answer first, then fold
    # on a thread of the worker. With Celery the enqueue stays in the request: moving it
    # showed no gain there. LECTOR_AFTER_COMMIT overrides either choice.
    config = replace(config, after_commit="background")
app = create_app(config)
