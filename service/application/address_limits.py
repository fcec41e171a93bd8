"""Attempts per client address over a moving window (the ``limits`` package Flask-Limiter
uses), for channels outside Flask such as SIP2 kiosk logins."""

from __future__ import annotations

from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter


class AddressLimit:
    """``allow(address)`` counts one attempt and says whether it is within every limit."""

    def __init__(self, storage_uri: str, limits: str, scope: str) -> None:
        # "30 per minute;300 per hour", as in the config's login_rate_limit.
        self.items = parse_many(limits)
        self.scope = scope
        self.limiter = MovingWindowRateLimiter(storage_from_string(storage_uri))

    def allow(self, address: str) -> bool:
        return all([self.limiter.hit(item, self.scope, address) for item in self.items])
