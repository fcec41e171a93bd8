"""The login guard and token versions of one process, built once from its Lector."""

from __future__ import annotations

from datetime import datetime

from events.accounts import LoginLocked
from events.store import ANY, PendingEvent
from service.application.context import SYSTEM
from service.application.login_guard import DatabaseAttempts, LoginGuard, RedisAttempts
from service.application.token_versions import TokenVersions
from service.bootstrap import Lector
from service.domain.accounts.login_rules import LoginPolicy


def login_policy(lector: Lector) -> LoginPolicy:
    c = lector.config
    return LoginPolicy(free_failures=c.login_free_failures, delay_base_s=c.login_delay_base_s,
                       delay_cap_s=c.login_delay_cap_s,
                       lockout_failures=c.login_lockout_failures, lockout_s=c.login_lockout_s,
                       window_s=c.login_failure_window_s)


def login_guard(lector: Lector) -> LoginGuard:
    """The process's guard: Redis-backed when REDIS_URL is set, else the database."""
    guard = lector.extras.get("login_guard")
    if guard is None:
        policy = login_policy(lector)
        store = (RedisAttempts(lector.redis, policy) if lector.redis is not None
                 else DatabaseAttempts(lector.engine))

        def locked(account: str, failures: int, until: datetime, channel: str) -> None:
            record_lock(lector, account, failures, until, channel)

        guard = LoginGuard(store, policy, lector.ports.clock, locked)
        lector.extras["login_guard"] = guard
    return guard  # type: ignore[no-any-return]


def record_lock(lector: Lector, account: str, failures: int, until: datetime,
                channel: str) -> None:
    """Append the audit fact that an account was locked out."""
    kind, _, name = account.partition(":")
    event = LoginLocked(account_kind=kind, account=name, failures=failures,
                        until=until.isoformat(), channel=channel)
    meta = {"actor": SYSTEM.actor, "role": SYSTEM.role, "channel": channel,
            "command": "lock_login"}
    position = lector.store.append([PendingEvent(event, (f"login-{account}",))],
                                   expected={f"login-{account}": ANY}, meta=meta)
    lector.ports.after_commit(position.last_position)


def token_versions(lector: Lector) -> TokenVersions:
    versions = lector.extras.get("token_versions")
    if versions is None:
        versions = TokenVersions(lector.engine, lector.config.token_version_cache_s)
        lector.extras["token_versions"] = versions
    return versions  # type: ignore[no-any-return]
