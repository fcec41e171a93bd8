"""Builders for family and class tests: teacher accounts and reader tokens."""

from __future__ import annotations

from typing import Any

from service.application.accounts import create_staff


def teacher_headers(lector: Any, client: Any, username: str = "teacher1") -> dict[str, str]:
    """Create a teacher account (as an admin would) and sign in with it."""
    create_staff(lector.engine, username, "teacher-pass-1", "teacher")
    reply = client.post("/api/v1/auth/token", json={"username": username,
                                                    "password": "teacher-pass-1"})
    assert reply.status_code == 200, reply.get_json()
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}


def reader_headers(client: Any, card: str, pin: str = "1234") -> dict[str, str]:
    reply = client.post("/api/v1/auth/token", json={"card_number": card, "pin": pin})
    assert reply.status_code == 200, reply.get_json()
    return {"Authorization": f"Bearer {reply.get_json()['token']}"}
