"""Failed-login limits per account, shared by every process: the API and SIP2 use this.

State lives where every process sees it: in Redis when one is configured (several gunicorn
workers, the SIP2 server), otherwise in the database (the embedded library, which may still
run ``lector sip2 serve`` beside the API). Each attempt is checked and counted in one atomic
step, so parallel guesses cannot overtake the count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import Column, Engine, Float, Integer, String, Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from events.engine import write_connection
from service.application.accounts import metadata
from service.domain.accounts.login_rules import Attempts, LoginPolicy, Verdict, begin_attempt, is_locked
from service.domain.errors import DomainError

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("account", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_at", Float, nullable=False),
    Column("locked_until", Float, nullable=False),
)


class TooManyAttempts(DomainError):
    status = 429

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, math.ceil(retry_after))
        super().__init__("too_many_attempts",
                         f"Too many failed logins; try again in {seconds} s.",
                         f"登录失败次数过多，请 {seconds} 秒后再试。", retry_after=seconds)


class AttemptStore(Protocol):
    def update(self, account: str, step: Callable[[Attempts], Verdict]) -> Verdict: ...
    def read(self, account: str) -> Attempts: ...
    def clear(self, account: str) -> None: ...


class DatabaseAttempts:
    """Attempts in the ``login_attempts`` table; the row lock makes check-and-count atomic."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert

    def update(self, account: str, step: Callable[[Attempts], Verdict]) -> Verdict:
        t = login_attempts
        with write_connection(self.engine) as conn, conn.begin():
            conn.execute(self._insert(t).values(account=account, failures=0, last_at=0.0,
                                                locked_until=0.0).on_conflict_do_nothing())
            row = conn.execute(select(t.c.failures, t.c.last_at, t.c.locked_until)
                               .where(t.c.account == account).with_for_update()).one()
            verdict = step(Attempts(row.failures, row.last_at, row.locked_until))
            a = verdict.attempts
            conn.execute(update(t).where(t.c.account == account).values(
                failures=a.failures, last_at=a.last_at, locked_until=a.locked_until))
        return verdict

    def read(self, account: str) -> Attempts:
        t = login_attempts
        with self.engine.connect() as conn:
            row = conn.execute(select(t.c.failures, t.c.last_at, t.c.locked_until)
                               .where(t.c.account == account)).first()
        return Attempts(row.failures, row.last_at, row.locked_until) if row else Attempts()

    def clear(self, account: str) -> None:
        with write_connection(self.engine) as conn, conn.begin():
            conn.execute(login_attempts.delete().where(login_attempts.c.account == account))


class RedisAttempts:
    """Attempts in a Redis hash per account (WATCH/MULTI makes check-and-count atomic)."""

    def __init__(self, redis: Any, policy: LoginPolicy, prefix: str = "lector:login:") -> None:
        self.redis, self.prefix = redis, prefix
        # Keys outlive any state that still matters, then Redis forgets them by itself.
        self.ttl_s = int(policy.window_s + policy.lockout_s) + 60

    def update(self, account: str, step: Callable[[Attempts], Verdict]) -> Verdict:
        key = self.prefix + account
        result: list[Verdict] = []

        def run(pipe: Any) -> None:
            current = _decode(pipe.hgetall(key))
            verdict = step(current)
            pipe.multi()
            a = verdict.attempts
            pipe.hset(key, mapping={"failures": a.failures, "last_at": a.last_at,
                                    "locked_until": a.locked_until})
            pipe.expire(key, self.ttl_s)
            result[:] = [verdict]

        self.redis.transaction(run, key)
        return result[0]

    def read(self, account: str) -> Attempts:
        return _decode(self.redis.hgetall(self.prefix + account))

    def clear(self, account: str) -> None:
        self.redis.delete(self.prefix + account)


def _decode(raw: dict[bytes, bytes]) -> Attempts:
    if not raw:
        return Attempts()
    return Attempts(int(raw[b"failures"]), float(raw[b"last_at"]), float(raw[b"locked_until"]))


@dataclass(frozen=True)
class Attempt:
    """A granted attempt; report its success so the account's failures are forgotten."""

    account: str
    failures: int


Locked = Callable[[str, int, datetime, str], None]


class LoginGuard:
    """Ask before verifying a secret; report success. Refusals raise TooManyAttempts."""

    def __init__(self, store: AttemptStore, policy: LoginPolicy, clock: Callable[[], datetime],
                 on_lock: Locked | None = None) -> None:
        self.store, self.policy, self.clock, self.on_lock = store, policy, clock, on_lock

    def attempt(self, account: str, channel: str) -> Attempt:
        """Count an attempt at ``account`` (e.g. ``staff:alice``) or raise TooManyAttempts."""
        now = self.clock().timestamp()
        verdict = self.store.update(account, lambda current: begin_attempt(current, now,
                                                                           self.policy))
        if verdict.retry_after is not None:
            raise TooManyAttempts(verdict.retry_after)
        if verdict.locked_out and self.on_lock is not None:
            until = datetime.fromtimestamp(verdict.attempts.locked_until, UTC)
            self.on_lock(account, verdict.attempts.failures, until, channel)
        return Attempt(account, verdict.attempts.failures)

    def succeeded(self, attempt: Attempt) -> None:
        self.store.clear(attempt.account)

    def refuse_if_locked(self, account: str) -> None:
        """A read-only check for callers that verified the secret without Argon2 (a cache)."""
        wait = is_locked(self.store.read(account), self.clock().timestamp())
        if wait is not None:
            raise TooManyAttempts(wait)
