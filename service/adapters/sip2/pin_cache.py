"""Recently verified reader PINs, so a kiosk session pays for Argon2 once, not per request.

Kiosks send the reader's PIN with every request of a session (patron information, then
each checkout), and each Argon2 check costs tens of milliseconds of CPU. A successful check
is remembered for a few minutes as an HMAC, under a key that exists only in this process,
of the stored hash and the PIN: nothing reversible is kept, a changed PIN (new stored hash)
misses at once, and failures are never remembered, so guessing still costs full Argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from sqlalchemy import Engine, select

from service.application.accounts import reader_credentials, verify_secret


class PinCache:
    """Verify reader PINs against their Argon2 hashes, remembering successes for ``ttl_s``."""

    def __init__(self, engine: Engine, *, ttl_s: float = 300.0, size: int = 4096,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.engine, self.ttl_s, self.size, self.monotonic = engine, ttl_s, size, monotonic
        self._key = secrets.token_bytes(32)
        self._seen: OrderedDict[bytes, float] = OrderedDict()
        self._lock = threading.Lock()

    def remembers(self, reader_id: str, pin: str) -> bool:
        """Whether ``pin`` was verified for the reader's current PIN hash recently."""
        with self.engine.connect() as conn:
            stored = conn.scalar(select(reader_credentials.c.pin_hash)
                                 .where(reader_credentials.c.reader_id == reader_id))
        if stored is None:
            return False
        token = hmac.new(self._key, f"{stored}\0{pin}".encode(), hashlib.sha256).digest()
        with self._lock:
            seen = self._seen.get(token)
        return seen is not None and self.monotonic() - seen < self.ttl_s

    def check(self, reader_id: str, pin: str) -> bool:
        """Return whether ``pin`` is the reader's current PIN."""
        with self.engine.connect() as conn:
            stored = conn.scalar(select(reader_credentials.c.pin_hash)
                                 .where(reader_credentials.c.reader_id == reader_id))
        if stored is None:
            return verify_secret(None, pin)  # same cost as a real check: no timing hint
        token = hmac.new(self._key, f"{stored}\0{pin}".encode(), hashlib.sha256).digest()
        now = self.monotonic()
        with self._lock:
            seen = self._seen.get(token)
            if seen is not None and now - seen < self.ttl_s:
                return True
        if not verify_secret(stored, pin):
            return False
        with self._lock:
            self._seen[token] = now
            self._seen.move_to_end(token)
            while len(self._seen) > self.size:
                self._seen.popitem(last=False)
        return True
