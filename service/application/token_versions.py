"""Per-account token versions: bumping one revokes every token issued before.

A token carries the version its account had when it was issued; each request compares it
with the stored one. The stored version is cached per process for a few seconds (the
config's ``token_version_cache_s``), so a revocation reaches every gunicorn worker within
that time while a busy desk does not pay a database read per request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import Column, Connection, Engine, Integer, String, Table, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from service.application.accounts import metadata
from service.application.context import Principal

token_versions = Table(
    "token_versions",
    metadata,
    Column("account", String(200), primary_key=True),
    Column("version", Integer, nullable=False),
)


def account_key(principal: Principal) -> str:
    """The account a principal's tokens belong to (readers by reader id, not card number)."""
    if principal.kind == "reader":
        return f"reader:{principal.reader_id}"
    return f"{principal.kind}:{principal.id}"


def current_version(conn: Connection, account: str) -> int:
    stored = conn.scalar(select(token_versions.c.version)
                         .where(token_versions.c.account == account))
    return int(stored or 0)


# When this process last committed a bump per account: its own caches re-read after that,
# so a revocation made here takes effect here at once (other processes: within the TTL).
_bumped_here: dict[str, float] = {}


def bump_version(conn: Connection, account: str) -> None:
    """Revoke the account's tokens, inside the caller's (write) transaction."""

    def committed(_conn: Connection) -> None:
        if len(_bumped_here) > 50_000:
            _bumped_here.clear()
        _bumped_here[account] = time.monotonic()

    event.listen(conn, "commit", committed, once=True)
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(token_versions).values(account=account, version=1).on_conflict_do_update(
        index_elements=["account"], set_={"version": token_versions.c.version + 1}))


class TokenVersions:
    """Current versions with a short per-process cache; local bumps are seen at once."""

    def __init__(self, engine: Engine, ttl_s: float,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.engine, self.ttl_s, self.monotonic = engine, ttl_s, monotonic
        self._cache: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def version(self, account: str) -> int:
        now = self.monotonic()
        with self._lock:
            hit = self._cache.get(account)
        if hit is not None and now - hit[0] < self.ttl_s \
                and hit[0] > _bumped_here.get(account, -1.0):
            return hit[1]
        with self.engine.connect() as conn:
            found = current_version(conn, account)
        with self._lock:
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[account] = (now, found)
        return found

    def fresh(self, account: str) -> int:
        """The stored version, read now (issue tokens with this, never a cached one)."""
        self.forget(account)
        return self.version(account)

    def accepts(self, account: str, version: int) -> bool:
        """Whether a token of ``version`` is still good (a newer one than cached: look again)."""
        cached = self.version(account)
        return version == cached or (version > cached and version == self.fresh(account))

    def forget(self, account: str) -> None:
        """Drop the cached version (after this process bumped it)."""
        with self._lock:
            self._cache.pop(account, None)
