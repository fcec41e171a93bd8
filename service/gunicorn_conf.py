"""gunicorn settings: `gunicorn -c python:service.gunicorn_conf 'service.wsgi:app'`."""

from __future__ import annotations

from service.adapters.access_log import GUNICORN_ACCESS_FORMAT

access_log_format = GUNICORN_ACCESS_FORMAT
accesslog = "-"
