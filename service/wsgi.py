"""WSGI entry for gunicorn: `gunicorn 'service.wsgi:app'`."""

from __future__ import annotations

from dataclasses import replace

from service import create_app
from service.config import Config

config = Config.from_env()
if config.after_commit is None:
    # A sync worker serves one request at a time: answer first, then fold (embedded) or
    # enqueue (Celery) on a thread of the worker (LECTOR_AFTER_COMMIT=inline keeps it in
    # the request).
    config = replace(config, after_commit="background")
app = create_app(config)
