"""Per-client-address limits on logins (Flask-Limiter; Redis storage when configured)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from service.bootstrap import Lector


def init_rate_limits(app: Flask, lector: Lector) -> None:
    """One limiter per app: in Redis all gunicorn workers share the counts; memory otherwise.

    The client address is the socket peer: behind a reverse proxy, deploy with
    werkzeug's ProxyFix so it is the caller's address rather than the proxy's.
    """
    storage = lector.config.redis_url or "memory://"
    limiter = Limiter(get_remote_address, app=app, storage_uri=storage, strategy="moving-window",
                      headers_enabled=True, key_prefix="lector-limits",
                      storage_options={"socket_connect_timeout": 5} if lector.config.redis_url
                      else {})
    app.extensions["lector_limiter"] = limiter


def login_address_limit() -> Any:
    """A context manager that counts one login attempt from the caller's address.

    Raises flask_limiter's RateLimitExceeded (answered 429 with Retry-After) when over.
    """
    limiter: Limiter = current_app.extensions["lector_limiter"]
    limit = current_app.extensions["lector"].config.login_rate_limit
    return limiter.limit(limit, scope="login")
