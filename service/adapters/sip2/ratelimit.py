"""A token bucket that paces one connection's requests."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """Allow ``rate`` requests per second with bursts of ``burst``; ``take`` says how long to wait.

    Waiting (rather than refusing) keeps a well-behaved kiosk working while a flooding client
    is slowed down to the configured rate; the server stops reading from it meanwhile, so
    TCP flow control pushes back on the sender.
    """

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._rate, self._burst, self._clock = rate, max(1, burst), clock
        self._tokens = float(self._burst)
        self._updated = clock()

    def take(self) -> float:
        """Spend one token; return the seconds to wait before acting (0 when within rate)."""
        if self._rate <= 0:
            return 0.0
        now = self._clock()
        self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        self._tokens -= 1
        return 0.0 if self._tokens >= 0 else -self._tokens / self._rate
