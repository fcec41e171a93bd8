"""Staff management: create, deactivate, reactivate, reset passwords, change roles.

Each change is an audit event in the stream ``staff-<username>`` that commits with the
account row and, where old tokens must die, a bumped token version. The last active admin
can be neither demoted nor deactivated; that check runs under the append lock, so two
admins demoting each other at once cannot both succeed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, func, select, update

from events.accounts import (
    StaffAccountCreated,
    StaffAccountDeactivated,
    StaffAccountReactivated,
    StaffPasswordReset,
    StaffRoleChanged,
)
from events.base import Event
from events.engine import as_utc
from events.store import ConcurrencyError, LoadedStreams, PendingEvent
from service.application.accounts import ROLES, hash_secret, staff_accounts
from service.application.context import Actor, Ports
from service.application.execute import Decision, execute
from service.application.token_versions import bump_version
from service.domain.errors import Conflict, Invalid, NotFound

USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD = 8
_PUBLIC = ("username", "role", "display_name", "active", "created_at")


def list_staff(engine: Engine) -> list[dict[str, Any]]:
    """Every staff account, without password hashes, ordered by username."""
    with engine.connect() as conn:
        rows = conn.execute(select(*[staff_accounts.c[n] for n in _PUBLIC])
                            .order_by(staff_accounts.c.username)).mappings()
        return [_public(r) for r in rows]


def _row(conn: Connection | Engine, username: str) -> dict[str, Any] | None:
    query = select(*[staff_accounts.c[n] for n in _PUBLIC]).where(
        staff_accounts.c.username == username)
    if isinstance(conn, Engine):
        with conn.connect() as c:
            found = c.execute(query).mappings().first()
    else:
        found = conn.execute(query).mappings().first()
    return _public(found) if found else None


def _public(row: Any) -> dict[str, Any]:
    return {**row, "created_at": as_utc(row["created_at"])}


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise Invalid("invalid_role", f"Unknown role {role!r}.", f"未知角色 {role!r}。",
                      fields={"role": [f"Must be one of {', '.join(ROLES)}."]})


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid("weak_password", "Password too short.", "密码太短。",
                      fields={"password": [f"At least {MIN_PASSWORD} characters."]})


def _not_found() -> NotFound:
    return NotFound("staff_not_found", "Staff account not found.", "未找到该员工账号。")


def _last_admin() -> Conflict:
    return Conflict("last_admin", "The last active administrator must stay an active admin.",
                    "最后一名在职管理员不能被停用或降级。")


def _active_admins(conn: Connection) -> int:
    return int(conn.scalar(select(func.count()).select_from(staff_accounts).where(
        staff_accounts.c.role == "admin", staff_accounts.c.active.is_(True))) or 0)


def create_staff_account(ports: Ports, actor: Actor, username: str, password: str, role: str,
                         display_name: str | None = None) -> dict[str, Any]:
    """Create an account (refusals: invalid_username, invalid_role, weak_password, staff_exists)."""
    if not USERNAME.fullmatch(username):
        raise Invalid("invalid_username", "Username: 1-64 letters, digits, '.', '_', '@' or '-'.",
                      "用户名须为 1-64 个字母、数字或 '.'、'_'、'@'、'-'。",
                      fields={"username": ["1-64 letters, digits, '.', '_', '@' or '-'."]})
    _check_role(role)
    _check_password(password)
    name = display_name or username
    password_hash = hash_secret(password)

    def write(conn: Connection) -> None:
        if _row(conn, username) is not None:
            raise Conflict("staff_exists", "That username is taken.", "该用户名已被使用。")
        conn.execute(staff_accounts.insert().values(
            username=username, password_hash=password_hash, role=role, display_name=name,
            active=True, created_at=ports.clock()))

    _change(ports, actor, "create_staff", username,
            lambda _row: ([StaffAccountCreated(username, role, name)], write), must_exist=False)
    return _row(ports.engine, username) or {}


def set_active(ports: Ports, actor: Actor, username: str, active: bool) -> dict[str, Any]:
    """Deactivate (its tokens die at once) or reactivate an account; idempotent."""

    def plan(row: dict[str, Any]) -> tuple[list[Event], Callable[[Connection], None]]:
        if row["active"] == active:
            return [], lambda conn: None
        event: Event = (StaffAccountReactivated(username) if active
                        else StaffAccountDeactivated(username))

        def write(conn: Connection) -> None:
            conn.execute(update(staff_accounts).where(staff_accounts.c.username == username)
                         .values(active=active))
            if row["role"] == "admin" and not active and _active_admins(conn) == 0:
                raise _last_admin()
        return [event], write

    _change(ports, actor, "reactivate_staff" if active else "deactivate_staff", username, plan)
    return _row(ports.engine, username) or {}


def reset_password(ports: Ports, actor: Actor, username: str, password: str) -> dict[str, Any]:
    """Set a new password; the account's old tokens stop working."""
    _check_password(password)
    password_hash = hash_secret(password)

    def write(conn: Connection) -> None:
        conn.execute(update(staff_accounts).where(staff_accounts.c.username == username)
                     .values(password_hash=password_hash))

    _change(ports, actor, "reset_staff_password", username,
            lambda row: ([StaffPasswordReset(username)], write))
    return _row(ports.engine, username) or {}


def change_role(ports: Ports, actor: Actor, username: str, role: str) -> dict[str, Any]:
    """Give an account another role; its tokens (which name the old role) stop working."""
    _check_role(role)

    def plan(row: dict[str, Any]) -> tuple[list[Event], Callable[[Connection], None]]:
        if row["role"] == role:
            return [], lambda conn: None

        def write(conn: Connection) -> None:
            conn.execute(update(staff_accounts).where(staff_accounts.c.username == username)
                         .values(role=role))
            if row["role"] == "admin" and row["active"] and _active_admins(conn) == 0:
                raise _last_admin()
        return [StaffRoleChanged(username, role, row["role"])], write

    _change(ports, actor, "change_staff_role", username, plan)
    return _row(ports.engine, username) or {}


Plan = Callable[[Any], tuple[list[Event], Callable[[Connection], None]]]


def _change(ports: Ports, actor: Actor, command: str, username: str, plan: Plan,
            must_exist: bool = True) -> None:
    stream = f"staff-{username}"

    def decide(loaded: LoadedStreams) -> Decision:
        seen = _row(ports.engine, username)
        if must_exist and seen is None:
            raise _not_found()
        events, write = plan(seen)

        def also(conn: Connection) -> None:
            if _row(conn, username) != seen:  # changed since we decided: decide again
                raise ConcurrencyError(stream, -1, -1)
            write(conn)
            if events:
                bump_version(conn, f"staff:{username}")
        return Decision([PendingEvent(e, (stream,)) for e in events], {"username": username},
                        also=also if events else None)

    execute(ports, actor, command, [stream], decide)
