"""Per-client-address limits on logins (Flask-Limiter; Redis storage when configured)."""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Flask, Response, current_app
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

from service.adapters.api.problems import problem, wants_chinese
from service.bootstrap import Lector


def init_rate_limits(app: Flask, lector: Lector) -> None:
    """One limiter per app: in Redis all gunicorn workers share the counts; memory otherwise.

    The client address is the socket peer: behind a reverse proxy, deploy with
    werkzeug's ProxyFix so it is the caller's address rather than the proxy's.
    """
    redis_url = lector.config.redis_url
    # Headers stay off: Flask-Limiter would put its own Retry-After on every response,
    # including the per-account lockout's; the breach handler below sets it instead.
    # swallow_errors: a Redis hiccup must not stop every login (the account limit still holds).
    limiter = Limiter(get_remote_address, app=app, storage_uri=redis_url or "memory://",
                      strategy="moving-window", headers_enabled=False, swallow_errors=True,
                      key_prefix="lector-limits",
                      storage_options={"socket_connect_timeout": 5} if redis_url else {})
    app.extensions["lector_limiter"] = limiter
    app.register_error_handler(RateLimitExceeded, _too_many_requests)


def login_address_limit() -> Any:
    """A context manager that counts one login attempt from the caller's address.

    Raises RateLimitExceeded (answered 429 with Retry-After) when the address is over.
    """
    limiter: Limiter = current_app.extensions["lector_limiter"]
    limit = current_app.extensions["lector"].config.login_rate_limit
    return limiter.limit(limit, scope="login")


def _too_many_requests(error: RateLimitExceeded) -> Response:
    limiter: Limiter = current_app.extensions["lector_limiter"]
    breached = limiter.current_limit
    wait = breached.reset_at - time.time() if breached else error.limit.limit.get_expiry()
    seconds = max(1, math.ceil(wait))
    en = f"Too many login attempts from this address; try again in {seconds} s."
    zh = f"该地址登录尝试过于频繁，请 {seconds} 秒后再试。"
    return problem(429, "too_many_requests", zh if wants_chinese() else en,
                   detail=en if wants_chinese() else zh, headers={"Retry-After": str(seconds)},
                   message_en=en, message_zh=zh, retry_after=seconds)
