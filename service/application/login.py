"""Logging in with a password or PIN, under the per-account attempt limits."""

from __future__ import annotations

from typing import Any

from service.application.accounts import authenticate_staff, check_reader_pin
from service.application.context import Ports, Principal
from service.application.login_guard import LoginGuard
from service.application.readers import reader_id_for_card
from service.domain.errors import DomainError


def bad_credentials() -> DomainError:
    return DomainError("invalid_credentials", "Wrong credentials.", "账号或密码错误。",
                       status=401)


def log_in(ports: Ports, guard: LoginGuard, data: dict[str, Any], channel: str) -> Principal:
    """The principal for username + password or card_number + pin; raises 401 or 429.

    Refused while the account is locked, even with the right secret; an unknown username or
    card is counted like a known one, so lockouts reveal nothing about which exist.
    """
    if data.get("username") is not None:
        username = str(data["username"])
        attempt = guard.attempt(f"staff:{username}", channel)
        principal = authenticate_staff(ports.engine, username, data.get("password"))
    else:
        card = str(data["card_number"])
        reader_id = reader_id_for_card(ports, card)
        attempt = guard.attempt(f"reader:{reader_id}" if reader_id else f"card:{card}", channel)
        ok = check_reader_pin(ports.engine, reader_id or "", data.get("pin"))
        principal = Principal("reader", card, "reader", reader_id) if ok and reader_id else None
    if principal is None:
        raise bad_credentials()
    guard.succeeded(attempt)
    return principal
