"""Audit facts about staff accounts and logins (secrets themselves never enter the log)."""

from __future__ import annotations

from dataclasses import dataclass

from events.base import Event


@dataclass(frozen=True)
class StaffAccountCreated(Event, type_name="staff.created", version=1):
    username: str
    role: str
    display_name: str


@dataclass(frozen=True)
class StaffAccountDeactivated(Event, type_name="staff.deactivated", version=1):
    """The account's tokens stop working and its logins are refused."""

    username: str


@dataclass(frozen=True)
class StaffAccountReactivated(Event, type_name="staff.reactivated", version=1):
    username: str


@dataclass(frozen=True)
class StaffPasswordReset(Event, type_name="staff.password_reset", version=1):
    """An administrator set a new password; the account's old tokens stop working."""

    username: str


@dataclass(frozen=True)
class StaffRoleChanged(Event, type_name="staff.role_changed", version=1):
    username: str
    role: str
    previous_role: str


@dataclass(frozen=True)
class LoginLocked(Event, type_name="login.locked", version=1):
    """Too many wrong passwords or PINs: logins to the account are refused until ``until``.

    ``account_kind`` is staff, reader or kiosk; ``account`` the username, reader id or kiosk
    login user (a card number that matches no reader is recorded as ``card:<number>``).
    """

    account_kind: str
    account: str
    failures: int
    until: str  # ISO 8601 instant (UTC)
    channel: str
